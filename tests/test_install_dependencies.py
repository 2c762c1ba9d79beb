"""What the default install (`scripts/setup`, `pip install -e .`) brings: every format the API exports, ONNX
included, works without an extra; onnxruntime, which only runs the exported files, stays in the test extra."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_onnx_export_needs_no_extra():
    assert {"onnx", "safetensors"} <= names(PYPROJECT["project"]["dependencies"])


def test_onnxruntime_is_for_the_tests_only():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "onnxruntime" not in names(PYPROJECT["project"]["dependencies"])
    assert "onnxruntime" in names(extras["test"])
    assert "export" not in extras, "the export extra is gone: nothing to install for ONNX"
