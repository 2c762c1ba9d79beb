"""`python -m benchmarks --only page` measures the dashboard in Chromium (tiny mode: it runs for about a second
per position, so the numbers mean nothing and nothing here checks a speed, only that each was measured)."""

from __future__ import annotations

import json

import pytest

from browser import CHROMIUM
from test_benchmarks import _run

pytestmark = pytest.mark.browser


def test_the_page_section_measures_each_configuration_at_each_position(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: scripts/test installs Debian's chromium when run as root")
    out = tmp_path / "page.json"
    result = _run("--smoke", "--only", "page", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "## Page" in result.stdout
    page = json.loads(out.read_text())["sections"]["page"]
    assert len(page["rows"]) == 6  # two configurations, each at the top, the math and the boundaries
    for setup, positions in page["data"].items():
        assert list(positions) == ["top", "math in view", "boundaries in view"]
        for figures in positions.values():
            assert 0 <= figures["busy_percent"] <= 100
            assert figures["animation_fps"] > 0
            assert figures["drawings_per_s"] > 0
            assert figures["frames_received_per_s"] > 0
        assert len(positions["top"]["pause_ms"]) == 1 and positions["top"]["pause_ms"][0] > 0
    names = [target["name"] for target in page["targets"]]
    assert sum("Pause to paint" in name for name in names) == 2
    assert sum("animation frames/s" in name for name in names) == 6
    for target in page["targets"]:
        assert target["passed"] in (True, False)
        verdict = "PASS" if target["passed"] else "FAIL"
        assert any(line.startswith(verdict) and target["name"] in line for line in result.stdout.splitlines())
