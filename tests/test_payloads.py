"""The list= codec: forms, limits, one phone per request, determinism, byte efficiency."""

from __future__ import annotations

import dataclasses
import math
import urllib.parse

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsc_frames.errors import ValidationError
from smsc_frames.formencoding import urlencoded_length
from smsc_frames.options import Options
from smsc_frames.payloads import CLIENT_PARAMS_MARGIN, decode_params, payloads, recipient_rows
from smsc_frames.phonetable import phone_table as library_phone_table


def make_plan(rows, sendable=None, index=None) -> pd.DataFrame:
    """A minimal plan from (phone, text, sender) tuples, with no send options."""
    phones, texts, senders = zip(*rows)
    plan = pd.DataFrame(
        {
            "phone": pd.Series(phones, dtype=object),
            "text": pd.Series(texts, dtype=object),
            "sender": pd.Series(senders, dtype=object),
            "parts": 1,
            "sendable": True if sendable is None else sendable,
        }
    ).set_axis(index if index is not None else range(len(rows)))
    plan.attrs["options"] = Options()
    return plan


def phone(n: int) -> str:
    return f"7916{n:07d}"


def carried(requests) -> list[tuple]:
    """Every (phone, text, sender) the requests carry, decoded."""
    frames = [decode_params(request.params) for request in requests]
    return sorted(map(tuple, pd.concat(frames).itertuples(index=False)), key=repr)


def expected(plan) -> list[tuple]:
    rows = plan.loc[plan["sendable"], ["phone", "text", "sender"]].astype(object)
    return sorted(map(tuple, rows.where(rows.notna(), None).itertuples(index=False)), key=repr)


def check_invariants(plan, requests, max_recipients=1000, max_bytes=262144):
    for request in requests:
        assert request.body_bytes == len(urllib.parse.urlencode(request.params))
        assert request.body_bytes + CLIENT_PARAMS_MARGIN <= max_bytes
        assert len(request.recipients) == len(set(request.recipients)) <= max_recipients
        decoded = decode_params(request.params)
        assert list(dict.fromkeys(decoded["phone"])) == list(request.recipients)
        assert request.params["id"] == request.id
    assert carried(requests) == expected(plan)


def test_one_text_goes_as_phones_and_mes_with_the_sender_param():
    plan = make_plan([(phone(1), "Sale", "Shop"), (phone(2), "Sale", "Shop")])
    [request] = payloads(plan, campaign_id="c")
    assert request.params == {
        "id": "c-1",
        "sender": "Shop",
        "phones": f"{phone(1)},{phone(2)}",
        "mes": "Sale",
    }
    assert request.messages == 2
    check_invariants(plan, [request])


def test_several_texts_share_a_list_with_one_line_per_text():
    plan = make_plan([(phone(1), "A", None), (phone(2), "B: x;y|z", None), (phone(3), "A", None)])
    [request] = payloads(plan, campaign_id="c")
    assert "sender" not in request.params and "phones" not in request.params
    assert request.params["list"] == f"{phone(1)},{phone(3)}:A\n{phone(2)}:B: x;y|z"
    check_invariants(plan, [request])


def test_differing_senders_are_line_prefixes_and_no_sender_param():
    plan = make_plan([(phone(1), "A", "Shop"), (phone(2), "A", "Bar"), (phone(3), "B", None)])
    [request] = payloads(plan, campaign_id="c")
    assert "sender" not in request.params
    assert request.params["list"].split("\n") == [
        f"Shop|{phone(1)}:A",
        f"Bar|{phone(2)}:A",
        f"{phone(3)}:B",
    ]
    check_invariants(plan, [request])


def test_one_sender_over_several_lines_is_the_sender_param():
    plan = make_plan([(phone(1), "A", "Shop"), (phone(2), "B", "Shop")])
    [request] = payloads(plan, campaign_id="c")
    assert request.params["sender"] == "Shop"
    assert "|" not in request.params["list"]


