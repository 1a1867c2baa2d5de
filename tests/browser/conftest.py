"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page a flow visits is audited with axe-core (WCAG 2.0/2.1 A and AA) and any violation
fails the test. Screenshots go to test-artifacts/screenshots/ (ignored by git) for a person to
look at. Without /usr/bin/chromium the tests are skipped, with the reason; under
REQUIRE_SERVICES=1 (.ci/run) they fail instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import need
from tests.factories import PASSWORD

# The test thread drives Playwright's event loop and also uses the ORM (factories, asserts).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_URL = "/static/vendor/axe/axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need(
        Path(CHROMIUM).exists(),
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium); "
        "Playwright's own browser download is not used",
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _live_settings(settings, live_server):
    # Links in emails point at the live server, so a test opens them as a person would.
    settings.SITE_URL = live_server.url
    # Plain http on localhost: cookies must not require TLS, whatever DEBUG says.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
            lines.append(f"       html: {node['html'][:200]}")
    return "\n".join(lines)


class UI:
    """A test's browser page with the harness's helpers: go, login, shot, audit, check."""

    def __init__(self, page, base_url: str, test_name: str):
        self.page = page
        self.base_url = base_url
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        self.audited: list[str] = []

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def go(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, email: str, password: str = PASSWORD, *, check: bool = False):
        self.go("/accounts/login/")
        if check:
            self.check("login")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def logout(self):
        self.page.context.clear_cookies()

    def shot(self, step: str, *, phone: bool = False) -> Path:
        """Full-page PNG at desktop width; with phone=True, one at 390px too."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if phone:
            self.page.set_viewport_size(PHONE)
            self.page.screenshot(
                path=str(SCREENSHOTS / f"{self.name}-{step}-phone.png"), full_page=True
            )
            self.page.set_viewport_size(DESKTOP)
        return path

    def audit(self, step: str) -> None:
        """Run axe-core's WCAG 2.1 A/AA rules on the page; fail on any violation."""
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Loaded by URL from the live server: the CSP (script-src 'self') refuses inline.
            page.add_script_tag(url=self.base_url + AXE_URL)
        violations = page.evaluate(
            "async (tags) => (await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}})).violations",
            WCAG_TAGS,
        )
        self.audited.append(f"{step}: {page.url}")
        if violations:
            pytest.fail(
                f"axe found {len(violations)} WCAG violation(s) on {step} ({page.url}):\n"
                + _format_violations(violations),
                pytrace=False,
            )

    def check(self, step: str, *, phone: bool = False) -> None:
        """Screenshot, then audit: every page a flow visits goes through here."""
        self.shot(step, phone=phone)
        self.audit(step)


@pytest.fixture
def csp_errors(page):
    """Console reports of Content-Security-Policy refusals (inline scripts or styles)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return errors


@pytest.fixture
def ui(page, live_server, request) -> UI:
    page.set_default_timeout(10_000)
    return UI(page, live_server.url, request.node.originalname)


@pytest.fixture
def new_ui(browser, live_server, request):
    """Another person's browser (a fresh context: no shared cookies)."""
    contexts = []

    def make(suffix: str) -> UI:
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return UI(page, live_server.url, f"{request.node.originalname}-{suffix}")

    yield make
    for context in contexts:
        context.close()
