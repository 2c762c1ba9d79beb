"""Security headers on every response, a Content-Security-Policy with no inline script, and what the code never does:
unpickle, run user-supplied code, or open a file a user names.

The browser half (zero CSP violations while the dashboard runs) is in test_hosting_browser.py.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.security import CSP
from lab_settings import make_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(make_settings(database_url="sqlite://"))) as c:
        yield c


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


REQUESTS = [
    ("GET", "/", 200), ("GET", "/static/style.css", 200), ("GET", "/static/js/main.js", 200),
    ("GET", "/api/health", 200), ("GET", "/openapi.json", 200), ("GET", "/api/datasets/nope", 404),
    ("GET", "/nope", 404), ("POST", "/api/backprop", 422), ("GET", "/static/nope.js", 404),
    ("DELETE", "/api/health", 405),
]


@pytest.mark.parametrize("method, path, status", REQUESTS, ids=[f"{m} {p}" for m, p, _ in REQUESTS])
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_no_inline_script_no_eval_and_no_framing():
    policy = directives(CSP)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "scripts only from this server: no inline, no eval, no CDN"
    assert policy["style-src"] == ["'self'"]
    assert "style-src-attr" not in policy and "script-src-attr" not in policy
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"], "the socket goes to this server only"
    assert not [value for values in policy.values() for value in values if "unsafe" in value]


def test_the_api_reference_is_served_from_the_app_under_the_same_policy(client):
    response = client.get("/docs")
    assert response.status_code == 200 and 'data-openapi-url="/openapi.json"' in response.text
    assert response.headers["content-security-policy"] == CSP
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', response.text)
    assert scripts and not [src for src in scripts if not src.startswith("http://testserver/")], scripts  # no CDN
    assert all(client.get(src).status_code == 200 for src in scripts)
    assert client.get("/redoc").status_code == 404  # ReDoc would come from a CDN; /docs is the reference


def test_a_root_path_gets_the_same_headers():
    app = create_app(make_settings(database_url="sqlite://", root_path="/lab"))
    with TestClient(app) as client:
        assert client.get("/lab/").headers["content-security-policy"] == CSP
        assert client.get("/lab/docs").headers["content-security-policy"] == CSP


# --- the page itself: nothing inline ---------------------------------------------------------------------------

class InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("an inline <script>")
        if tag == "style":
            self.problems.append("a <style> element")
        self.problems += [f"<{tag} {name}=…>" for name in names if name.startswith("on") or name == "style"]
        self.problems += [f"<{tag} {name}=javascript:…>" for name, value in attrs
                          if value and value.strip().lower().startswith("javascript:")]


@pytest.mark.parametrize("path", ["/", "/learn/softmax"])
def test_the_pages_have_no_inline_script_style_or_event_handler(client, path):
    response = client.get(path)
    if response.status_code == 404:
        pytest.skip(f"no page at {path} yet")
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    finder = InlineFinder()
    finder.feed(response.text)
    assert not finder.problems, finder.problems


def test_the_dashboard_code_builds_no_code_from_strings():
    pattern = re.compile(r"\beval\s*\(|new\s+Function\s*\(|set(Timeout|Interval)\s*\(\s*['\"`]|javascript:"
                         r"|\.setAttribute\(\s*['\"]on|insertAdjacentHTML|document\.write")
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path in sorted((ROOT / "static").rglob("*.js"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert not found, found


@pytest.mark.parametrize("path", ["/static/../app/settings.py", "/static/%2e%2e/app/settings.py",
                                  "/static/..%2fapp%2fsettings.py", "/vendor/katex/../../../app/settings.py",
                                  "/static//etc/passwd", "/static/%2fetc%2fpasswd"])
def test_static_files_never_leave_their_folders(client, path):
    response = client.get(path)
    assert response.status_code == 404 or "BaseSettings" not in response.text, path
    assert "root:" not in response.text


# --- what the server code never does ---------------------------------------------------------------------------

FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib", "subprocess",
                     "importlib", "runpy", "code", "codeop", "ctypes", "yaml", "torch", "shutil", "tempfile"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "open", "breakpoint", "FileResponse"}
DYNAMIC_IMPORTS = {"__import__", "import_module", "importlib.import_module"}  # fine with a constant module name
FORBIDDEN_ATTRIBUTES = {"np.load", "numpy.load", "np.loadtxt", "np.genfromtxt", "np.fromfile", "np.save",
                        "np.savez", "os.system", "os.popen", "os.remove", "os.unlink", "os.open", "os.listdir",
                        "os.walk", "os.scandir", "read_text", "read_bytes", "write_text", "write_bytes"}
CLI_ONLY_CHECK_MODULES = ("command", "code_check", "learner_code", "runner")
# Reviewed exceptions: (file, name) -> why it is safe.
ALLOWED = {
    ("app/cli.py", "*"): "the command line reads and writes the files its own user names, on their own machine",
    # `backprop-lab check PATH.py` runs the learner's own file on their own machine, in a child process; the server
    # never imports these modules (test_the_server_never_loads_the_code_that_runs_learners_files below).
    **{(f"app/check/{name}.py", "*"): "the CLI's `check`: the learner's file, on their machine, in a child process"
       for name in CLI_ONLY_CHECK_MODULES},
    ("app/datasets/digits.py", "importlib"): "importlib.util.find_spec('sklearn'): is the optional extra there?",
    ("app/web/app.py", "pathlib.Path"): "ROOT, the project folder, for static/ and templates/",
    ("app/web/routers/pages.py", "pathlib.Path"): "ROOT, the project folder, for templates/",
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _uses(path: Path) -> list[tuple[str, int]]:
    """What a module imports and calls that could unpickle, run code, or touch the file system."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names
                      if alias.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append((node.module.split(".")[0], node.lineno))
            if node.module in ("pathlib", "os", "os.path"):
                found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names
                          if alias.name in ("Path", "open", "remove", "unlink", "listdir", "system")]
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in DYNAMIC_IMPORTS and not all(isinstance(arg, ast.Constant) for arg in node.args[:1]):
                found.append((name, node.lineno))
            if name in FORBIDDEN_BUILTINS or name in FORBIDDEN_ATTRIBUTES or name.startswith("os.path.") \
                    or name.rsplit(".", 1)[-1] in {"read_text", "read_bytes", "write_text", "write_bytes"}:
                found.append((name, node.lineno))
            found += [("allow_pickle", node.lineno) for kw in node.keywords
                      if kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and not kw.value.value)]
    return found


def test_no_pickle_no_user_supplied_code_and_no_file_paths_from_users():
    """The server's code imports nothing that unpickles or runs code, and opens no file at all: uploads and imports
    are parsed from bytes in memory (CSV, JSON, safetensors), saved models go to the database."""
    problems = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if (rel, "*") in ALLOWED:
            continue
        problems += [f"{rel}:{line}: {name}" for name, line in _uses(path) if (rel, name) not in ALLOWED]
    assert not problems, problems


def test_the_server_never_loads_the_code_that_runs_learners_files():
    """The app, with every router and POST /api/check, imports none of the modules that run a learner's file."""
    probe = ("import sys; from app.web.app import create_app; from app.settings import Settings; "
             "create_app(Settings()); import app.check, app.web.routers.check; "
             f"print([m for m in {[f'app.check.{n}' for n in CLI_ONLY_CHECK_MODULES]!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
