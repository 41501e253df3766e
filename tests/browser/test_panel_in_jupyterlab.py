"""The campaign panel in JupyterLab in headless Chromium, clicks checked against the sandbox.

Each test writes a small notebook (a plan with a unique tag, so its own campaign id), opens it,
runs all cells through the UI (``runmenu:run-all``) and clicks the panel's buttons as a person
would. Labels are read with ``textContent`` (off-screen cells have no layout). Screenshots of
each state, light and dark theme, go to ``$SMSC_FRAMES_SHOTS`` (default ``/tmp/panel-shots``).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections import Counter
from decimal import Decimal

import nbformat
import pandas as pd
import pytest

from smsc_frames.plan import prepare
from smsc_frames.sandbox.settings import Account

from .conftest import ROOT, SHOTS

# A real browser on a shared 2-core machine: a failure is tried twice more before it counts
# (pytest-rerunfailures); a broken panel still fails all three times. Under pytest-xdist
# (--dist loadgroup) one worker runs them all, so one JupyterLab and one Chromium serve the module.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.flaky(reruns=2, reruns_delay=5),
    pytest.mark.xdist_group("jupyterlab"),
]

BALANCE = Decimal("1000.00")


def contacts(tag: str) -> pd.DataFrame:
    latin = f"It’s sale time {tag}: up to 30% off everything in store this week only, come by!"
    return pd.DataFrame(
        {
            "phone": ["+7 916 123-45-67", "8 (903) 765-43-21", "+7 701 234 5678", "12345"],
            "text": [latin, f"Привет, {tag}! Скидка 15% на всё до воскресенья.", latin, latin],
        }
    )


def panel_notebook(lab, sandbox_url: str, tag: str, login: str = "demo") -> str:
    """Write a notebook that builds the panel for the tagged plan; return its name."""
    frame = contacts(tag).to_dict(orient="list")
    cells = [
        "import pandas as pd\n"
        "from smsc_frames.client import Client\n"
        "from smsc_frames.plan import prepare\n"
        "from smsc_frames.widgets import preview\n"
        f"plan = prepare(pd.DataFrame({frame!r}), phone='phone', text='text')\n"
        f"client = Client({login!r}, 'pw', url={sandbox_url!r}, environ={{}})",
        "panel = preview(plan, client)\npanel",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    name = f"panel-{tag}.ipynb"
    nbformat.write(notebook, lab.root / name)
    return name


def expected(tag: str) -> Counter:
    plan = prepare(contacts(tag), phone="phone", text="text")
    sendable = plan[plan["sendable"]]
    return Counter(zip(sendable["phone"], sendable["text"]))


def sms_parts(tag: str) -> int:
    plan = prepare(contacts(tag), phone="phone", text="text")
    return int(plan.loc[plan["sendable"], "parts"].sum())


def stored(sandbox) -> Counter:
    return Counter((message["phone"], message["text"]) for message in sandbox.messages())


def open_notebook(page, lab, name: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
    # The current widget must be *this* notebook (a restored workspace may show an earlier one
    # first, and Run All would then run that one) with its kernel started and idle.
    page.wait_for_function(
        "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === name && w.sessionContext"
        " && w.sessionContext.session && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        arg=name,
        timeout=180_000,  # a kernel starts slowly on a loaded 2-core machine
    )
    page.wait_for_timeout(500)  # let the notebook settle before commands are sent to it


def run_all(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")


def text(page, selector: str) -> str:
    return page.eval_on_selector_all(
        selector, "nodes => nodes.map(node => node.textContent).join('\\n')"
    )


def wait_for_text(page, selector: str, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = text(page, selector)
        if needle in found:
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"{needle!r} never appeared in {selector}: {text(page, selector)!r}")


def open_panel(page, lab, sandbox, tag: str, login: str = "demo") -> None:
    open_notebook(page, lab, panel_notebook(lab, sandbox.url, tag, login))
    run_all(page)
    page.wait_for_selector(".smsc-panel .smsc-send", timeout=180_000)
    assert "Error displaying widget" not in text(page, ".jp-Notebook")


def shot(page, name: str, dark: bool = False) -> None:
    """Screenshot the panel (and the theme's name in the file) to SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel = page.locator(".smsc-panel").last
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / f"{name}-{'dark' if dark else 'light'}.png"))


def set_theme(page, dark: bool) -> None:
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_timeout(800)


@pytest.fixture
def rich(make_sandbox):
    return make_sandbox(accounts=[Account("demo", "pw", balance=BALANCE)])


