"""What ``maxsms`` cuts: the texts SMSC will shorten, counted and shown before anything is sent.

``maxsms=k`` makes SMSC send at most *k* parts of each message: a longer text is cut, silently.
:func:`cut_texts` finds those texts (once per distinct text) and what SMSC will actually send.

Examples
--------
>>> plan = pd.DataFrame({"text": ["short", "x" * 200], "sendable": [True, True]})
>>> cut = cut_texts(plan, maxsms=1)
>>> cut.index.tolist(), int(cut.loc[1, "parts"]), len(cut.loc[1, "sent_text"])
([1], 2, 160)
"""

from __future__ import annotations

import pandas as pd

from smsc_frames.messagekinds import shorten_links
from smsc_frames.segments import count_segments, truncate_to_parts

COLUMNS = ["text", "parts", "sent_text"]


def cut_texts(
    plan: pd.DataFrame,
    maxsms: int | None,
    translit: int = 0,
    *,
    kind: str = "sms",
    tinyurl: int = 0,
) -> pd.DataFrame:
    """The sendable rows whose text ``maxsms`` cuts, on the plan's index.

    The page defines ``maxsms`` as the number of SMS a long message may be split into, so
    only SMS texts are cut (*kind* ``"sms"``, see
    :func:`smsc_frames.messagekinds.message_kind`); binary messages, calls, HLR/ping, MMS,
    e-mail and Telegram messages are not (the sandbox does the same). With ``tinyurl=1`` the
    links are shortened first (:func:`smsc_frames.messagekinds.shorten_links`), as the text
    SMSC counts; ``sent_text`` then shows the placeholder where a short link goes.

    Returns
    -------
    pandas.DataFrame
        ``text`` (as written), ``parts`` (what it would take uncut), ``sent_text`` (the prefix
        SMSC sends); empty when nothing is cut or *maxsms* is None.

    Examples
    --------
    >>> plan = pd.DataFrame({"text": ["x" * 200], "sendable": [True]})
    >>> len(cut_texts(plan, maxsms=1)), len(cut_texts(plan, maxsms=1, kind="call"))
    (1, 0)
    >>> link = "https://example.org/" + "z" * 40  # 60 characters, 20 once shortened
    >>> linked = pd.DataFrame({"text": ["y" * 120 + " " + link + " ok"], "sendable": [True]})
    >>> len(cut_texts(linked, maxsms=1)), len(cut_texts(linked, maxsms=1, tinyurl=1))
    (1, 0)
    """
    if not maxsms or kind != "sms":
        return pd.DataFrame(columns=COLUMNS)
    texts = plan.loc[plan["sendable"].astype(bool), "text"]
    counted = texts.map(shorten_links) if tinyurl else texts
    full = count_segments(counted, translit=translit)
    cut = texts[full["parts"] > maxsms]
    as_counted = shorten_links if tinyurl else str
    sent = {text: truncate_to_parts(as_counted(text), maxsms) for text in cut.unique()}
    return pd.DataFrame(
        {"text": cut, "parts": full.loc[cut.index, "parts"], "sent_text": cut.map(sent)},
        index=cut.index,
    )


def describe_cut(cut: pd.DataFrame, maxsms: int | None) -> str | None:
    """One line on what ``maxsms`` cuts, with a sample; None when nothing is cut.

    Examples
    --------
    >>> print(describe_cut(cut_texts(pd.DataFrame({"text": ["x" * 200], "sendable": [True]}),
    ...                              maxsms=1), 1))  # doctest: +ELLIPSIS
    maxsms=1 cuts 1 message(s) (1 distinct text), e.g. 'xxx...xxx' (2 parts) is sent as '...'
    """
    if cut.empty:
        return None
    first = cut.iloc[0]
    return (
        f"maxsms={maxsms} cuts {len(cut)} message(s) ({cut['text'].nunique()} distinct text), "
        f"e.g. {_short(first['text'])!r} ({first['parts']} parts) is sent as "
        f"{_short(first['sent_text'], tail=True)!r}"
    )


def _short(text: str, *, tail: bool = False) -> str:
    """*text* shortened to its start and end, so the cut is visible."""
    if len(text) <= 60:
        return text
    return f"...{text[-40:]}" if tail else f"{text[:30]}...{text[-20:]}"
