"""Message kinds end to end: hlr/ping, call, tinyurl and bin plans, quoted and sent over HTTP.

Each kind's local counts (the plan's ``units``/``parts``) must agree with the sandbox's
``cost=1`` answers, request by request, and bad input must be refused before any request.
"""

from __future__ import annotations

import math
import random
import warnings
from decimal import Decimal

import pandas as pd
import pytest
from send_helpers import FAST, FAST_LIMITS, client_for

from smsc_frames.campaign import estimate, send
from smsc_frames.cli import main
from smsc_frames.errors import ValidationError
from smsc_frames.messagekinds import CALL_CHARS_PER_SECOND, SHORT_LINK_LENGTH, shorten_links
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.sandbox.handlers import short_link

PHONES = ["+7 916 123-45-67", "8 903 765 43 21", "+7 921 000 11 22"]
MTS, BEELINE, MEGAFON = Decimal("5.45"), Decimal("5.25"), Decimal("5.30")


def _quote_quietly(plan, sandbox, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a cnt disagreement would warn: make it fail
        return estimate(plan, client_for(sandbox), **kwargs)


def _one_request_per_row(plan, sandbox):
    """Quote every row in a request of its own: SMSC's cnt per row against the local count."""
    requests = payloads(plan, max_recipients=1)
    return _quote_quietly(plan, sandbox, payloads=requests)


@pytest.mark.parametrize("kind", ["hlr", "ping"])
def test_hlr_and_ping_plans_need_no_text_and_cost_one_unit_per_number(sandbox, kind):
    contacts = pd.DataFrame({"phone": PHONES + ["12"]})
    plan = prepare(contacts, phone="phone", **{kind: 1})
    assert plan["text"].tolist() == ["", "", "", ""]
    assert plan["parts"].tolist() == [1, 1, 1, 1] and (plan["encoding"] == kind).all()
    assert plan["sendable"].tolist() == [True, True, True, False]
    [request] = payloads(plan)
    assert "mes" not in request.params and "list" not in request.params  # mes is not used
    assert request.params[kind] == "1"

    quote = _quote_quietly(plan, sandbox)
    assert quote.kind == kind and quote.total_parts == 3
    assert quote.table["cost"].iloc[:3].tolist() == [MTS, BEELINE, MEGAFON]  # per number
    assert quote.total_cost == MTS + BEELINE + MEGAFON
    assert quote.table["cnt_agrees"].iloc[:3].all()
    assert ("HLR requests" if kind == "hlr" else "ping SMS") in str(quote)
    assert not sandbox.messages()

    results = send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    stored = sandbox.messages()
    assert sorted(m["phone"] for m in stored) == ["79037654321", "79161234567", "79210001122"]
    assert all(m["text"] == "" and m["parts"] == 1 for m in stored)
    assert sum(results["cost"].dropna()) == quote.total_cost


def test_a_text_given_with_hlr_is_ignored_with_a_warning_naming_the_page():
    contacts = pd.DataFrame({"phone": PHONES[:1], "text": ["Hello"]})
    with pytest.warns(UserWarning, match=r"hlr=1 sends no text .*mes is not used.*ignored"):
        plan = prepare(contacts, phone="phone", text="text", hlr=1)
    assert plan["text"].tolist() == [""] and plan["sendable"].all()


def test_an_sms_without_text_or_template_is_still_refused_before_any_request():
    with pytest.raises(ValidationError, match=r"^text: give exactly one of"):
        prepare(pd.DataFrame({"phone": PHONES}), phone="phone")


def test_a_call_counts_estimated_seconds_and_bills_started_minutes(sandbox):
    texts = ["Your order is ready", "Ваш заказ готов, " * 40, "x" * 901]
    plan = prepare(pd.DataFrame({"phone": PHONES, "text": texts}), phone="phone", text="text",
                   call=1)  # fmt: skip
    seconds = [math.ceil(len(text) / CALL_CHARS_PER_SECOND) for text in texts]
    assert plan["units"].tolist() == seconds == [2, 46, 61]
    assert plan["parts"].tolist() == [1, 1, 2]  # billed minutes
    assert (plan["encoding"] == "voice").all()

    quote = _one_request_per_row(plan, sandbox)
    assert quote.kind == "call" and quote.total_parts == sum(seconds)  # cnt: seconds
    assert quote.table["cnt_agrees"].all()
    assert quote.table["cost"].tolist() == [MTS, BEELINE, 2 * MEGAFON]
    described = str(quote)
    assert "109 seconds of speech" in described and "4 minutes" in described
    assert "estimate" in described and "SMS parts" not in described

    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert sorted(m["parts"] for m in sandbox.messages()) == sorted(seconds)


def test_tinyurl_counts_each_link_as_a_short_one(sandbox):
    link = "https://example.org/catalogue/spring-sale?utm_source=sms&utm_campaign=2025"
    texts = ["a" * 130 + " " + link, "Скидка! " + link + " " + "я" * 40, "no link " * 30]
    contacts = pd.DataFrame({"phone": PHONES, "text": texts})
    long_plan = prepare(contacts, phone="phone", text="text")
    plan = prepare(contacts, phone="phone", text="text", tinyurl=1)
    assert long_plan["parts"].tolist() == [2, 2, 2]
    assert plan["parts"].tolist() == [1, 1, 2]  # 151 GSM characters, 68 UCS-2 ones
    assert len(short_link(link)) == SHORT_LINK_LENGTH == len(shorten_links(link))
    quote = _one_request_per_row(plan, sandbox)
    assert quote.table["cnt_agrees"].all() and quote.total_parts == 4


def test_tinyurl_with_translit_and_maxsms_agrees_with_the_sandbox(sandbox):
    rng = random.Random(13)
    words = ["Привет", "sale", "www.shop.ru/x", "http://a.b/" + "q" * 30, "Ёж", "{}", "😀"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 25))) for _ in range(40)]
    contacts = pd.DataFrame({"phone": [f"7916{1000000 + n}" for n in range(40)], "text": texts})
    for options in ({"tinyurl": 1}, {"tinyurl": 1, "translit": 1}, {"tinyurl": 1, "maxsms": 2}):
        plan = prepare(contacts, phone="phone", text="text", **options)
        quote = _one_request_per_row(plan, sandbox)
        assert quote.table["cnt_agrees"].all(), options