def test_newlines_are_written_as_backslash_n_in_list_lines():
    plan = make_plan([(phone(1), "Hi\nthere", None), (phone(2), "Bye", None)])
    [request] = payloads(plan, campaign_id="c")
    assert request.params["list"] == f"{phone(1)}:Hi\\nthere\n{phone(2)}:Bye"
    check_invariants(plan, [request])


def test_a_single_multiline_text_keeps_its_real_newline_in_mes():
    plan = make_plan([(phone(1), "Hi\nthere", None)])
    [request] = payloads(plan, campaign_id="c")
    assert request.params["mes"] == "Hi\nthere"
    check_invariants(plan, [request])


def test_literal_backslash_n_texts_go_in_their_own_plain_requests():
    literal = "path C:\\new\\notes"
    plan = make_plan(
        [
            (phone(1), literal, None),
            (phone(2), "A", None),
            (phone(3), literal, None),
            (phone(4), "B", None),
            (phone(5), "x\\n", "Shop"),
        ]
    )
    requests = payloads(plan, campaign_id="c")
    plain = [r for r in requests if "mes" in r.params and "\\n" in r.params["mes"]]
    assert [r.params["mes"] for r in plain] == [literal, "x\\n"]
    assert plain[0].params["phones"] == f"{phone(1)},{phone(3)}"
    assert all("\\n" not in r.params.get("list", "") for r in requests)
    assert len(requests) == 3
    check_invariants(plan, requests)


def test_same_phone_with_two_texts_goes_in_two_requests():
    plan = make_plan(
        [
            (phone(1), "A", None),
            (phone(2), "A", None),
            (phone(1), "B", None),
            (phone(1), "C", "Shop"),
        ]
    )
    requests = payloads(plan, campaign_id="c")
    assert len(requests) == 3
    ids_and_phones = [(r.id, p) for r in requests for p in r.recipients]
    assert len(ids_and_phones) == len(set(ids_and_phones)) == 4
    check_invariants(plan, requests)


def test_repeated_phones_fill_room_left_in_an_earlier_request():
    rows = [(phone(n), "Big", None) for n in range(5)] + [
        (phone(9), "Other", None),
        (phone(0), "Late", None),
    ]
    plan = make_plan(rows)
    requests = payloads(plan, campaign_id="c", max_recipients=4)
    assert len(requests) == 2  # 7 messages, 4 per request: phone 0's second text fits request 2
    check_invariants(plan, requests, max_recipients=4)


def test_a_phones_later_rows_go_in_layers_by_their_rank():
    rows = (
        [(phone(n), "G1", None) for n in (1, 2, 5, 6)]
        + [(phone(n), "G2", None) for n in (1, 7, 8)]
        + [(phone(n), "G3", None) for n in (1, 9)]
        + [(phone(2), "G4", None)]
    )
    plan = make_plan(rows).sample(frac=1.0, random_state=0)
    requests = payloads(plan, campaign_id="c")
    # phone 1's third text (layer 2) waits for phone 2's second (layer 1), ranked after it
    assert [r.params.get("list", r.params.get("phones")) for r in requests] == [
        f"{phone(1)},{phone(2)},{phone(5)},{phone(6)}:G1\n{phone(7)},{phone(8)}:G2\n{phone(9)}:G3",
        f"{phone(1)}:G2\n{phone(2)}:G4",
        phone(1),
    ]
    check_invariants(plan, requests)


def test_recipient_limit_splits_requests_and_the_count_is_minimal():
    plan = make_plan([(phone(n), "AB"[n % 2], None) for n in range(25)])
    requests = payloads(plan, campaign_id="c", max_recipients=10)
    assert len(requests) == math.ceil(25 / 10)
    assert [len(r.recipients) for r in requests] == [10, 10, 5]
    check_invariants(plan, requests, max_recipients=10)


