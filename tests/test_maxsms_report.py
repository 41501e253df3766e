"""maxsms cuts long texts silently at SMSC: the quote, its text and the CLI say which and how."""

from __future__ import annotations

import pandas as pd
from test_cli import campaign_args

from smsc_frames.campaign import estimate
from smsc_frames.cli import main
from smsc_frames.client import Client
from smsc_frames.plan import prepare

LONG = "Spring sale: every coat in the shop is 30% off until Sunday night. " * 3


def test_the_quote_counts_and_shows_the_texts_maxsms_cuts(sandbox):
    contacts = pd.DataFrame({"phone": ["+79161234567", "+79031234567"], "text": [LONG, "Hi"]})
    plan = prepare(contacts, phone="phone", text="text", maxsms=1)
    quote = estimate(plan, Client("demo", "demo", url=sandbox.url, environ={}))
    assert quote.maxsms == 1
    assert quote.cut.index.tolist() == [0]
    assert int(quote.cut.loc[0, "parts"]) == 2
    sent = quote.cut.loc[0, "sent_text"]
    assert LONG.startswith(sent) and len(sent) == 160
    assert "maxsms=1 cuts 1 message(s)" in str(quote)
    assert "maxsms=1 cuts" in quote._repr_html_()


def test_nothing_is_said_when_nothing_is_cut(sandbox):
    plan = prepare(pd.DataFrame({"phone": ["+79161234567"], "text": [LONG]}), phone="phone",
                   text="text")  # fmt: skip
    quote = estimate(plan, Client("demo", "demo", url=sandbox.url, environ={}))
    assert quote.cut.empty and "cuts" not in str(quote)


def test_the_cli_preview_warns_about_cut_texts(sandbox, capsys):
    long_template = "{Имя}, " + "весенняя распродажа, скидки на всё " * 3
    args = campaign_args(sandbox, "--maxsms", "1", "--template", long_template)
    assert main(["estimate", *args]) == 0
    assert "Warning: maxsms=1 cuts" in capsys.readouterr().out


def test_the_panel_warns_about_cut_texts(sandbox):
    from smsc_frames.widgets import preview

    contacts = pd.DataFrame({"phone": ["+79161234567"], "text": [LONG + " panel"]})
    plan = prepare(contacts, phone="phone", text="text", maxsms=1)
    panel = preview(plan, Client("demo", "demo", url=sandbox.url, environ={}), allow_send=False)
    assert "maxsms=1 cuts 1 message(s)" in panel.children[0].value
