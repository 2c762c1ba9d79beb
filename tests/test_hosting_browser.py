"""The dashboard in headless Chromium under the Content-Security-Policy (zero violations), directly and through nginx
under the root path /lab/ (deploy/nginx.conf): the page loads, its socket connects through the proxy, a step works.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.web.app import create_app
from browser import ARTIFACTS, DESKTOP
from lab_settings import make_settings
from live_server import live_server
from test_hosting_nginx import NGINX, proxied_app

pytestmark = pytest.mark.browser
STATIC = Path(__file__).resolve().parents[1] / "static"
IMPORT = re.compile(r"""(?:\bfrom\s+|\bimport\s*\(?\s*)['"]([^'"]+)['"]""")
# A URL that starts at the server's root ('/vendor/…', '/api/…', location.host + '/ws') misses a root path.
ABSOLUTE = re.compile(r"""(?:\bfrom\s+|\bimport\s*\(?\s*)['"]/(?!/)"""  # import '/vendor/…'
                      r"""|location\.host\}?/ws|['"`]/(?:api|ws|static|vendor)\b""")


def dashboard_modules(entry: Path = STATIC / "js" / "main.js") -> list[Path]:
    """main.js and every module it imports, directly or not (relative imports only)."""
    seen, todo = [], [entry]
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.append(path)
        todo += [(path.parent / spec).resolve() for spec in IMPORT.findall(path.read_text()) if spec.startswith(".")]
    return seen


def absolute_urls_in_the_dashboard() -> list[str]:
    modules = dashboard_modules() + dashboard_modules(STATIC / "js" / "lessons-derivation.js")
    return [f"{path.relative_to(STATIC.parent)}:{n}: {line.strip()}" for path in modules
            for n, line in enumerate(path.read_text().splitlines(), 1) if ABSOLUTE.search(line)]


def test_the_dashboard_asks_for_no_url_from_the_servers_root():
    """Under a root path such as /lab/, '/vendor/…' or location.host + '/ws' would miss the prefix."""
    assert len(dashboard_modules()) > 10  # the import walk found the dashboard
    assert absolute_urls_in_the_dashboard() == []

# Every violation of the policy, as the page sees it (an init script runs before the page's own, outside its CSP).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
"""


class Page:
    def __init__(self, browser: Any):
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.page.add_init_script(WATCH_CSP)
        self.console: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.console.append(str(e)))

    def wait_for(self, expression: str, timeout: float = 20_000) -> None:
        self.page.wait_for_function(f"() => {expression}", timeout=timeout)

    def lab(self, name: str) -> Any:
        return self.page.evaluate(f"() => window.backpropLab[{json.dumps(name)}]")

    def violations(self) -> list[dict]:
        return self.page.evaluate("() => window.__cspViolations")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))
        return ARTIFACTS / name

    def drive(self, url: str) -> None:
        """Open the dashboard, wait for its first frame, take steps, play and pause, switch to a 2-D dataset."""
        self.page.goto(url)
        self.wait_for("window.backpropLab && window.backpropLab.framesDrawn > 0")
        self.page.click("#step")
        self.wait_for("window.backpropLab.frame && window.backpropLab.frame.step >= 1")
        self.page.click("#play")
        self.wait_for("window.backpropLab.frame && window.backpropLab.frame.step > 5")
        self.page.click("#play")
        self.page.select_option("#dataset", "moons")
        self.wait_for("document.querySelectorAll('#boundaries canvas').length > 0 && "
                      "document.querySelector('#math .katex') !== null")
        self.page.click("#step")
        self.wait_for("window.backpropLab.frame && window.backpropLab.frame.step >= 1")

    def close(self) -> None:
        self.context.close()


def check_page(browser: Any, url: str, *, drive: bool = True) -> Page:
    page = Page(browser)
    try:
        if drive:
            page.drive(url)
        else:
            assert page.page.goto(url).status == 200
            page.page.wait_for_load_state("networkidle")
        assert page.violations() == []
        assert not [m for m in page.console if "Content Security Policy" in m or "Refused" in m], page.console
        return page
    finally:
        page.close()


def test_the_dashboard_runs_under_its_content_security_policy_with_zero_violations(chromium, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    with live_server(app) as server:
        check_page(chromium, server.url + "/")


def test_the_derivation_page_runs_under_the_policy_with_zero_violations(chromium, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    with live_server(app) as server:
        check_page(chromium, server.url + "/learn/softmax", drive=False)


def test_the_api_reference_renders_under_the_policy_with_zero_violations(chromium, tmp_path):
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}"))
    with live_server(app) as server:
        page = Page(chromium)
        try:
            assert page.page.goto(server.url + "/docs").status == 200
            page.page.wait_for_selector(".opblock", timeout=15_000)  # Swagger UI drew the operations
            assert page.page.locator(".opblock").count() >= 10
            assert page.violations() == [] and page.console == [], (page.violations(), page.console)
        finally:
            page.close()


@pytest.mark.skipif(NGINX is None, reason="no nginx: scripts/test installs Debian's nginx as root")
def test_the_dashboard_works_through_nginx_under_a_root_path(chromium, tmp_path):
    with proxied_app(tmp_path) as proxied:
        page = Page(chromium)
        try:
            page.drive(proxied.lab + "/")
            page.screenshot("hosting-nginx-lab.png")
            assert page.violations() == []
            assert page.console == [], page.console
            assert page.page.url.startswith(proxied.lab + "/")
        finally:
            page.close()