def test_binary_messages_count_bytes_in_parts_of_140_and_134(sandbox):
    page_ems = "050A0307056048656C6C6F2C20576F726C6421"  # the page's own example
    texts = [
        page_ems + "\n~~~\npid: 0, dcs: 4",  # the page's trailer: checked, not counted
        "00" + "41" * 140,  # 140 bytes after the zero that says "no UDH" (no data): one part
        "00" + "41" * 141,  # 141 bytes: 2 parts of 134
        "00" + "ab" * 300,  # 300 bytes: 3 parts
    ]
    contacts = pd.DataFrame({"phone": PHONES + ["79161234568"], "text": texts})
    plan = prepare(contacts, phone="phone", text="text", bin=2)
    assert plan["units"].tolist() == [19, 140, 141, 300]
    assert plan["parts"].tolist() == [1, 1, 2, 3]
    assert (plan["encoding"] == "binary").all() and plan["sendable"].all()
    quote = _one_request_per_row(plan, sandbox)
    assert quote.table["cnt_agrees"].all() and quote.total_parts == 7

    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert sorted(m["parts"] for m in sandbox.messages()) == [1, 1, 2, 3]


def test_bin_1_counts_characters_as_bytes(sandbox):
    contacts = pd.DataFrame({"phone": PHONES[:2], "text": ["\x00Hello", "\x00" + "z" * 200]})
    plan = prepare(contacts, phone="phone", text="text", bin=1)
    assert plan["units"].tolist() == [5, 200] and plan["parts"].tolist() == [1, 2]
    assert _one_request_per_row(plan, sandbox).table["cnt_agrees"].all()