def test_byte_limit_splits_requests_and_each_body_fits():
    plan = make_plan([(phone(n), f"Привет, клиент {n % 7}! " * 20, None) for n in range(300)])
    max_bytes = 6_000
    requests = payloads(plan, campaign_id="c", max_bytes=max_bytes)
    assert len(requests) > 1
    assert all(r.body_bytes + CLIENT_PARAMS_MARGIN <= max_bytes for r in requests)
    check_invariants(plan, requests, max_bytes=max_bytes)


def test_biggest_groups_come_first():
    plan = make_plan([(phone(0), "small", None)] + [(phone(n), "big", None) for n in range(1, 7)])
    [first, second] = payloads(plan, campaign_id="c", max_recipients=5)
    assert first.params["mes"] == "big" and len(first.recipients) == 5
    assert second.params["list"].split("\n") == [f"{phone(6)}:big", f"{phone(0)}:small"]


def test_only_sendable_rows_are_packed():
    plan = make_plan([(phone(1), "A", None), (phone(2), "A", None)], sendable=[True, False])
    [request] = payloads(plan, campaign_id="c")
    assert request.recipients == (phone(1),)
    assert payloads(plan.assign(sendable=False)) == []


def test_options_go_in_every_request_and_may_come_from_the_plan_attrs():
    plan = make_plan([(phone(n), f"T{n % 3}", None) for n in range(9)])
    plan.attrs["options"] = Options(translit=1, time="+30")
    requests = payloads(plan, max_recipients=4)
    assert all(r.params["translit"] == "1" and r.params["time"] == "+30" for r in requests)
    override = payloads(plan, Options(flash=1), max_recipients=4)
    assert all(r.params["flash"] == "1" and "translit" not in r.params for r in override)
    check_invariants(plan, requests, max_recipients=4)


def test_options_with_a_sender_are_refused():
    plan = make_plan([(phone(1), "A", None)])
    with pytest.raises(ValidationError, match="prepare") as caught:
        payloads(plan, Options(sender="Shop"))
    assert caught.value.parameter == "sender"


def test_ids_and_digests_are_deterministic_and_follow_the_content():
    plan = make_plan([(phone(n), f"T{n % 4}", None) for n in range(40)])
    first = payloads(plan, max_recipients=15)
    again = payloads(plan.copy(), max_recipients=15)
    assert [(r.id, r.digest, r.params) for r in first] == [
        (r.id, r.digest, r.params) for r in again
    ]
    campaign = first[0].id.rsplit("-", 1)[0]
    assert [r.id for r in first] == [f"{campaign}-{n}" for n in range(1, len(first) + 1)]
    changed = plan.copy()
    changed.loc[3, "text"] = "other"
    assert payloads(changed, max_recipients=15)[0].id.rsplit("-", 1)[0] != campaign
    with_options = payloads(plan, Options(flash=1), max_recipients=15)
    assert with_options[0].id.rsplit("-", 1)[0] != campaign
    assert len({r.digest for r in first}) == len(first)


@pytest.mark.parametrize(
    ("campaign_id", "words"),
    [
        ("spring sale", "A-Z a-z 0-9"),
        ("x" * 39, "within 40 characters"),
        ("", "A-Z a-z 0-9"),
    ],
)
def test_bad_campaign_ids_are_refused(campaign_id, words):
    plan = make_plan([(phone(1), "A", None)])
    with pytest.raises(ValidationError, match=words) as caught:
        payloads(plan, campaign_id=campaign_id)
    assert caught.value.parameter == "campaign_id"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"max_recipients": 0}, "max_recipients"),
        ({"max_bytes": 100}, "max_bytes"),
        ({"max_recipients": True}, "max_recipients"),
    ],
)
def test_bad_limits_are_refused(kwargs, parameter):
    with pytest.raises(ValidationError) as caught:
        payloads(make_plan([(phone(1), "A", None)]), **kwargs)
    assert caught.value.parameter == parameter