def test_renders_one_click_sends_nothing_confirm_sends_once_a_rerun_cannot_send(page, lab, rich):
    tag = uuid.uuid4().hex[:8]
    open_panel(page, lab, rich, tag)
    label = text(page, ".smsc-panel .smsc-send")
    parts = sms_parts(tag)
    assert label.startswith(f"Send {parts} SMS to 3 numbers for ")
    assert "Sample messages" in text(page, ".smsc-header") and "Привет" in text(
        page, ".smsc-header"
    )

    # above the fold: the panel's header, samples and buttons fit a 1000 px high screen
    page.locator(".smsc-panel").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('.smsc-panel').scrollIntoView()")
    send_box = page.locator(".smsc-send").bounding_box()
    assert send_box is not None and send_box["y"] + send_box["height"] < 1000
    shot(page, "1-fresh")
    set_theme(page, dark=True)
    shot(page, "1-fresh", dark=True)
    set_theme(page, dark=False)

    page.locator(".smsc-send").click()
    page.wait_for_selector(".smsc-confirm", state="visible")
    page.wait_for_timeout(1000)
    assert rich.messages() == []  # one click only asks
    shot(page, "2-confirm")
    page.locator(".smsc-confirm").click()
    summary = wait_for_text(page, ".smsc-summary", f"Sent {parts} SMS to 3 numbers")
    assert "sandbox" in summary
    assert stored(rich) == expected(tag)
    assert page.locator(".smsc-summary").is_visible()
    assert "Error displaying widget" not in text(page, ".jp-Notebook")
    shot(page, "3-sent")
    set_theme(page, dark=True)
    shot(page, "3-sent", dark=True)
    set_theme(page, dark=False)

    for _ in range(2):  # clicks on the finished panel, even on its hidden or disabled buttons
        page.locator(".smsc-send").dispatch_event("click")
        page.wait_for_timeout(700)
        page.locator(".smsc-confirm").dispatch_event("click")
    run_all(page)  # the cell re-run: a new panel that knows it was sent
    wait_for_text(page, ".smsc-send", "Sent in this kernel")
    page.wait_for_timeout(500)
    page.locator(".smsc-send").last.dispatch_event("click")
    page.wait_for_timeout(800)
    page.locator(".smsc-confirm").last.dispatch_event("click")
    page.wait_for_timeout(800)
    assert stored(rich) == expected(tag)
    assert f"Sent {parts} SMS" in text(page, ".smsc-summary")


def test_a_double_click_on_a_fresh_send_button_sends_nothing(page, lab, rich):
    tag = uuid.uuid4().hex[:8]
    open_panel(page, lab, rich, tag)
    page.locator(".smsc-send").dblclick()
    page.wait_for_timeout(1500)
    assert rich.messages() == []
    assert "Confirm" in text(page, ".smsc-confirm")
    set_theme(page, dark=True)
    shot(page, "2-confirm", dark=True)
    page.locator(".smsc-panel .lm-TabBar-tab", has_text="Costly characters").click()
    page.wait_for_timeout(300)
    assert "’" in text(page, ".smsc-panel .widget-tab")
    shot(page, "6-costly-characters", dark=True)
    set_theme(page, dark=False)
    shot(page, "6-costly-characters")


def test_an_error_3_shows_its_reason_in_the_panel(page, lab, make_sandbox):
    poor = make_sandbox(accounts=[Account("poor", "pw", balance=BALANCE)])
    tag = uuid.uuid4().hex[:8]
    open_panel(page, lab, poor, tag, login="poor")
    poor.state.set_balance("poor", "0.00")  # spent elsewhere after the quote
    page.locator(".smsc-send").click()
    page.wait_for_timeout(700)
    page.locator(".smsc-confirm").click()
    summary = wait_for_text(page, ".smsc-summary", "SMSC error 3")
    assert "Nothing was sent" in summary
    assert "not sent" in text(page, ".smsc-errors")
    assert "reasons below" in text(page, ".smsc-send")
    assert page.locator(".smsc-summary").is_visible()
    assert poor.messages() == []
    shot(page, "4-error-3")
    set_theme(page, dark=True)
    shot(page, "4-error-3", dark=True)
    set_theme(page, dark=False)


def test_a_shortfall_is_shown_and_send_is_disabled(page, lab, make_sandbox):
    poor = make_sandbox(accounts=[Account("poor", "pw", balance=Decimal("1.00"))])
    tag = uuid.uuid4().hex[:8]
    open_panel(page, lab, poor, tag, login="poor")
    assert "top up at least" in text(page, ".smsc-header")
    assert page.locator(".smsc-send").is_disabled()
    page.locator(".smsc-send").dispatch_event("click")
    page.wait_for_timeout(800)
    assert not page.locator(".smsc-confirm").is_visible()
    assert poor.messages() == []
    assert "UserWarning" not in text(page, ".jp-Notebook")
    shot(page, "5-shortfall")
    set_theme(page, dark=True)
    shot(page, "5-shortfall", dark=True)
    set_theme(page, dark=False)


def test_a_request_smsc_would_refuse_is_shown_and_cannot_be_sent(page, lab, rich):
    tag = f"SANDBOX-DENY-{uuid.uuid4().hex[:8]}"  # in every text: the sandbox's error 6
    open_panel(page, lab, rich, tag)
    header = text(page, ".smsc-header")
    assert "The sandbox would refuse 1 request(s), 3 rows in all: SMSC error 6" in header
    assert "0 recipients to send to" in header and "3 rows SMSC refuses" in header
    assert page.locator(".smsc-send").is_disabled()
    assert text(page, ".smsc-send") == "Nothing to send"
    page.locator(".smsc-panel .lm-TabBar-tab", has_text="Problem rows").click()
    page.wait_for_timeout(300)
    problems = text(page, ".smsc-panel .widget-tab")
    assert "Rows SMSC refuses (3)" in problems and "SMSC error 6: message is denied" in problems
    page.locator(".smsc-send").dispatch_event("click")
    page.wait_for_timeout(800)
    assert not page.locator(".smsc-confirm").is_visible() and rich.messages() == []
    shot(page, "7-refused-request")
    set_theme(page, dark=True)
    shot(page, "7-refused-request", dark=True)
    set_theme(page, dark=False)


def test_the_campaign_notebook_runs_top_to_bottom_through_the_ui(page, lab):
    folder = lab.root / "walkthrough"
    if not folder.exists():
        shutil.copytree(ROOT / "sample_data", folder / "sample_data")
        shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    open_notebook(page, lab, "walkthrough/notebooks/campaign.ipynb")
    run_all(page)
    final = wait_for_text(page, ".jp-Notebook", "The embedded sandbox stored", timeout=240)
    assert "Error displaying widget" not in final
    assert "Traceback" not in final
    assert "SANDBOX MODE" in final
    summary = text(page, ".smsc-summary")
    assert "Sent " in summary and "sandbox" in summary