def test_binary_messages_go_byte_for_byte_without_newline_or_nfc_rewriting(sandbox):
    crlf = "\x00" + "\r\n" * 71  # 142 bytes as given: 2 parts; rewritten to LF it would be 71
    # U+0301 is no byte, NFC or not; 0x98 a byte the UTF-8 form would send as two
    texts = [crlf, "\x00A\rB\r\n", "\x00e\u0301", "\x00\x98"]
    contacts = pd.DataFrame({"phone": PHONES + ["79161234568"], "text": texts})
    plan = prepare(contacts, phone="phone", text="text", bin=1)
    assert plan["text"].tolist()[:2] == texts[:2]
    assert plan["units"].tolist()[:2] == [142, 5] and plan["parts"].tolist()[:2] == [2, 1]
    for row in (2, 3):
        assert plan.loc[row, "problem"].startswith("bin=1: every character must be a byte up to")
        assert plan.loc[row, "problem"].endswith("write the message as hex with bin=2")
    quote = _quote_quietly(plan, sandbox)
    assert quote.table["cnt_agrees"].iloc[:2].all() and quote.total_parts == 3
    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    stored = {m["phone"]: m for m in sandbox.messages()}
    assert stored["79161234567"]["text"] == crlf and stored["79161234567"]["parts"] == 2
    assert stored["79037654321"]["text"] == texts[1]


def test_broken_binary_messages_are_row_problems_naming_the_rule(sandbox):
    texts = ["0048656C6C6", "00zz", "0548656C", "00AA\n~~~\npid: 300, dcs: 4", "0048656C6C6F"]
    contacts = pd.DataFrame({"phone": PHONES + ["79161234568", "79161234569"], "text": texts})
    plan = prepare(contacts, phone="phone", text="text", bin=2)
    problems = plan["problem"].tolist()
    assert problems[0] == problems[1] == "bin=2: the message must be pairs of hex digits (0-9, A-F)"
    assert problems[2] == "bin: the UDH length (first byte, 5) exceeds the message"
    assert problems[3].startswith("bin: after '\\n~~~\\n' the page's trailer 'pid: P, dcs: D'")
    assert plan["sendable"].tolist() == [False, False, False, False, True]
    assert not sandbox.requests
    with pytest.raises(ValidationError, match=r"^bin: must be 0 or 1 or 2"):
        prepare(contacts, phone="phone", text="text", bin=3)


def test_the_cli_estimates_an_hlr_campaign_without_a_text_column(sandbox, tmp_path, capsys):
    contacts = tmp_path / "numbers.csv"
    contacts.write_text("phone\n+79161234567\n+79031234567\n", encoding="utf-8")
    connection = ["--url", sandbox.url, "--login", "demo", "--password", "demo"]
    assert main(["estimate", str(contacts), "--phone", "phone", "--hlr", *connection]) == 0
    out = capsys.readouterr().out
    assert "HLR requests: 2" in out and f"Total cost: {MTS + BEELINE:.2f}" in out


def test_the_cli_preview_of_a_call_speaks_of_seconds_and_minutes(sandbox, tmp_path, capsys):
    contacts = tmp_path / "calls.csv"
    contacts.write_text("phone;text\n+79161234567;" + "Hello there. " * 10 + "\n", "utf-8")
    connection = ["--url", sandbox.url, "--login", "demo", "--password", "demo"]
    args = ["estimate", str(contacts), "--phone", "phone", "--text", "text", "--call"]
    assert main([*args, *connection]) == 0
    out = capsys.readouterr().out
    assert "seconds of speech: 9" in out and "1 minutes" in out and "SMS parts" not in out


