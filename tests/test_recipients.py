"""Recipients that are not phones: G<n> groups, e-mail (mail=1), Telegram @nick / #ID (tg=1).

Each is recognised by its shape, never read as a broken phone, valid only with the kinds the
page allows it for (a row problem naming the rule otherwise), and quoted and sent over HTTP.
"""

from __future__ import annotations

import time
import warnings
from decimal import Decimal

import pandas as pd
import pytest
from send_helpers import FAST, FAST_LIMITS, client_for

from smsc_frames.campaign import estimate, send
from smsc_frames.cli import main
from smsc_frames.delivery import refresh_status
from smsc_frames.errors import ValidationError
from smsc_frames.options import Options
from smsc_frames.payloads import payloads
from smsc_frames.phones import normalize_phones
from smsc_frames.plan import prepare
from smsc_frames.recipients import KEY_OFFSET, apply_recipients, classify_recipients
from smsc_frames.sandbox import Account, SandboxSettings

MTS, BEELINE = Decimal("5.45"), Decimal("5.25")
GROUP = ["79161112233", "79031112233"]  # MTS, Beeline


@pytest.fixture
def grouped(make_sandbox):
    return make_sandbox(accounts=[Account("demo", "demo", groups={1: GROUP})])


def _quote(plan, sandbox):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a cnt disagreement would warn: make it fail
        return estimate(plan, client_for(sandbox))


def test_shapes_are_told_apart_once_per_distinct_cell():
    cells = pd.Series(["G12", " g7 ", "ann@example.org", "@ann_smith", "#4242", "@ab", "ann@",
                       "8 916 123-45-67", 79161234567, None, "Gosha 8916"])  # fmt: skip
    found = classify_recipients(cells)
    assert found["recipient_kind"].tolist() == [
        "group", "group", "email", "telegram", "telegram", "telegram", "email",
        "phone", "phone", "phone", "phone",
    ]  # fmt: skip
    assert found["recipient"].tolist()[:5] == [
        "G12",
        "G7",
        "ann@example.org",
        "@ann_smith",
        "#4242",
    ]
    assert found.loc[5, "problem"].startswith("not a Telegram nick")
    assert found.loc[6, "problem"].startswith("not an e-mail address")


def test_non_phone_recipients_are_never_reported_as_broken_phones():
    cells = pd.Series(["@ann_smith", "ann@example.org", "G3", "@ab"])
    phones = apply_recipients(normalize_phones(cells, keys=True), cells, Options())
    problems = phones["problem"].tolist()
    assert problems[0] == "a Telegram recipient (@nick, #ID) needs tg=1 or bot"
    assert problems[1] == "an e-mail address needs mail=1 (e-mail messages)"
    assert problems[2] is None and phones.loc[2, "phone"] == "G3" and phones.loc[2, "phone_ok"]
    assert problems[3].startswith("not a Telegram nick")
    assert not any("letters" in p or "short" in p for p in problems if p)
    assert phones.loc[2, "phone_key"] >= KEY_OFFSET


def test_a_group_is_sent_whole_and_priced_from_smsc_answer(grouped):
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "G1"], "text": ["Hi", "Hi"]})
    plan = prepare(contacts, phone="phone", text="text")
    assert plan["phone"].tolist() == ["79161234567", "G1"] and plan["sendable"].all()
    assert plan.loc[1, "region"] is None
    [request] = payloads(plan)
    assert request.params["phones"] == "79161234567,G1"

    quote = _quote(plan, grouped)
    assert quote.groups == 1 and quote.total_parts == 3  # SMSC counts the members
    assert quote.table["cost"].tolist() == [MTS, MTS + BEELINE]  # the group: the request's rest
    assert quote.table.loc[1, "operator"] == "group"
    assert quote.table["cnt_agrees"].isna().all()  # unknown locally, not "disagrees"
    assert "group(s) G<n> included" in str(quote)

    send(plan, client_for(grouped), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert sorted(m["phone"] for m in grouped.messages()) == sorted([*GROUP, "79161234567"])


def test_a_group_the_account_lacks_is_refused_by_smsc_row_by_row(grouped):
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "G9"], "text": ["Hi", "Hi"]})
    quote = _quote(prepare(contacts, phone="phone", text="text"), grouped)
    assert quote.table["sendable"].tolist() == [True, False]
    assert quote.table.loc[1, "problem"].startswith("SMSC: ")


