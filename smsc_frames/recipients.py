"""Recipients that are not phone numbers: ``G<n>`` groups, e-mail addresses, Telegram users.

The ``send.php`` page: "a message can be sent to a group of numbers with the code
``G<group number>``; for an e-mail message a list of e-mail addresses is passed; for Telegram
the recipient may be the user's nick or their ID written ``#ID``". Such cells never go through
phone normalisation (where they would read as broken phones): :func:`classify_recipients` tells
them apart by their shape, and :func:`apply_recipients` puts them in a plan's phone columns,
valid only where the message kind allows them:

=================  ===========================================  ===========================
recipient          shape                                        allowed with
=================  ===========================================  ===========================
group              ``G`` + digits (``g12`` is written ``G12``)  every kind but ``mail=1``
e-mail address     ``name@domain.tld``, at most 64 characters   ``mail=1`` (only these)
Telegram nick      ``@`` + 5-32 of ``A-Za-z0-9_``               ``tg=1`` or ``bot``
Telegram ID        ``#`` + digits                               ``tg=1`` or ``bot``
=================  ===========================================  ===========================

A group's members and cost are known only to SMSC (its answer counts them in ``cnt`` and the
cost); a phone number with ``mail=1`` is a wrong recipient, as the page sends e-mail to
addresses.

Examples
--------
>>> classify_recipients(pd.Series(["G5", "ann@example.org", "@ann_smith", "#123", "8916"]))
  recipient_kind        recipient problem
0          group               G5    None
1          email  ann@example.org    None
2       telegram       @ann_smith    None
3       telegram             #123    None
4          phone             None    None
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from smsc_frames.options import LONGEST_EMAIL, Options, is_email, validate_sender

__all__ = [
    "apply_recipients",
    "classify_recipients",
    "is_email",
    "is_group",
    "is_group_recipient",
    "recipient_operators",
    "status_keys",
    "validate_email_sender",
]

_GROUP = re.compile(r"[Gg]([0-9]{1,9})")
_NICK = re.compile(r"@[A-Za-z0-9_]{5,32}")
_TELEGRAM_ID = re.compile(r"#[0-9]{1,20}")
_WRITTEN_GROUP = re.compile(r"G[0-9]{1,9}")
_HINTS = ("#", "G", "g")
KEY_OFFSET = 10**16
"""Keys of non-phone recipients start here: above every E.164 number (at most 15 digits)."""


def is_group(recipients: pd.Series) -> pd.Series:
    """Which of a plan's recipients are ``G<n>`` groups (as :func:`apply_recipients` writes
    them).

    Examples
    --------
    >>> is_group(pd.Series(["G12", "79161234567", None])).tolist()
    [True, False, False]
    """
    return (
        recipients.astype(object).str.fullmatch(_WRITTEN_GROUP.pattern).fillna(False).astype(bool)
    )


def is_group_recipient(recipient: str) -> bool:
    """Whether one recipient of a request is a ``G<n>`` group.

    Examples
    --------
    >>> is_group_recipient("G3"), is_group_recipient("79161234567")
    (True, False)
    """
    return _WRITTEN_GROUP.fullmatch(recipient) is not None


def status_keys(recipients: pd.Series) -> pd.Series:
    """How ``status.php`` names each recipient: a phone's digits (``+`` and formatting
    dropped), an e-mail address or Telegram ``@nick`` / ``#ID`` as written.

    Examples
    --------
    >>> status_keys(pd.Series(["+7 916 123-45-67", "@ann_smith", "#12", "a@b.org"])).tolist()
    ['79161234567', '@ann_smith', '#12', 'a@b.org']
    """
    text = recipients.astype("str")
    written = text.str.contains("@", regex=False) | text.str.startswith("#")
    return text.str.replace(r"\D", "", regex=True).where(~written, text)


def recipient_operators(recipients: pd.Series) -> pd.Series:
    """Where each non-phone recipient goes, in a quote's ``operator`` column: ``"group"``,
    ``"Telegram"`` or ``"e-mail"``; ``None`` for phone numbers and missing values.

    Examples
    --------
    >>> cells = pd.Series(["G1", "@ann_smith", "#12", "a@b.org", "7916", None])
    >>> recipient_operators(cells).tolist()
    ['group', 'Telegram', 'Telegram', 'e-mail', None, None]
    """
    text = recipients.astype(object).where(recipients.notna(), "").astype(str)
    names = np.select(
        [is_group(recipients).to_numpy(), text.str.match(r"[@#]").to_numpy(),
         text.str.contains("@", regex=False).to_numpy()],
        ["group", "Telegram", "e-mail"],
        default="",
    )  # fmt: skip
    return pd.Series(names, index=recipients.index, dtype=object).replace("", None)


def validate_email_sender(value: object) -> str:
    """Check the sender of an e-mail (``mail=1``): an e-mail address (the page: "the sender's
    address" is required); :func:`~smsc_frames.options.validate_sender` with ``mail=True``.

    Examples
    --------
    >>> validate_email_sender("shop@example.org")
    'shop@example.org'
    >>> validate_email_sender("Shop")
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: sender: with mail=1 must be an e-mail address ...
    """
    return validate_sender(value, mail=True)


def _classify(cell: str) -> tuple[str, str | None, str | None]:
    value = cell.strip()
    if group := _GROUP.fullmatch(value):
        return "group", "G" + str(int(group[1])), None
    if value.startswith("@"):
        if _NICK.fullmatch(value):
            return "telegram", value, None
        return "telegram", None, "not a Telegram nick (@ and 5-32 of A-Z a-z 0-9 _)"
    if _TELEGRAM_ID.fullmatch(value):
        return "telegram", value, None
    if "@" in value:
        if is_email(value):
            return "email", value, None
        return "email", None, f"not an e-mail address (name@domain.tld, <= {LONGEST_EMAIL} chars)"
    return "phone", None, None


def classify_recipients(values: pd.Series) -> pd.DataFrame:
    """What each cell addresses, by its shape, once per distinct cell.

    Returns
    -------
    pandas.DataFrame
        On the input's index: ``recipient_kind`` (``"phone"``, ``"group"``, ``"email"``,
        ``"telegram"``), ``recipient`` (the written form of a valid non-phone recipient, else
        ``None``) and ``problem`` (why a cell shaped like a non-phone recipient is not one).
        Cells that are not strings (numbers from Excel) are phones.
    """
    cells = values.to_numpy(dtype=object)
    is_text = np.array([isinstance(cell, str) for cell in cells], dtype=bool)
    kinds = np.full(len(cells), "phone", dtype=object)
    found = np.full(len(cells), None, dtype=object)
    problems = np.full(len(cells), None, dtype=object)
    if is_text.any():
        texts = cells[is_text]
        codes, distinct = pd.factorize(texts)
        hinted = [i for i, text in enumerate(distinct) if "@" in text or text.strip()[:1] in _HINTS]
        if hinted:
            classified = np.full((len(distinct), 3), None, dtype=object)
            classified[:, 0] = "phone"
            for i in hinted:
                classified[i] = _classify(distinct[i])
            rows = np.flatnonzero(is_text)
            kinds[rows], found[rows], problems[rows] = classified[codes].T
    columns = {"recipient_kind": kinds, "recipient": found, "problem": problems}
    return pd.DataFrame(
        {
            name: pd.Series(column, index=values.index, dtype=object)
            for name, column in columns.items()
        }
    )


def _allowed(options: Options) -> dict[str, str | None]:
    """Per recipient kind: ``None`` when the options allow it, else the row's problem."""
    telegram = options.tg == 1 or options.bot is not None
    if options.mail == 1:
        return {
            "email": None,
            "phone": "mail=1 sends e-mail: give an e-mail address, not a phone number",
            "group": "mail=1 sends e-mail: groups hold phone numbers, give e-mail addresses",
            "telegram": "mail=1 sends e-mail: a Telegram recipient needs tg=1 or bot",
        }
    return {
        "email": "an e-mail address needs mail=1 (e-mail messages)",
        "phone": None,
        "group": None,
        "telegram": None if telegram else "a Telegram recipient (@nick, #ID) needs tg=1 or bot",
    }