def test_a_message_too_big_for_max_bytes_is_refused_with_the_size_needed():
    plan = make_plan([(phone(1), "я" * 1000, None)])
    with pytest.raises(ValidationError, match="needs at least") as caught:
        payloads(plan, max_bytes=4000)
    assert caught.value.parameter == "max_bytes"
    needed = int(caught.value.rule.split("needs at least ")[1].split()[0])
    [request] = payloads(plan, max_bytes=needed)
    assert request.body_bytes + CLIENT_PARAMS_MARGIN <= needed


def test_a_plan_without_the_needed_columns_is_refused():
    with pytest.raises(ValidationError, match="prepare") as caught:
        payloads(pd.DataFrame({"phone": [phone(1)]}))
    assert caught.value.parameter == "plan"


def test_recipient_rows_maps_each_sendable_row_to_its_request():
    plan = make_plan(
        [
            (phone(1), "A", None),
            (phone(2), "B", "Shop"),
            (phone(1), "B", "Shop"),
            (phone(3), "A", None),
        ],
        sendable=[True, True, True, False],
        index=["w", "x", "y", "z"],
    )
    requests = payloads(plan, campaign_id="c")
    rows = recipient_rows(plan, requests)
    assert list(rows.index) == ["w", "x", "y", "z"]
    assert rows.loc["z", "payload_id"] is None
    for label in ["w", "x", "y"]:
        request = next(r for r in requests if r.id == rows.loc[label, "payload_id"])
        assert plan.loc[label, "phone"] in request.recipients
    assert rows.loc["w", "payload_id"] != rows.loc["y", "payload_id"]  # same phone twice


def test_urlencoded_length_matches_quote_plus():
    rng = np.random.default_rng(3)
    alphabet = list("aZ09 _.-~+&=%:\n\\|,;") + ["я", "€", "😀", "\u00a0", "\x00"]
    values = ["".join(rng.choice(alphabet, size=int(rng.integers(0, 40)))) for _ in range(500)]
    assert urlencoded_length(values).tolist() == [len(urllib.parse.quote_plus(v)) for v in values]


def test_payload_bytes_stay_within_five_percent_of_the_minimum_on_a_templated_campaign():
    rng = np.random.default_rng(11)
    n = 30_000
    names = np.array(["Анна", "Иван", "Ольга", "Пётр", "Мария", "Сергей"])
    promo = rng.integers(0, 300, n)
    texts = (
        pd.Series(names[rng.integers(0, len(names), n)]).str.cat(
            pd.Series(promo).astype(str), sep=", ваш промокод P"
        )
        + " даёт скидку 10% до конца недели!"
    )
    plan = pd.DataFrame(
        {
            "phone": pd.Series(rng.choice(10**7, n, replace=False))
            .astype(str)
            .str.zfill(7)
            .radd("7916")
            .astype(object),
            "text": texts.astype(object),
            "sender": None,
            "parts": 2,
            "sendable": True,
        }
    )
    plan.attrs["options"] = Options()
    requests = payloads(plan)
    distinct = plan["text"].unique()
    minimum = (
        int(plan["phone"].str.len().sum())
        + 3 * n  # phones and one separator each
        + int(urlencoded_length(distinct).sum())
        + 3 * len(distinct)  # each text once
    )
    total = sum(r.body_bytes for r in requests)
    assert total <= 1.05 * minimum
    assert len(requests) == math.ceil(n / 1000)  # the recipient limit binds, not the bytes
    assert sum(r.messages for r in requests) == 2 * n
    check_invariants(plan, requests)


