"""Pure parsing of fmt=3 answers, on the literal JSON of the SMSC API digest."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsc_frames import errors
from smsc_frames.operators import OPERATOR_NAMES, operator_names
from smsc_frames.responses import (
    ERROR_NAMES,
    PHONE_KEYS,
    STATUS_NAMES,
    _decimal_column,
    _int_column,
    _text_column,
    parse_balance,
    parse_send,
    parse_status,
    phone_rows,
    phones_frame,
    raise_for_error,
    status_names,
    to_decimal,
)
from smsc_frames.sandbox.pricing import PriceTable


def from_wire(text: str):
    """Decode like the client does: decimals never pass through float."""
    return json.loads(text, parse_float=Decimal)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ('{"id": 1234, "cnt": 2}', ("1234", 2, None, None)),
        ('{"cost": "1.40", "cnt": 2}', (None, 2, Decimal("1.40"), None)),
        ('{"id": 1234, "cnt": 2, "cost": "1.40"}', ("1234", 2, Decimal("1.40"), None)),
        (
            '{"id": 1234, "cnt": 2, "cost": "1.40", "balance": "100.50"}',
            ("1234", 2, Decimal("1.40"), Decimal("100.50")),
        ),
        ('{"id": "camp-7", "cnt": 1}', ("camp-7", 1, None, None)),
    ],
)
def test_parse_send_every_cost_mode(wire, expected):
    answer = parse_send(from_wire(wire))
    assert (answer.id, answer.cnt, answer.cost, answer.balance) == expected
    assert answer.phones is None


def test_parse_send_with_op_gives_the_phones_frame():
    wire = """{"id": 1234, "cnt": 3, "cost": "1.40", "balance": "98.60", "phones": [
        {"phone": "79991234567", "mccmnc": "25001", "cost": "0.70", "status": "", "error": ""},
        {"phone": "79261234567", "mccmnc": "25002", "cost": "0.70", "status": "", "error": ""},
        {"phone": "7999", "mccmnc": "", "cost": "0", "status": "22", "error": "249"}]}"""
    answer = parse_send(from_wire(wire))
    frame = answer.phones
    assert list(frame.columns) == ["phone", "mccmnc", "cost", "status", "error"]
    assert frame["phone"].tolist() == ["79991234567", "79261234567", "7999"]
    assert frame["mccmnc"].tolist()[:2] == ["25001", "25002"]
    assert frame["mccmnc"].isna().tolist() == [False, False, True]
    assert frame["cost"].tolist() == [Decimal("0.70"), Decimal("0.70"), Decimal("0")]
    assert sum(frame["cost"]) == answer.cost
    assert str(frame["status"].dtype) == "Int64" and str(frame["error"].dtype) == "Int64"
    assert frame["status"].isna().tolist() == [True, True, False]
    assert frame.loc[2, "status"] == 22 and frame.loc[2, "error"] == 249


def test_phones_frame_accepts_numbers_instead_of_strings():
    frame = phones_frame([{"phone": 79991234567, "mccmnc": 25001, "cost": "1.5", "status": 0}])
    assert frame.loc[0, "phone"] == "79991234567" and frame.loc[0, "mccmnc"] == "25001"
    assert frame.loc[0, "status"] == 0 and pd.isna(frame.loc[0, "error"])


def test_phones_frame_of_many_answers_parses_each_cost_exactly():
    rows = [
        {"phone": f"7999000000{i % 10}", "mccmnc": "25001", "cost": cost, "status": "", "error": ""}
        for i, cost in enumerate(["0.70", "1.40", "0.70", "", None, 2, "3.0"])
    ]
    frame = phones_frame(rows)
    assert frame["cost"].tolist() == [
        Decimal("0.70"),
        Decimal("1.40"),
        Decimal("0.70"),
        None,
        None,
        Decimal("2"),
        Decimal("3.0"),
    ]
    assert frame["cost"].dtype == object and str(frame["status"].dtype) == "Int64"
    assert frame["status"].isna().all() and str(frame["phone"].dtype) == "str"


# What a number's fields may hold on the wire, with values of different types that compare equal.
_TEXTS = ["", "1", "25001", "x", 1, True, 1.0, 0, False, None]
_CODES = ["", "0", "1", "22", 0, 1, 22, True, False, None, "x"]
_COSTS = ["", "0.70", "1", "1.0", 1, 1.0, 0, None]
_WIRE_VALUES = {
    "phone": _TEXTS,
    "mccmnc": _TEXTS,
    "cost": _COSTS,
    "status": _CODES,
    "error": _CODES,
}


@given(st.lists(st.fixed_dictionaries({}, optional={key: st.sampled_from(values)
                                                    for key, values in _WIRE_VALUES.items()}),
                max_size=30))  # fmt: skip
def test_phones_frame_converts_repeated_values_as_whole_columns_would(rows):
    """Columns are converted once per distinct value: the frame must be the one the column
    converters give for the whole column."""

    def whole_columns():
        raw = {key: pd.Series([row.get(key) for row in rows], dtype=object) for key in PHONE_KEYS}
        return pd.DataFrame(
            {
                "phone": _text_column(raw["phone"]),
                "mccmnc": _text_column(raw["mccmnc"]),
                "cost": _decimal_column(raw["cost"]),
                "status": _int_column(raw["status"]),
                "error": _int_column(raw["error"]),
            }
        )

    try:
        expected = whole_columns()
    except (errors.SmscConnectionError, TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            phones_frame(rows)
        return
    pd.testing.assert_frame_equal(phones_frame(rows), expected, check_exact=True)


def test_phones_frame_of_no_numbers_has_the_columns():
    frame = phones_frame([])
    assert list(frame.columns) == ["phone", "mccmnc", "cost", "status", "error"]
    assert len(frame) == 0


def test_a_bad_cost_or_phones_list_is_a_malformed_answer():
    with pytest.raises(errors.SmscConnectionError) as caught:
        phones_frame([{"phone": "79991234567", "cost": "1,40"}])
    assert caught.value.maybe_sent is True
    with pytest.raises(errors.SmscConnectionError):
        phone_rows({"id": 1, "cnt": 1, "phones": ["79991234567"]})
    assert phone_rows({"id": 1, "cnt": 1}) == []


@pytest.mark.parametrize("code", range(1, 10))
def test_every_error_answer_raises_its_exception(code):
    plain = from_wire(f'{{"error": "description", "error_code": {code}}}')
    with pytest.raises(errors.API_ERRORS[code]) as caught:
        parse_send(plain)
    assert caught.value.code == code and caught.value.sms_id is None
    assert caught.value.message == "description"


@pytest.mark.parametrize("code", [3, 6, 7, 8])
def test_errors_with_an_id_keep_it(code):
    with_id = from_wire(f'{{"error": "description", "error_code": {code}, "id": 1234}}')
    with pytest.raises(errors.API_ERRORS[code]) as caught:
        raise_for_error(with_id)
    assert caught.value.sms_id == "1234"


def test_status_and_balance_errors_raise_too():
    with pytest.raises(errors.DuplicateRequestError):
        parse_status({"error": "duplicate request, wait a minute", "error_code": 9})
    with pytest.raises(errors.AuthError):
        parse_balance({"error": "authorise error", "error_code": 2})


def test_malformed_send_answer_is_a_maybe_sent_connection_error():
    with pytest.raises(errors.SmscConnectionError) as caught:
        parse_send({"id": 1})
    assert caught.value.maybe_sent is True
    with pytest.raises(errors.SmscConnectionError):
        parse_send({"cnt": 1, "cost": "1,40"})


def test_money_is_exact_without_float():
    costs = [to_decimal("0.10")] * 3
    assert sum(costs) == Decimal("0.30")
    assert to_decimal("") is None and to_decimal(None) is None
    assert to_decimal(Decimal("2.5")) == Decimal("2.5")


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_decimal_strings_round_trip(amount):
    assert to_decimal(str(amount)) == amount
    assert parse_balance({"balance": str(amount)}) == amount


def test_parse_status_single_form():
    wire = (
        '{"status": 1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052, "err": 0}'
    )
    frame = parse_status(from_wire(wire))
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["status"] == 1 and row["status_name"] == "delivered" and row["err"] == 0
    assert row["last_date"] == pd.Timestamp(2016, 10, 18, 15, 34, 12)
    assert row["last_timestamp"] == 1476794052
    assert pd.isna(row["id"]) and pd.isna(row["phone"])


def test_parse_status_list_form_with_all_1_fields():
    wire = """[
      {"id": "c1-1", "phone": "79991234567", "status": 1, "err": 0,
       "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052,
       "send_date": "18.10.2016 15:30:00", "send_timestamp": 1476793800,
       "cost": "1.40", "sender_id": "SMSC.RU", "status_name": "Доставлено",
       "message": "Привет", "comment": "", "type": 0},
      {"id": "c1-1", "phone": "+79261234567", "status": 20, "err": 1,
       "last_date": "18.10.2016 15:35:00", "last_timestamp": 1476794100,
       "cost": "1.40"},
      {"id": 77, "phone": "79990000000", "status": -3}
    ]"""
    frame = parse_status(from_wire(wire))
    assert frame["id"].tolist() == ["c1-1", "c1-1", "77"]
    assert frame["phone"].tolist() == ["79991234567", "79261234567", "79990000000"]
    assert frame["status"].tolist() == [1, 20, -3]
    assert frame["status_name"].tolist() == ["delivered", "undeliverable", "not found"]
    assert frame["err"].tolist()[:2] == [0, 1] and pd.isna(frame.loc[2, "err"])
    assert pd.isna(frame.loc[2, "last_date"])
    assert frame.loc[0, "send_date"] == pd.Timestamp(2016, 10, 18, 15, 30)
    assert frame["cost"].tolist()[:2] == [Decimal("1.40"), Decimal("1.40")]
    assert frame.loc[2, "cost"] is None
    assert frame.loc[0, "status_text"] == "Доставлено" and frame.loc[0, "message"] == "Привет"


def test_parse_status_empty_list_keeps_the_columns():
    frame = parse_status([])
    assert frame.empty
    assert {"id", "phone", "status", "status_name", "err", "last_date"} <= set(frame.columns)


def test_status_names_cover_the_spec_table():
    assert STATUS_NAMES[-3] == "not found" and STATUS_NAMES[25] == "unreachable"
    assert set(STATUS_NAMES) == {-3, -2, -1, 0, 1, 2, 3, 4, 20, 22, 23, 24, 25}
    names = status_names(pd.Series([0, 23, 42], dtype="Int64", index=["a", "b", "c"]))
    assert names.to_dict() == {"a": "with operator", "b": "forbidden", "c": "status 42"}


def test_error_names_cover_the_spec_list():
    assert ERROR_NAMES[249] == "invalid number format"
    assert ERROR_NAMES[200].startswith("virtual send")
    assert {0, 1, 6, 11, 12, 13, 21, 200, 219, 220} | set(range(241, 256)) == set(ERROR_NAMES)


def test_operator_names_keep_index_and_unknown_codes():
    codes = pd.Series(
        ["25001", "25002", "25099", "25020", "25011", "25035", "12345", None],
        index=list("abcdefgh"),
    )
    names = operator_names(codes)
    assert names.index.tolist() == list("abcdefgh")
    assert names.tolist()[:7] == ["MTS", "MegaFon", "Beeline", "T2", "Yota", "Motiv", "12345"]
    assert pd.isna(names["h"])
    assert len(OPERATOR_NAMES) >= 30
    assert all(code.isdigit() and len(code) in (5, 6) for code in OPERATOR_NAMES)


def test_operator_names_cover_germany_and_common_european_networks():
    codes = pd.Series(["26201", "26202", "26203", "26207", "23415", "20801", "22201", "26001"])
    assert operator_names(codes).tolist() == [
        "Telekom",
        "Vodafone DE",
        "O2 DE (Telefónica)",
        "O2 DE (Telefónica)",
        "Vodafone UK",
        "Orange France",
        "TIM",
        "Plus",
    ]


def test_every_mccmnc_the_sandbox_routes_to_has_a_name():
    routed = {route.mccmnc for route in PriceTable.load().routes() if route.mccmnc}
    assert routed <= set(OPERATOR_NAMES)
