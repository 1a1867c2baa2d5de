"""Focus is visible everywhere (issue 15, item 1), checked in the browser as a keyboard user
moves: tabbing through the sign-in page, the portal, the messages page and a thread to Send,
every control that takes the focus shows an outline (not none, at least 2px) whose colour has
at least 3:1 contrast against the background around the control (axe does not test this).
Screenshots at 1280 and 390px of a focused brand button and a focused navbar link."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.factories import PASSWORD, MessageFactory, MessageThreadFactory

pytestmark = pytest.mark.browser

SUBJECT = "Bedtime worries"
REPLY = "Thank you: we will try the wind-down routine."

# What the keyboard has focused, its outline, and the colours around the ring: sampled just
# where the ring is drawn (outside the control by its offset), on whatever is beneath that
# point which is not the control itself; a ring drawn inside the control sits on the control.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const parse = (c) => {
    const m = (c || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const opaque = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const cs = getComputedStyle(el);
  const offset = parseFloat(cs.outlineOffset) || 0;
  const width = parseFloat(cs.outlineWidth) || 0;
  const r = el.getBoundingClientRect();
  const backgrounds = [];
  if (offset < 0) {
    backgrounds.push(opaque(el));
  } else {
    const d = offset + width / 2;
    const points = [
      [r.left - d, r.top + r.height / 2], [r.right + d, r.top + r.height / 2],
      [r.left + r.width / 2, r.top - d], [r.left + r.width / 2, r.bottom + d],
    ];
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const under = document.elementsFromPoint(x, y).find((e) => e !== el && !el.contains(e));
      backgrounds.push(opaque(under));
    }
  }
  return {
    name: (el.getAttribute('aria-label') || el.innerText || el.name || el.id || el.tagName)
      .trim().slice(0, 50),
    tag: el.tagName, classes: String(el.className),
    style: cs.outlineStyle, width, color: parse(cs.outlineColor), backgrounds,
  };
}"""


def _luminance(rgb) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class Keyboard:
    """Tabs through a page, checking the ring of every control it lands on."""

    def __init__(self, ui):
        self.ui = ui
        self.checked: list[str] = []

    def focused(self) -> dict | None:
        info = self.ui.page.evaluate(FOCUSED)
        if info is None:
            return None  # the document itself (the first Tab into a freshly loaded page)
        where = f"{info['tag']}.{info['classes']} '{info['name']}' on {self.ui.page.url}"
        assert info["style"] != "none", f"no focus outline on {where}"
        assert info["width"] >= 2, f"a {info['width']}px outline on {where}"
        assert info["color"] and info["color"][3] == 1, f"a see-through outline on {where}"
        assert info["backgrounds"], f"no background found around {where}"
        for background in info["backgrounds"]:
            ratio = contrast(info["color"], background)
            assert ratio >= 3, (
                f"the outline {info['color']} is {ratio:.2f}:1 on {background} at {where}"
            )
        self.checked.append(where)
        return info

    def tab_to(self, matches, *, limit: int = 40) -> dict:
        """Tab until `matches(info)`; every stop on the way is checked."""
        for _ in range(limit):
            self.ui.page.keyboard.press("Tab")
            info = self.focused()
            if info is not None and matches(info):
                return info
        pytest.fail(f"{limit} tabs on {self.ui.page.url} never reached the control")


def named(name: str):
    return lambda info: info["name"] == name


def no_sideways_scroll(ui) -> None:
    ui.page.set_viewport_size(PHONE)
    width = ui.page.evaluate("() => document.documentElement.scrollWidth")
    ui.page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{ui.page.url} is {width}px wide at 390px"


def focused_shot(ui, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ui.page.screenshot(path=str(SCREENSHOTS / f"{ui.name}-{step}.png"))


def test_a_keyboard_user_sees_the_focus_from_sign_in_to_send(ui, cast):
    thread = MessageThreadFactory(child=cast.child, guardian=cast.parent, subject=SUBJECT)
    MessageFactory(thread=thread, body="Mia has been waking up scared.")
    keys = Keyboard(ui)

    # Sign in with the keyboard alone.
    ui.go("/accounts/login/")
    keys.tab_to(lambda info: info["tag"] == "INPUT" and info["name"] in ("username", "id_username"))
    ui.page.keyboard.type(cast.parent.email)
    keys.tab_to(lambda info: info["tag"] == "INPUT" and info["name"] in ("password", "id_password"))
    ui.page.keyboard.type(PASSWORD)
    sign_in = keys.tab_to(named("Sign in"))
    assert "btn-brand" in sign_in["classes"]
    focused_shot(ui, "login-sign-in-focused")
    ui.page.keyboard.press("Enter")
    ui.page.wait_for_url("**/portal/")
    no_sideways_scroll(ui)

    # The portal: through the navbar to Messages.
    keys.tab_to(named("Messages"))
    focused_shot(ui, "portal-navbar-link-focused")
    ui.page.keyboard.press("Enter")
    ui.page.wait_for_url("**/portal/messages/")
    no_sideways_scroll(ui)
    keys.tab_to(named(SUBJECT))
    ui.page.keyboard.press("Enter")
    ui.page.wait_for_url(f"**/messages/{thread.pk}/")
    no_sideways_scroll(ui)

    # The thread: write the reply and send it.
    keys.tab_to(lambda info: info["tag"] == "TEXTAREA")
    ui.page.keyboard.type(REPLY)
    send = keys.tab_to(named("Send"))
    assert "btn-brand" in send["classes"]
    focused_shot(ui, "thread-send-focused")
    ui.page.set_viewport_size(PHONE)
    focused_shot(ui, "thread-send-focused-phone")
    ui.page.set_viewport_size(DESKTOP)
    ui.page.keyboard.press("Enter")
    expect(ui.page.get_by_text(REPLY)).to_be_visible()
    assert len(keys.checked) >= 8, keys.checked


def test_the_phone_menu_shows_the_focus_on_the_green(ui, cast):
    ui.page.set_viewport_size(PHONE)
    ui.login(cast.parent.email)
    keys = Keyboard(ui)
    toggler = keys.tab_to(named("Show menu"))
    assert "navbar-toggler" in toggler["classes"]
    ui.page.keyboard.press("Enter")
    # The menu has opened (Bootstrap's transition clips whatever sticks out until it ends).
    expect(ui.page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(ui.page.locator("#mainnav")).not_to_have_class(re.compile("collapsing"))
    keys.tab_to(named("Messages"))
    focused_shot(ui, "phone-navbar-link-focused")
    ui.page.set_viewport_size(DESKTOP)


def test_the_office_focus_on_the_brand_buttons_and_the_children_list(ui, cast):
    ui.login(cast.admin.email)
    ui.go("/practice/children/")
    keys = Keyboard(ui)
    keys.tab_to(named("Children"))
    focused_shot(ui, "office-navbar-children-focused")
    add = keys.tab_to(lambda info: "btn-brand" in info["classes"])
    focused_shot(ui, "office-brand-button-focused")
    ui.page.set_viewport_size(PHONE)
    focused_shot(ui, "office-brand-button-focused-phone")
    ui.page.set_viewport_size(DESKTOP)
    assert add
    no_sideways_scroll(ui)
    ui.audit("children-list")