def test_recipient_rows_of_payloads_without_rows_decodes_them():
    plan = make_plan(
        [
            (phone(1), "A", None),
            (phone(2), "B\nb", "Shop"),
            (phone(1), "B\nb", "Shop"),
            (phone(3), "A", None),
        ],
        sendable=[True, True, True, False],
        index=["w", "x", "y", "z"],
    )
    requests = payloads(plan, campaign_id="c", max_recipients=2)
    by_hand = [dataclasses.replace(r, rows=np.empty(0, dtype=np.int64)) for r in requests]
    pd.testing.assert_frame_equal(recipient_rows(plan, by_hand), recipient_rows(plan, requests))
    assert all(len(r.rows) == len(r.recipients) for r in requests)
    assert by_hand == requests  # rows say where messages came from, not what is sent


def test_recipient_rows_ignores_rows_that_do_not_fit_the_plan():
    plan = make_plan([(phone(1), "A", None), (phone(2), "A", None)])
    requests = payloads(plan, campaign_id="c")
    other = plan.iloc[::-1]  # same rows, other positions: matched by decoding
    rows = recipient_rows(other, requests)
    assert rows["payload_id"].tolist() == ["c-1", "c-1"]
    assert rows.index.tolist() == [1, 0]


def test_a_plan_sorted_another_way_packs_into_the_very_same_requests():
    rows = [(phone(n % 40), f"text {n % 7}", ("Shop", None)[n % 2]) for n in range(120)]
    plan = make_plan(rows)
    shuffled = plan.sample(frac=1.0, random_state=3)

    first = payloads(plan, max_recipients=25)
    second = payloads(shuffled, max_recipients=25)

    assert [(p.id, p.params, p.digest) for p in first] == [
        (p.id, p.params, p.digest) for p in second
    ]
    # each request still carries the rows of *its* plan: positions follow the shuffle
    for a, b in zip(first, second):
        assert list(plan.index[a.rows]) == list(shuffled.index[b.rows])


def reference_phone_table(phones: list[str]) -> tuple[list[int], list[int], list[bytes]]:
    """What phone_table must give, one phone at a time: keys as int() reads them all (else
    ranks), urlencoded sizes, and each phone's UTF-8 bytes padded with 0xFF to one more than the
    longest."""
    array = np.array(phones, dtype=object)
    try:
        keys = array.astype(np.int64).tolist()
    except (TypeError, ValueError, OverflowError):
        keys = pd.factorize(array, sort=True)[0].tolist()
    encoded = [phone.encode("utf-8") for phone in phones]
    width = max(map(len, encoded)) + 1
    sizes = [len(urllib.parse.quote_plus(phone)) for phone in phones]
    return keys, sizes, [e.ljust(width, b"\xff") for e in encoded]


def phone_table(phones: list[str]) -> tuple[list[int], list[int], list[bytes]]:
    table = library_phone_table(np.array(phones, dtype=object))
    rows = [row.tobytes() for row in table.utf8]
    return table.keys.tolist(), table.urlencoded_bytes.tolist(), rows


@pytest.mark.parametrize(
    "phones",
    [
        ["79161234567", "79031234567", "79161234567"],  # digits only, of one length: as bytes
        ["0079161234567", "0079031234567"],  # leading zeros: the same integers int() reads
        ["1" * 18, "9" * 18],  # the longest keys read without int()
        ["79161234567", "4930123456", "1"],  # several lengths: copied into rows by numpy
        ["9" * 18, "12", "1" * 17],  # several lengths, up to the longest
        ["9" * 19, "12"],  # several lengths, one too long for the arrays
        ["12", "345", "6"],  # several lengths, as many bytes as three of the first's
        ["+79161234567", "79161234567"],  # int() reads "+7...": one key for both
        ["", "79161234567"],  # int() refuses "": ranks
        ["9" * 19, "1" * 19],  # 19 digits overflow int64: ranks
        ["7916123456я", "79161234567"],  # not ASCII: ranks, two UTF-8 bytes for "я"
        ["７９", "79"],  # full-width digits: not ASCII, but int() reads them
        ["12,4", "1234"],  # one length with the separator inside: not digits only
        ["7916123456a", "79161234567"],  # one length, a letter
        ["þ", "ÿ", "7\x009"],  # UTF-8 bytes next to _CUT and _PAD, a NUL
    ],
)
def test_phone_table_gives_the_keys_sizes_and_bytes_of_reading_each_phone(phones):
    assert phone_table(phones) == reference_phone_table(phones)


