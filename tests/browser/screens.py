"""What the browser tests do on every screen: sign in, take its picture, check it with axe."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import Locator, Page, expect

from tests.support import clock
from tests.support.api_client import PASSWORD

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# Violations of these impacts fail a test; "minor" and "moderate" ones are reported only.
FAILING_IMPACTS = {"serious", "critical"}


class ConsoleWatch:
    """Collects what the page's console says, to catch Content-Security-Policy refusals
    (an inline script or style would be refused on a real phone too)."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda message: self.messages.append(message.text))

    def assert_no_policy_violations(self) -> None:
        refused = [text for text in self.messages if "Content Security Policy" in text]
        assert not refused, "the page broke the Content-Security-Policy:\n" + "\n".join(refused)


CODE_FIELD = "Code from your authenticator app"
_STEP_SECONDS = 30


class Authenticator:
    """What a person's authenticator app holds for Homelog: the key, and the last 30-second
    step whose code was used, since the server takes each code once (and one step either
    side of now)."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.last_step = -1

    def next_code(self) -> str:
        """A code the server has not seen yet: now's, or the next step's when now's was used;
        waits for the clock when both were."""
        while True:
            step = int(clock.now().timestamp()) // _STEP_SECONDS
            candidate = max(step, self.last_step + 1)
            if candidate <= step + 1:
                self.last_step = candidate
                return self.totp.at(candidate * _STEP_SECONDS)
            time.sleep(1)


# Per work email: the authenticator set up by pass_two_step (a deployment requires it).
AUTHENTICATORS: dict[str, Authenticator] = {}


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Signs in through the sign-in screen, as a person would, and waits for My families."""
    page.goto("/")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()
    pass_two_step(page, email, page.get_by_role("heading", name="My families", level=1))


def pass_two_step(page: Page, email: str, then: Locator) -> None:
    """After the password, waits for `then`. Where the server asks for two-step sign-in (a
    deployment requires it of everyone), sets it up the first time or enters the code, as the
    person would with their authenticator app."""
    setting_up = page.get_by_role("heading", name="Set up two-step sign-in", level=1)
    code = page.get_by_label(CODE_FIELD)
    expect(then.or_(setting_up).or_(code).first).to_be_visible()
    if setting_up.is_visible():
        key = page.locator(".secret-key")
        expect(key).to_be_visible()
        authenticator = Authenticator(re.sub(r"\s", "", key.inner_text()))
        AUTHENTICATORS[email] = authenticator
        code.fill(authenticator.next_code())
        page.get_by_role("button", name="Confirm").tap()
        page.get_by_role("button", name="I have kept my recovery codes").tap()
    elif code.is_visible() and not then.is_visible():
        code.fill(AUTHENTICATORS[email].next_code())
        page.get_by_role("button", name="Sign in").tap()
    expect(then).to_be_visible()


def check_phone_fit(page: Page, width: int = 360) -> None:
    """Every visible control in the screen is a touch target at least 44 px tall, and
    nothing is wider than the phone."""
    too_small = page.evaluate("""() => [...document.querySelectorAll(
        'main a, main button, main select, main input')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.textContent.trim() || el.tagName, el.getBoundingClientRect()])
        .filter(([, box]) => box.height < 44)
        .map(([name, box]) => `${name}: ${box.height}px`)""")
    assert not too_small, too_small
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width


def screenshot(page: Page, output_dir: Path, name: str) -> Path:
    """The whole screen as a phone shows it, under <output>/screenshots/<name>.png."""
    path = output_dir / "screenshots" / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_accessibility(page: Page, name: str) -> list[dict[str, Any]]:
    """Runs axe-core on the page (WCAG 2.x A and AA rules); fails on a serious or critical
    violation, naming the rule and the elements. Returns every violation found."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the debugging protocol, which the page's CSP does not govern.
        page.evaluate(AXE.read_text())
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                        'best-practice']},
    })""")
    violations = result["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"accessibility problems on {name}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in failing)
    return violations