def test_mail_sends_to_addresses_only_and_says_why_per_row(sandbox):
    cells = ["ann@example.org", "BOB@Example.org", "+7 916 123-45-67", "G1", "bob@example.org"]
    contacts = pd.DataFrame({"to": cells, "text": ["Hello"] * 5})
    plan = prepare(contacts, phone="to", text="text", mail=1, subj="News",
                   sender="shop@example.org")  # fmt: skip
    assert plan["sendable"].tolist() == [True, True, False, False, False]
    assert plan.loc[2, "problem"] == (
        "phone: mail=1 sends e-mail: give an e-mail address, not a phone number"
    )
    assert plan.loc[3, "problem"].startswith("phone: mail=1 sends e-mail: groups hold phone")
    assert plan.loc[4, "duplicate_of"] == 1  # addresses compare without case

    quote = _quote(plan, sandbox)
    assert quote.table["cost"].iloc[:2].tolist() == [Decimal("0.50")] * 2
    assert quote.table["operator"].iloc[:2].tolist() == ["e-mail"] * 2
    assert quote.table["cnt_agrees"].iloc[:2].all() and "2 e-mails" in str(quote)
    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert sorted(m["phone"] for m in sandbox.messages()) == ["BOB@Example.org", "ann@example.org"]


def test_options_take_an_e_mail_sender_with_mail_and_it_goes_over_the_wire(sandbox):
    opts = Options(mail=1, subj="News", sender="newsletter@shop.example.org")  # 27 characters
    contacts = pd.DataFrame({"to": ["ann@example.org", "bob@example.org"], "text": ["Hi"] * 2})
    plan = prepare(contacts, phone="to", text="text", options=opts)
    assert plan["sender"].tolist() == ["newsletter@shop.example.org"] * 2 and plan["sendable"].all()
    assert _quote(plan, sandbox).table["cnt_agrees"].all()
    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert {m["sender"] for m in sandbox.messages()} == {"newsletter@shop.example.org"}
    with pytest.raises(ValidationError, match=r"^sender: with mail=1 must be an e-mail address"):
        Options(mail=1, subj="News", sender="Shop")
    with pytest.raises(ValidationError, match=r"an e-mail address is a sender only with mail=1"):
        Options(sender="newsletter@shop.example.org")


def test_mail_needs_a_subject_and_a_sender_address_before_any_request(sandbox):
    contacts = pd.DataFrame({"to": ["ann@example.org"], "text": ["Hello"]})
    with pytest.raises(ValidationError, match=r"^subj: is required with mail=1"):
        prepare(contacts, phone="to", text="text", mail=1, sender="shop@example.org")
    with pytest.raises(ValidationError, match=r"^sender: is required with mail=1"):
        prepare(contacts, phone="to", text="text", mail=1, subj="News")
    with pytest.raises(ValidationError, match=r"^sender: with mail=1 must be an e-mail"):
        prepare(contacts, phone="to", text="text", mail=1, subj="News", sender="Shop")
    assert not sandbox.requests


@pytest.mark.parametrize("kind", [{"tg": 1}, {"bot": "@shop_bot"}])
def test_telegram_nicks_and_ids_go_with_tg_or_a_bot(sandbox, kind):
    cells = ["@ann_smith", "#123456789", "+7 916 123-45-67", "@ab", "ann@example.org"]
    contacts = pd.DataFrame({"to": cells, "text": ["Code 1234"] * 5})
    plan = prepare(contacts, phone="to", text="text", **kind)
    assert plan["phone"].tolist()[:3] == ["@ann_smith", "#123456789", "79161234567"]
    assert plan["sendable"].tolist() == [True, True, True, False, False]
    assert plan.loc[3, "problem"].startswith("phone: not a Telegram nick")
    assert plan.loc[4, "problem"] == "phone: an e-mail address needs mail=1 (e-mail messages)"

    quote = _quote(plan, sandbox)
    assert quote.table["cost"].iloc[:3].tolist() == [Decimal("1.00"), Decimal("1.00"), MTS]
    assert quote.table["operator"].iloc[:2].tolist() == ["Telegram", "Telegram"]
    assert quote.table["cnt_agrees"].iloc[:3].all()
    send(plan, client_for(sandbox), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert {m["phone"] for m in sandbox.messages()} == {"@ann_smith", "#123456789", "79161234567"}


def test_telegram_recipients_without_tg_are_a_clear_row_problem():
    contacts = pd.DataFrame({"to": ["@ann_smith", "#77"], "text": ["Hi", "Hi"]})
    plan = prepare(contacts, phone="to", text="text")
    assert (
        plan["problem"].tolist()
        == ["phone: a Telegram recipient (@nick, #ID) needs tg=1 or bot"] * 2
    )
    assert not plan["sendable"].any()


def test_send_results_price_a_group_row_and_say_smsc_reports_its_members(grouped):
    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "G1"], "text": ["Hi", "Hi"]})
    plan = prepare(contacts, phone="phone", text="text")
    results = send(plan, client_for(grouped), progress=False, retry=FAST, limits=FAST_LIMITS)
    assert results["outcome"].tolist() == ["sent", "sent"]
    assert results["cost"].tolist() == [MTS, MTS + BEELINE]
    assert "SMSC reports their numbers, never G<n>" in results.loc[1, "reason"]


