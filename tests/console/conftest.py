"""Browser tests of the console in a real Chromium (Debian's, driven by Playwright by its path)
against the real stack. Without a Chromium they are skipped, loudly; XINYONG_REQUIRE_BROWSER=1
(CI) turns the skip into a failure."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.console.stack import Stack, start_stack

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "services/console/node_modules/axe-core/axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRED = os.environ.get("XINYONG_REQUIRE_BROWSER") == "1"
TIMINGS: list[dict] = []
SKIPPED: list[str] = []


def chromium_path() -> str | None:
    """XINYONG_CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    for candidate in (os.environ.get("XINYONG_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser tests required (XINYONG_REQUIRE_BROWSER=1) but {reason}")
    SKIPPED.append(reason)
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium to drive; skips (or, when required, fails) the browser tests without one."""
    path = chromium_path()
    if path is None:
        _unavailable("no Chromium found (apt-get install -y chromium, or set XINYONG_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    return path


# Playwright's sync API holds an event loop while it runs, so it starts after the stack (whose
# database fixture is async) and stops with this module, before any later async test.
@pytest.fixture(scope="module")
def browser(chromium, stack):
    from playwright.sync_api import sync_playwright

    path = chromium
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
async def console_db(pg_server):
    url = await pg_server.fresh_database()
    try:
        yield url
    finally:
        await pg_server.drop(url)


@pytest.fixture(scope="module")
def stack(chromium, console_db, tmp_path_factory) -> Iterator[Stack]:
    running = start_stack(console_db, tmp_path_factory.mktemp("console-stack"))
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Journey:
    """One test's browser page, with its screenshots, accessibility checks and timings."""

    page: object
    stack: Stack
    name: str
    shots: int = 0

    @property
    def folder(self) -> Path:
        path = ARTIFACTS / self.name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def shot(self, label: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def open(self, path: str, ready: str, label: str) -> float:
        """Navigate to `path`; milliseconds from navigation start until `ready` is visible."""
        self.page.goto(self.stack.console + path, wait_until="commit")
        return self.usable(ready, label, path)

    def usable(self, ready: str, label: str, path: str | None = None) -> float:
        """Time-to-usable of the current page, measured in the browser (performance.now())."""
        self.page.locator(ready).first.wait_for(state="visible", timeout=15_000)
        ms = self.page.evaluate("() => performance.now()")
        TIMINGS.append({"journey": self.name, "page": label, "path": path or self.page.url,
                        "ms": round(ms)})
        return ms

    def after(self, action, ready: str, label: str) -> float:
        """Time-to-usable of an in-app navigation: from `action` (a click) until `ready` shows."""
        started = self.page.evaluate("() => performance.now()")
        action()
        self.page.locator(ready).first.wait_for(state="visible", timeout=15_000)
        ms = self.page.evaluate("() => performance.now()") - started
        TIMINGS.append({"journey": self.name, "page": label, "path": self.page.url, "ms": round(ms)})
        return ms

    def check_accessibility(self, label: str) -> None:
        """axe-core on the page as it stands: no serious or critical violations."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate("""async () => {
            const r = await axe.run(document, { resultTypes: ['violations'] });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }));
        }""")
        (self.folder / f"axe-{label}.json").write_text(json.dumps(violations, indent=2,
                                                                  ensure_ascii=False))
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe on {label}: {json.dumps(bad, indent=2, ensure_ascii=False)}"

    def visit(self, path: str, ready: str, label: str) -> None:
        """Open, time, check and photograph one page."""
        self.open(path, ready, label)
        self.check_accessibility(label)
        self.shot(label)

    def sign_in(self, role: str, agency: str | None = None, sub: str = "", code: str = "") -> None:
        """Development sign-in; a subject (`role="subject"`) signs in with its own `code`."""
        page = self.page
        self.open("/signin", "form[aria-labelledby=dev-signin]", "sign-in")
        page.get_by_label(re.compile("Role|角色")).select_option(role)
        if agency:
            page.get_by_label(re.compile("Agency|所属机关")).select_option(agency)
        if sub:
            page.get_by_label(re.compile("User name|用户名")).fill(sub)
        if code:
            page.get_by_label(re.compile("credit code or identity number|统一社会信用代码或身份证号")).fill(code)
        page.locator("form[aria-labelledby=dev-signin] button[type=submit]").click()
        page.get_by_test_id("who").wait_for()

    def download(self, button) -> bytes:
        """Click a download button; the bytes of the file it offers."""
        with self.page.expect_download() as info:
            button.click()
        download = info.value
        path = self.folder / download.suggested_filename
        download.save_as(str(path))
        return path.read_bytes()


@pytest.fixture
def journey(stack, browser, request) -> Iterator[Journey]:
    name = re.sub(r"[^a-z0-9_]+", "-", request.node.name.lower())
    shutil.rmtree(ARTIFACTS / name, ignore_errors=True)
    context = browser.new_context(
        accept_downloads=True,
        bypass_csp=True,  # axe-core is injected as a script the console's CSP would refuse
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield Journey(page=page, stack=stack, name=name)
        assert not errors, f"uncaught errors in the page: {errors}"
    finally:
        context.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if SKIPPED:
        terminalreporter.write_line("")
        terminalreporter.write_line(
            f"WARNING: console browser tests SKIPPED: {SKIPPED[0]}. They run where a Chromium "
            "is found; XINYONG_REQUIRE_BROWSER=1 makes this a failure.", yellow=True, bold=True)
    if TIMINGS:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2))
        terminalreporter.write_line("")
        terminalreporter.write_line("console: time to usable after navigation (ms, target 1000):",
                                    bold=True)
        for t in TIMINGS:
            terminalreporter.write_line(f"  {t['ms']:>6}  {t['journey']}: {t['page']}")
        terminalreporter.write_line(f"console: screenshots, axe reports and timings in {ARTIFACTS}")