@st.composite
def phone_lists(draw) -> list[str]:
    """Digit strings of one length (1 to 20) or of several, now and then with other text."""
    length = draw(st.integers(1, 20))
    digits = st.text(alphabet="0123456789", min_size=length, max_size=length)
    if draw(st.booleans()):
        digits = st.text(alphabet="0123456789", max_size=20)
    phones = draw(st.lists(digits, min_size=1, max_size=8))
    if draw(st.booleans()):
        other = draw(st.text(st.characters(blacklist_categories=("Cs",)), max_size=length + 1))
        phones.insert(draw(st.integers(0, len(phones))), other)
    return phones


@given(phone_lists())
def test_phone_table_matches_reading_each_phone_for_any_phones(phones):
    assert phone_table(phones) == reference_phone_table(phones)


def test_phones_of_other_lengths_and_forms_pack_as_their_integers():
    plan = make_plan(
        [("79161234567", "A", None), ("4930123456", "A", None), ("+79031234567", "B", None)]
    )
    [request] = payloads(plan, campaign_id="c")
    assert request.params["list"] == "4930123456,79161234567:A\n+79031234567:B"
    assert request.recipients == ("4930123456", "79161234567", "+79031234567")
    assert request.body_bytes == len(urllib.parse.urlencode(request.params))  # "+" is %2B


def test_phones_written_with_a_plus_or_letters_are_budgeted_as_urlencoded():
    plan = make_plan(
        [(f"+7916{n:07d}", f"text {n % 3}", None) for n in range(300)]
        + [(f"я{n}", "text 0", None) for n in range(50)]
    )
    max_bytes = 2 * CLIENT_PARAMS_MARGIN
    requests = payloads(plan, campaign_id="c", max_bytes=max_bytes)
    assert len(requests) > 1
    check_invariants(plan, requests, max_bytes=max_bytes)


def test_phones_with_any_characters_are_written_as_they_are():
    plan = make_plan(
        [
            ("þ1", "A", None),
            ("ÿ2", "A", None),
            ("7\x009", "B", None),
            ("", "B", "Shop"),
            ("7916,1", "C", None),
            ("7:9", "C", None),
        ]
    )
    [request] = payloads(plan, campaign_id="c")
    assert request.params["list"] == "7916,1,7:9:C\nþ1,ÿ2:A\nShop|:B\n7\x009:B"
    assert request.recipients == ("7916,1", "7:9", "þ1", "ÿ2", "", "7\x009")


def test_phones_of_one_length_holding_a_comma_or_colon_are_the_recipients_still():
    plan = make_plan([("7916123", "A", None), ("7916,12", "A", None), ("7916:12", "B", None)])
    [request] = payloads(plan, campaign_id="c")
    assert request.params["list"] == "7916,12,7916123:A\n7916:12:B"
    assert request.recipients == ("7916,12", "7916123", "7916:12")


def test_a_carriage_return_sends_its_text_as_phones_and_mes():
    plan = make_plan([(phone(1), "a\rb", None), (phone(2), "c", None)])
    requests = payloads(plan, campaign_id="c")
    assert [r.params.get("mes") for r in requests] == ["c", "a\rb"]
    check_invariants(plan, requests)


def test_a_phone_too_long_for_a_phone_is_refused_before_packing():
    plan = make_plan([("7" * 65, "A", None), ("79161234567", "A", None)])
    with pytest.raises(ValidationError, match="phone longer than 64 characters"):
        payloads(plan, campaign_id="c")
    [request] = payloads(make_plan([("+7 (916) " + "1" * 55, "A", None)]), campaign_id="c")
    assert request.recipients == ("+7 (916) " + "1" * 55,)