def apply_recipients(phones: pd.DataFrame, values: pd.Series, options: Options) -> pd.DataFrame:
    """*phones* (:func:`~smsc_frames.phones.normalize_phones` of *values*, ``keys=True``) with
    the non-phone recipients put in: their written form in ``phone``, ``phone_ok`` where the
    options' kind allows them, a ``problem`` naming the rule where not.

    A phone number with ``mail=1`` gets a problem too. ``phone_key`` of a non-phone
    recipient is :data:`KEY_OFFSET` plus its code (e-mail addresses and Telegram nicks compared
    without case, as both services do),
    so duplicates are found among them as among numbers.

    Examples
    --------
    >>> from smsc_frames.phones import normalize_phones
    >>> cells = pd.Series(["@ann_smith", "ann@example.org", "8 916 123-45-67"])
    >>> out = apply_recipients(normalize_phones(cells, keys=True), cells, Options(tg=1))
    >>> out[["phone", "phone_ok", "problem"]]
             phone  phone_ok                                           problem
    0   @ann_smith      True                                              None
    1         None     False  an e-mail address needs mail=1 (e-mail messages)
    2  79161234567      True                                              None
    """
    ok = phones["phone_ok"].to_numpy(dtype=bool)
    candidates = np.flatnonzero(~ok)  # a valid phone is never a group, an address or a nick
    found = classify_recipients(values.iloc[candidates])
    kinds = found["recipient_kind"].to_numpy(dtype=object)
    other = kinds != "phone"
    if not other.any() and options.mail != 1:
        return phones
    rows, kinds = candidates[other], kinds[other]  # the non-phone recipients
    allowed = _allowed(options)
    refusal = np.array([allowed[kind] for kind in kinds], dtype=object)
    problem = found["problem"].to_numpy(dtype=object)[other]
    problem = np.where(pd.isna(problem), refusal, problem)
    valid = pd.isna(problem)
    recipient = found["recipient"].to_numpy(dtype=object)[other]
    columns = {name: phones[name].to_numpy(dtype=object).copy()
               for name in ("phone", "problem", "region", "note")}  # fmt: skip
    columns["phone"][rows] = np.where(valid, recipient, None)
    columns["problem"][rows] = problem
    columns["region"][rows] = columns["note"][rows] = None
    ok = ok.copy()
    ok[rows] = valid
    if allowed["phone"] is not None:  # mail=1: every phone number is a wrong recipient
        phone_rows = np.ones(len(ok), dtype=bool)
        phone_rows[rows] = False
        ok[phone_rows] = False
        columns["problem"][phone_rows] = allowed["phone"]
    phones = phones.copy()
    for name, column in columns.items():
        phones[name] = pd.Series(column, index=phones.index, dtype=object)
    phones["phone_ok"] = ok
    if "phone_key" in phones:
        keys = phones["phone_key"].to_numpy(dtype=np.int64).copy()
        keys[rows] = -1
        if valid.any():
            folded = [text.lower() if "@" in text else text for text in recipient[valid]]
            keys[rows[valid]] = KEY_OFFSET + pd.factorize(np.array(folded, dtype=object))[0]
        phones["phone_key"] = keys
    return phones