@pytest.mark.parametrize("phones", [["G1"], ["G1", "+7 916 123-45-67"]])
def test_a_lost_answer_never_sends_a_group_twice(make_sandbox, tmp_path, phones):
    settings = SandboxSettings(duplicate_window=1.5, status_list_window=0.1,
                               seconds_to_operator=0.05, seconds_to_final=0.15)  # fmt: skip
    sandbox = make_sandbox(accounts=[Account("demo", "demo", groups={1: GROUP})],
                           settings=settings)  # fmt: skip
    plan = prepare(pd.DataFrame({"phone": phones, "text": ["Hi"] * len(phones)}),
                   phone="phone", text="text")  # fmt: skip
    sandbox.inject("drop_after_accept")
    journal = tmp_path / "campaign.journal"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown outcome warns
        for _ in range(2):  # the second run resumes from the journal
            results = send(plan, client_for(sandbox), journal=journal, progress=False,
                           retry=FAST, limits=FAST_LIMITS)  # fmt: skip
    stored = [message["phone"] for message in sandbox.messages()]
    assert sorted(stored) == sorted(GROUP + ["79161234567"] * (len(phones) - 1))  # once each
    # status.php never knows G1 itself: alone it stays unknown, beside a found number it is sent
    assert results.loc[0, "outcome"] == ("unknown" if len(phones) == 1 else "sent")


def test_delivery_statuses_are_read_for_telegram_recipients_and_never_asked_of_a_group(
    make_sandbox,
):
    settings = SandboxSettings(status_list_window=0.1, seconds_to_operator=0.05,
                               seconds_to_final=0.15)  # fmt: skip
    sandbox = make_sandbox(accounts=[Account("demo", "demo", groups={1: GROUP})],
                           settings=settings)  # fmt: skip
    cells = ["G1", "+7 916 123-45-67", "@ann_smith", "#4242"]
    plan = prepare(pd.DataFrame({"to": cells, "text": ["Code 1"] * 4}), phone="to", text="text",
                   tg=1)  # fmt: skip
    client = client_for(sandbox)
    results = send(plan, client, progress=False, retry=FAST, limits=FAST_LIMITS)
    time.sleep(0.3)  # past seconds_to_final
    refreshed = refresh_status(results, client, limits=FAST_LIMITS)
    assert refreshed["status_name"].tolist() == ["waiting", "delivered", "delivered", "delivered"]
    asked = [r.params["phone"] for r in sandbox.requests if r.endpoint == "status.php"]
    assert asked and not any("G1" in phones for phones in asked)


def test_telegram_nicks_repeat_whatever_their_case():
    contacts = pd.DataFrame({"to": ["@Ann_Smith", "@ann_smith", "#12", "#12"], "text": ["Hi"] * 4})
    plan = prepare(contacts, phone="to", text="text", tg=1)
    assert plan["duplicate_of"].tolist() == [None, 0, None, 2]


def test_the_cli_sends_an_e_mail_campaign(sandbox, tmp_path, capsys):
    contacts = tmp_path / "mail.csv"
    contacts.write_text("to;text\nann@example.org;Hello\n+79161234567;Hello\n", "utf-8")
    args = ["send", str(contacts), "--phone", "to", "--text", "text", "--mail", "--subj", "News",
            "--sender", "shop@example.org", "--yes", "--out", str(tmp_path / "r.csv"),
            "--url", sandbox.url, "--login", "demo", "--password", "demo"]  # fmt: skip
    assert main(args) == 0
    assert [m["phone"] for m in sandbox.messages()] == ["ann@example.org"]
    assert "e-mails:    1" in capsys.readouterr().out
