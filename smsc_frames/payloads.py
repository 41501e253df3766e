"""The compact ``list=`` codec: a plan's sendable rows packed into as few requests as possible.

Rows with the same ``(sender, text)`` share one ``phones:text`` line (phones joined by ``,``);
a request holding one such line goes as plain ``phones`` + ``mes``. One sender for a whole
request becomes the ``sender`` parameter; otherwise each line with a sender is written
``sender|phones:text``. A newline inside a text is written as the two characters ``\\n``. A text
that already holds a backslash followed by ``n`` (or a carriage return) cannot be written
unambiguously in a ``list=`` line, so its rows go in plain ``phones`` + ``mes`` requests of
their own. A phone never appears twice in one request, so ``(id, phone)`` names one message.

Packing is greedy: groups of rows sharing a line, biggest first, fill each request up to
``max_recipients`` recipients and ``max_bytes`` of form body; a group that does not fit
continues in the next request (its text written once more). Repeated phones (same phone, other
text) are moved to later "layers" so they never meet in one request.

``max_bytes`` bounds the whole POST body the client sends: the urlencoded ``params`` plus
:data:`CLIENT_PARAMS_MARGIN` bytes kept free for what the client adds (``login``/``psw`` or
``apikey``, ``charset``, ``fmt``, ``cost``, ``op``).

This module is the entry point; the work is done apart: which rows go in which request, the
budgets and the ids in :mod:`smsc_frames.batching` (phones as arrays in
:mod:`smsc_frames.phonetable`), how a request is written, digested and read back in
:mod:`smsc_frames.wireformat` (:class:`Payload` and :func:`decode_params` live there and are
importable from here).

Examples
--------
>>> import pandas as pd
>>> plan = pd.DataFrame({
...     "phone": ["79161234567", "79031234567", "79261234567"],
...     "text": ["Sale today", "Sale today", "Hi Ann,\\nsee you"],
...     "sender": [None, None, None], "parts": [1, 1, 1], "sendable": [True, True, True]})
>>> from smsc_frames.options import Options
>>> [request] = payloads(plan, Options(), campaign_id="spring")  # hand-built: say the options
>>> request.id, request.recipients
('spring-1', ('79031234567', '79161234567', '79261234567'))
>>> print(request.params["list"])
79031234567,79161234567:Sale today
79261234567:Hi Ann,\\nsee you
>>> decode_params(request.params)["text"].tolist()
['Sale today', 'Sale today', 'Hi Ann,\\nsee you']
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from smsc_frames.batching import (
    DEFAULT_ID_LENGTH,
    FORM_RESERVE,
    check_campaign_id,
    default_campaign_id,
    group_table,
    order_rows,
    split_requests,
)
from smsc_frames.batching import sendable_rows as _sendable_rows
from smsc_frames.errors import ValidationError
from smsc_frames.messagekinds import textless
from smsc_frames.options import Options, validate_message_id
from smsc_frames.planoptions import plan_options
from smsc_frames.wireformat import (
    ListParams,
    Payload,
    build_requests,
    decode_params,
    distinct_senders,
    distinct_texts,
    fixed_params,
    params_hash,
)

__all__ = [
    "CLIENT_PARAMS_MARGIN",
    "Payload",
    "campaign_id",
    "decode_params",
    "check_payloads",
    "payloads",
    "recipient_rows",
]

CLIENT_PARAMS_MARGIN = 512
"""Bytes of form body kept free for the parameters the client adds to every request:
``&login=`` + ``&psw=`` (or ``&apikey=``) with up to ~150 urlencoded bytes of credentials, and
``&charset=utf-8&fmt=3&cost=3&op=1&err=1`` (38 bytes); 512 leaves ample room."""


def _check_limits(max_recipients: object, max_bytes: object) -> None:
    for name, value, low in (
        ("max_recipients", max_recipients, 1),
        ("max_bytes", max_bytes, CLIENT_PARAMS_MARGIN + 64),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValidationError(name, f"must be an integer >= {low}", value)


def _campaign_options(plan: pd.DataFrame, options: Options | None) -> Options:
    options = plan_options(plan, options)
    if options.sender is not None:
        raise ValidationError(
            "sender",
            "comes from the plan's sender column; pass it to prepare(sender=...)",
            options.sender,
        )
    return options


def payloads(
    plan: pd.DataFrame,
    options: Options | None = None,
    *,
    campaign_id: str | None = None,
    max_recipients: int = 1000,
    max_bytes: int = 262144,
) -> list[Payload]:
    """Pack the plan's sendable rows into the fewest ``send.php`` requests.

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare` (columns ``phone``, ``text``, ``sender``,
        ``parts``, ``sendable``); only sendable rows are packed.
    options : Options, optional
        The campaign's parameters, added to every request; default ``plan.attrs["options"]``.
    campaign_id : str, optional
        Prefix of the request ids ``"{campaign_id}-{n}"``; default a 12-hex-digit hash of the
        requests' contents (so of the sendable rows, the options and the limits, but not of
        the rows' order): the same plan, however sorted, always gets the same ids.
    max_recipients : int
        Recipients per request at most.
    max_bytes : int
        Form body per request at most, :data:`CLIENT_PARAMS_MARGIN` of it kept for the client.

    Returns
    -------
    list of Payload
        In sending order (biggest groups first).

    Raises
    ------
    ValidationError
        For bad limits, a bad ``campaign_id``, ``options`` carrying a sender, or a message
        too long to fit ``max_bytes`` with one recipient.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79161234567", "79031234567"],
    ...                      "text": ["Hello", "Bye", "Hello"], "sender": ["Shop", "Shop", "Bar"],
    ...                      "parts": [1, 1, 1], "sendable": [True, True, True]})
    >>> for request in payloads(plan, Options(), campaign_id="c1"):
    ...     print(request.id, request.params)
    c1-1 {'id': 'c1-1', 'list': 'Bar|79031234567:Hello\\nShop|79161234567:Bye'}
    c1-2 {'id': 'c1-2', 'sender': 'Shop', 'phones': '79161234567', 'mes': 'Hello'}
    """
    _check_limits(max_recipients, max_bytes)
    rows = _sendable_rows(plan)
    options = _campaign_options(plan, options)
    if len(rows.phone) == 0:
        return []
    texts = distinct_texts(rows.text_values)
    senders = distinct_senders(rows.sender_values)
    groups, group = group_table(rows, texts, senders)
    packing = order_rows(rows, groups, group)
    row_count = len(rows.phone)
    del rows, group  # their arrays were copied into the packing order: ~70 MB per 1M rows

    id_length = (len(campaign_id) if isinstance(campaign_id, str) else DEFAULT_ID_LENGTH) + 1
    id_length += len(str(row_count))
    fixed = len(urllib.parse.urlencode({**fixed_params(options, id_length), "list": ""}))
    overhead = fixed + FORM_RESERVE + CLIENT_PARAMS_MARGIN
    starts = split_requests(packing, max_bytes - overhead, max_recipients, overhead)
    packing.release_split_arrays()
    built = build_requests(packing, starts, groups, texts, senders)
    if textless(options):  # hlr/ping: the page says mes is not used, so none is sent
        built = [_without_text(*request) for request in built]

    option_params = options.to_params()
    contents = [  # the params without the id; the digest adds the id below
        params_hash({**option_params, **params}) for params, *_ in built
    ]
    if campaign_id is None:
        campaign_id = default_campaign_id([h.hexdigest() for h in contents])
    campaign_id = check_campaign_id(campaign_id, len(built))
    positions = packing.position
    positions.flags.writeable = False
    result = []
    for number, ((line_params, recipients, messages, line_bytes), content, start) in enumerate(
        zip(built, contents, starts), start=1
    ):
        request_id = validate_message_id(f"{campaign_id}-{number}")
        small = {"id": request_id, **option_params}
        params: Mapping[str, str]
        if isinstance(line_params, ListParams):  # "list" is written when read
            params = line_params.with_fixed({**small, **line_params.fixed})
        else:
            params = {**small, **line_params}
        body_bytes = line_bytes + len(urllib.parse.urlencode(small)) + 1
        digest = content.copy()
        digest.update(b"\x00id\x00" + request_id.encode("ascii"))
        result.append(
            Payload(
                request_id,
                params,
                recipients,
                messages,
                body_bytes,
                digest.hexdigest(),
                positions[start : start + len(recipients)],
            )
        )
    return result


def _without_text(
    line_params: Mapping[str, str], recipients: tuple[str, ...], messages: int, line_bytes: int
) -> tuple[Mapping[str, str], tuple[str, ...], int, int]:
    """A rendered request without its ``mes`` (HLR/ping), its byte count without ``&mes=…``."""
    if "mes" not in line_params:
        return line_params, recipients, messages, line_bytes
    params = {name: value for name, value in line_params.items() if name != "mes"}
    text_bytes = len(urllib.parse.urlencode({"mes": line_params["mes"]})) + 1
    return params, recipients, messages, line_bytes - text_bytes


def recipient_rows(plan: pd.DataFrame, payloads: Sequence[Payload]) -> pd.DataFrame:
    """Which request carries each sendable plan row.

    A payload's :attr:`Payload.rows` says it directly when they are sendable rows of *plan*
    holding its recipients; a payload without them (built by hand, or for another plan) is
    decoded and matched on (phone, text, sender).

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan the payloads were built from.
    payloads : sequence of Payload

    Returns
    -------
    pandas.DataFrame
        On the plan's index, columns ``payload_id`` and ``phone``; rows that are not
        sendable (or that no payload carries) have ``payload_id`` ``None``.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79031234567"], "text": ["Hi", "Hi"],
    ...                      "sender": [None, None], "parts": [1, 1], "sendable": [True, False]},
    ...                     index=["a", "b"])
    >>> recipient_rows(plan, payloads(plan, Options(), campaign_id="c"))
      payload_id        phone
    a        c-1  79161234567
    b       None  79031234567
    """
    sendable = plan["sendable"].to_numpy(dtype=bool)
    phones = plan["phone"].to_numpy(dtype=object)
    payload_id = np.full(len(plan), None, dtype=object)
    decode = []
    for payload in payloads:
        if _rows_match(payload, sendable, phones):
            payload_id[payload.rows] = payload.id
        else:
            decode.append(payload)
    if decode:
        _match_decoded(plan, decode, payload_id)
    return pd.DataFrame(
        {
            "payload_id": pd.Series(payload_id, index=plan.index, dtype=object),
            "phone": plan["phone"],
        }
    )


def _rows_match(payload: Payload, sendable: np.ndarray, phones: np.ndarray) -> bool:
    """Whether ``payload.rows`` names sendable plan rows holding its recipients, in order."""
    rows = payload.rows
    return (
        0 < len(rows) == len(payload.recipients)
        and 0 <= rows.min()
        and rows.max() < len(phones)
        and bool(sendable[rows].all())
        and bool((phones[rows] == np.asarray(payload.recipients, dtype=object)).all())
    )


def check_payloads(plan: pd.DataFrame, payloads: Sequence[Payload]) -> None:
    """Refuse *payloads* that carry a message *plan* does not hold, before any request.

    Payloads passed to :func:`~smsc_frames.campaign.send` or ``estimate`` are the requests
    posted: built from another plan, or from this one before its texts changed
    (``apply_savings``), they would send texts, or reach numbers, that the results (from the
    plan) never show. Each message is decoded and matched on (phone, text, sender).

    Raises
    ------
    ValidationError
        ``payloads``, naming how many messages the plan lacks and the first of them.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"], "text": ["Hi"], "sender": [None],
    ...                      "parts": [1], "sendable": [True]})
    >>> other = plan.assign(text=["Hello"])
    >>> check_payloads(plan, payloads(plan, Options()))
    >>> check_payloads(plan, payloads(other, Options()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: payloads: carry 1 messages this plan does not hold, ...
    """
    if not payloads:
        return
    carried, sendable = _carried_and_sendable(plan, list(payloads))
    keys = ["phone", "text", "sender"]
    known = carried[keys].merge(sendable[keys], on=keys, how="left", indicator=True)
    alien = known[known["_merge"] == "left_only"]
    if len(alien):
        first = alien.iloc[0]
        raise ValidationError(
            "payloads",
            f"carry {len(alien)} messages this plan does not hold, such as {first['phone']}: "
            f"{first['text']!r}; build them from this plan with payloads(plan)",
            f"{len(payloads)} requests",
        )


def _carried_and_sendable(
    plan: pd.DataFrame, payloads: list[Payload]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (phone, text, sender, payload_id) every payload carries, decoded, and the
    (phone, text, sender, position) of the plan's sendable rows; no sender is ``"\x00"``."""
    carried = pd.concat(
        [decode_params(p.params).assign(payload_id=p.id) for p in payloads], ignore_index=True
    )
    rows = _sendable_rows(plan)
    sendable = pd.DataFrame(
        {
            "phone": rows.phone[rows.canonical],
            "text": rows.text_values[rows.text_code],
            "sender": rows.sender_values[rows.sender_code],
            "position": rows.position[rows.canonical],
        }
    )
    for frame in (sendable, carried):
        frame["sender"] = frame["sender"].astype(object).where(frame["sender"].notna(), "\x00")
    return carried, sendable


def _match_decoded(plan: pd.DataFrame, payloads: list[Payload], payload_id: np.ndarray) -> None:
    """Fill *payload_id* for the sendable rows these payloads carry, found by decoding their
    params and matching (phone, text, sender): for payloads built without ``rows``."""
    carried, sendable = _carried_and_sendable(plan, payloads)
    keys = ["phone", "text", "sender"]
    matched = sendable.merge(
        carried[keys + ["payload_id"]], on=keys, how="left", validate="one_to_one"
    )
    found = matched["payload_id"].notna().to_numpy()
    payload_id[matched["position"].to_numpy()[found]] = matched["payload_id"].to_numpy()[found]


def campaign_id(requests: Sequence[Payload]) -> str | None:
    """The campaign id shared by *requests* (ids ``"{campaign}-{n}"``); ``None`` if empty.

    Examples
    --------
    >>> campaign_id([Payload("3f2a9c41d0e7-1", {}, ("79161234567",), 1, 0, "")])
    '3f2a9c41d0e7'
    """
    return requests[0].id.rsplit("-", 1)[0] if requests else None