def test_a_wap_push_without_a_link_and_a_title_is_a_row_problem(sandbox):
    texts = ["http://wap.ru\nWAP.RU", "http://wap.ru"]  # the page's example, and a bare link
    plan = prepare(pd.DataFrame({"phone": PHONES[:2], "text": texts}), phone="phone",
                   text="text", push=1)  # fmt: skip
    assert plan["sendable"].tolist() == [True, False]
    assert (
        plan.loc[1, "problem"]
        == "push=1 needs a link and a title separated by a newline (the page)"
    )
    assert _quote_quietly(plan, sandbox).table.loc[0, "cnt_agrees"]


def test_ping_with_a_sender_per_row_goes_as_list_lines_without_text(sandbox):
    contacts = pd.DataFrame({"phone": PHONES, "s": ["Shop", "Bar", "Shop"]})
    plan = prepare(contacts, phone="phone", sender="s", ping=1)
    [request] = payloads(plan)
    assert request.params["list"] == "Shop|79161234567,79210001122:\nBar|79037654321:"
    quote = _quote_quietly(plan, sandbox)
    assert quote.total_parts == 3 and quote.table["cnt_agrees"].all()


def test_maxsms_cuts_no_call_no_hlr_no_binary_and_the_quote_says_so(sandbox):
    long_text = "Your parcel is waiting at the pick-up point until Friday. " * 8  # 464 characters
    cases = [
        ({"call": 1}, long_text, "maxsms=1 cuts nothing: it limits SMS parts, and billed call"),
        ({"hlr": 1}, None, "maxsms=1 cuts nothing: it limits SMS parts, and HLR requests"),
        ({"bin": 2}, "00" + "41" * 300, "maxsms=1 cuts nothing: the page does not say SMSC"),
    ]
    for options, text, said in cases:
        contacts = pd.DataFrame({"phone": PHONES[:1], "text": [text]})
        plan = prepare(contacts, phone="phone", text="text" if text else None, maxsms=1,
                       **options)  # fmt: skip
        quote = _quote_quietly(plan, sandbox)
        assert quote.cut.empty and quote.table["cnt_agrees"].all(), options
        assert said in str(quote) and "cuts 1 message" not in str(quote), options
    assert quote.total_parts == 3  # the binary message is billed whole, as SMSC's cnt says


def test_the_cut_text_is_what_smsc_sends_after_translit_and_short_links(sandbox):
    link = "https://example.org/catalogue/spring-sale?utm_source=sms&utm_campaign=2025-spring"
    texts = [
        "Sale " + link + " " + "b" * 90,  # 177 characters, 117 with the link short: not cut
        "Распродажа! " + "Скидки на всё " * 14,  # cut after transliteration
        "Sale " + link + " " + "c" * 200,  # cut, the short link shown as SMSC counts it
    ]
    contacts = pd.DataFrame({"phone": PHONES, "text": texts})
    plan = prepare(contacts, phone="phone", text="text", maxsms=1, translit=1, tinyurl=1)
    quote = _quote_quietly(plan, sandbox)
    assert quote.cut.index.tolist() == [1, 2] and quote.table["cnt_agrees"].all()
    sent = quote.cut["sent_text"]
    assert sent[1].startswith("Rasprodazha! Skidki") and "<short link>" in sent[2]
    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    stored = {m["phone"]: m["text"] for m in sandbox.messages()}
    assert stored["79037654321"] == sent[1]  # the very text SMSC keeps
    assert len(stored["79210001122"]) == len(sent[2]) == 160
    assert stored["79161234567"].endswith("b" * 90)  # not cut


def test_mail_and_telegram_are_never_said_to_be_cut(sandbox):
    long_text = "Скидки на всё " * 20
    contacts = pd.DataFrame({"to": ["ann@example.org", "@ann_smith"], "text": [long_text] * 2})
    for options, row in (({"mail": 1, "subj": "News", "sender": "shop@example.org"}, 0),
                         ({"tg": 1}, 1)):  # fmt: skip
        plan = prepare(contacts.iloc[[row]], phone="to", text="text", maxsms=1, **options)
        quote = _quote_quietly(plan, sandbox)
        assert quote.cut.empty and quote.total_parts == 1
        assert "cuts nothing: it limits SMS parts" in str(quote)
