"""Run the dashboard's ES modules under Node, with just enough of a DOM for the views that build elements.

`run_in_node(tmp_path, script, argument)`: copies static/js beside `script` (a module that may `await import(
'./static/js/...')` and finds its argument, JSON, in process.argv[2]), runs it, and returns what it printed as JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Elements with text, children, class names and dataset; findAll(tag) walks the tree.
FAKE_DOM = r"""
class Node {
  constructor(tag) { this.tag = tag; this.children = []; this.own = ''; this.className = ''; this.dataset = {};
                     this.hidden = false; }
  set textContent(text) { this.own = String(text); this.children = []; }
  get textContent() { return this.own + this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join(''); }
  append(...nodes) { this.children.push(...nodes); }
  replaceChildren(...nodes) { this.own = ''; this.children = [...nodes]; }
  addEventListener() {}
  findAll(tag) { return this.children.flatMap((c) => (typeof c === 'string' ? [] : [...(c.tag === tag ? [c] : []), ...c.findAll(tag)])); }
}
globalThis.Node = Node;
globalThis.document = { createElement: (tag) => new Node(tag) };
"""


def run_in_node(folder: Path, script: str, argument: Any) -> Any:
    if shutil.which("node") is None:
        pytest.skip("needs Node.js (scripts/test installs it with npm)")
    shutil.copytree(ROOT / "static/js", folder / "static/js")
    (folder / "package.json").write_text('{"type": "module"}')
    (folder / "harness.js").write_text(FAKE_DOM + script)
    done = subprocess.run(["node", "harness.js", json.dumps(argument)], cwd=folder, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
