"""``status.php`` and ``balance.php``: what the sandbox knows of a message, and of an account.

Examples
--------
>>> from smsc_frames.sandbox.settings import SandboxSettings, default_accounts
>>> from smsc_frames.sandbox.state import State
>>> state = State(default_accounts(), SandboxSettings())
>>> context = RequestContext(ip="127.0.0.1", fmt=3, concurrent=1)
>>> handle_balance(state, {"login": "demo", "psw": "demo", "cur": "1"}, context)
'{"balance": "1000.00", "currency": "RUR"}'
>>> handle_status(state, {"login": "demo", "psw": "demo", "id": "7", "phone": "79161234567"},
...               context)  # doctest: +ELLIPSIS
'{"status": -3, "last_date": "...", "last_timestamp": ..., "err": 0}'
"""

from __future__ import annotations

from smsc_frames.sandbox.codes import (
    DELETE_FAILED,
    TOO_MANY_CONCURRENT,
    ErrorAnswer,
    parameter_error,
)
from smsc_frames.sandbox.context import RequestContext, money, moscow_date, small_int
from smsc_frames.sandbox.formats import render_fields, render_status
from smsc_frames.sandbox.listcodec import normalize_phone
from smsc_frames.sandbox.sendparams import CREDENTIALS, message_id
from smsc_frames.sandbox.state import State, StoredMessage
from smsc_frames.sandbox.statusrecord import STATUS_FIELDS, status_record

STATUS_PARAMS = CREDENTIALS | {"phone", "id", "all", "fmt", "charset", "del"}
BALANCE_PARAMS = CREDENTIALS | {"fmt", "charset", "cur"}


def _pairs(params: dict[str, str]) -> tuple[list[tuple[str, str]], bool]:
    """The (id, phone) pairs asked for, and whether the list form was used."""
    for name in ("phone", "id"):
        if not params.get(name):
            raise parameter_error(name)
    ids, phones = params["id"].split(","), params["phone"].split(",")
    as_list = len(ids) > 1 or len(phones) > 1
    if as_list and ids[-1] == "" and phones[-1] == "":
        ids, phones = ids[:-1], phones[:-1]
    if len(ids) != len(phones) or not all(ids):
        raise parameter_error("id")
    if not all(phones):
        raise parameter_error("phone")
    pairs = [
        (message_id(sms_id.strip()), phone.strip())
        for sms_id, phone in zip(ids, phones, strict=True)
    ]
    return [(sms_id, normalize_phone(phone) or phone) for sms_id, phone in pairs], as_list


def _status_record(
    message: StoredMessage | None, level: int, now: float, dates: dict[float, str]
) -> list[tuple[str, object]]:
    if message is None:
        return [
            ("status", -3),
            ("last_date", moscow_date(now)),
            ("last_timestamp", int(now)),
            ("err", 0),
        ]
    return status_record(message, STATUS_FIELDS[level], now=now, dates=dates)


def handle_status(state: State, params: dict[str, str], context: RequestContext) -> str:
    """``/sys/status.php``: one message or a list, ``all=0/1/2``, ``del=1``."""
    account = state.authenticate(params, context.ip)
    settings = state.settings
    if context.concurrent >= settings.max_concurrent_status:
        raise ErrorAnswer(9, TOO_MANY_CONCURRENT)
    unknown = sorted(set(params) - STATUS_PARAMS)
    if unknown:
        raise parameter_error(", ".join(unknown))
    level = small_int(params, "all", 3)
    delete = small_int(params, "del", 2) == 1
    pairs, as_list = _pairs(params)
    with state.lock:
        found = [state.find(account.login, sms_id, phone) for sms_id, phone in pairs]
        if delete:
            if any(message is None for message in found):
                raise ErrorAnswer(5, DELETE_FAILED)
            for sms_id, phone in pairs:
                state.delete(account.login, sms_id, phone)
            return render_fields(context.fmt, [("result", "OK")], state.reading)
        if as_list:
            limited = state.hit(
                ("status_list", account.login),
                settings.status_lists_per_window,
                settings.status_list_window,
            )
        else:
            limited = state.hit(
                ("status_check", account.login, *pairs[0]),
                settings.status_checks_per_message,
                settings.status_check_window,
            )
        if limited:
            raise ErrorAnswer(9)
        now = state.clock()
        dates: dict[float, str] = {}
        records = [_status_record(message, level, now, dates) for message in found]
    if as_list:
        records = [
            [("id", sms_id), ("phone", phone), *(field for field in record if field[0] != "phone")]
            for (sms_id, phone), record in zip(pairs, records, strict=True)
        ]
    return render_status(context.fmt, records, as_list=as_list, reading=state.reading)


# -- balance.php ------------------------------------------------------------------------------
def handle_balance(state: State, params: dict[str, str], context: RequestContext) -> str:
    """``/sys/balance.php``: the balance, with ``cur=1`` also the currency (``RUR``)."""
    account = state.authenticate(params, context.ip)
    settings = state.settings
    unknown = sorted(set(params) - BALANCE_PARAMS)
    if unknown:
        raise parameter_error(", ".join(unknown))
    with_currency = small_int(params, "cur", 2) == 1
    if state.hit(
        ("balance", account.login), settings.balance_requests_per_window, settings.balance_window
    ):
        raise ErrorAnswer(9)
    fields: list[tuple[str, object]] = [("balance", money(state.balance(account.login)))]
    if with_currency:
        fields.append(("currency", "RUR"))
    return render_fields(context.fmt, fields, state.reading)
