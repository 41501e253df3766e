"""What ``maxsms`` cuts: the texts SMSC will shorten, counted and shown before anything is sent.

The page: ``maxsms`` is "the largest number of SMS a long message may be split into; too long
messages are cut so as not to exceed it". It limits **SMS parts**, so it cuts only the kinds
counted in parts of text (SMS, also ``flash``, ``push``, ``soc``, ``viber``, ``whatsapp``,
``bot``). A call (``cnt`` in seconds), ``hlr``/``ping`` (no text), ``mms``/``mail``/``tg``
(one message per recipient) are never cut; neither is a binary message (``bin``): the page
does not say SMSC cuts binary data, the sandbox does not, so the plan bills it whole.
:func:`cut_texts` finds the cut texts (once per distinct text), after what SMSC does first
(``translit``, ``tinyurl``'s short links), and what SMSC will actually send.

Examples
--------
>>> plan = pd.DataFrame({"text": ["short", "x" * 200], "sendable": [True, True]})
>>> cut = cut_texts(plan, maxsms=1)
>>> cut.index.tolist(), int(cut.loc[1, "parts"]), len(cut.loc[1, "sent_text"])
([1], 2, 160)
>>> cut_texts(plan, maxsms=1, kind="call").empty
True
"""

from __future__ import annotations

import pandas as pd

from smsc_frames.messagekinds import SHORT_LINK_LENGTH, billed_label, shorten_links
from smsc_frames.segments import count_segments, transliterate, truncate_to_parts

COLUMNS = ["text", "parts", "sent_text"]

SHOWN_SHORT_LINK = "<short link>".ljust(SHORT_LINK_LENGTH, ".")
"""How a link ``tinyurl=1`` shortens is shown in a cut text: as long as the short link, and
GSM-7 like it, so the cut falls where SMSC's does."""


def cut_texts(
    plan: pd.DataFrame,
    maxsms: int | None,
    translit: int = 0,
    *,
    kind: str = "sms",
    tinyurl: bool = False,
) -> pd.DataFrame:
    """The sendable rows whose text ``maxsms`` cuts, on the plan's index.

    Parameters
    ----------
    plan : pandas.DataFrame
        ``text`` (normalised, as :func:`~smsc_frames.plan.prepare` writes it) and ``sendable``.
    maxsms : int or None
        The campaign's ``maxsms``.
    translit : {0, 1, 2}
        The campaign's ``translit``: SMSC cuts the transliterated text.
    kind : str, default "sms"
        :func:`~smsc_frames.messagekinds.message_kind` of the campaign: only ``"sms"`` is cut.
    tinyurl : bool
        Links are shortened before SMSC counts and cuts.

    Returns
    -------
    pandas.DataFrame
        ``text`` (as written), ``parts`` (what it would take uncut), ``sent_text`` (the prefix
        SMSC sends, short links shown as :data:`SHOWN_SHORT_LINK`); empty when nothing is cut
        or *maxsms* is None. ``attrs["kind"]`` is *kind* (for :func:`describe_cut`).

    Examples
    --------
    >>> plan = pd.DataFrame({"text": ["See https://example.org/" + "a" * 150], "sendable": [True]})
    >>> cut_texts(plan, 1).index.tolist(), cut_texts(plan, 1, tinyurl=True).index.tolist()
    ([0], [])
    """
    cut = pd.DataFrame(columns=COLUMNS)
    if maxsms and kind == "sms":
        texts = plan.loc[plan["sendable"].astype(bool), "text"]
        codes, distinct = pd.factorize(texts)
        sent = [transliterate(text, translit) for text in distinct]
        if tinyurl:
            sent = [shorten_links(text, SHOWN_SHORT_LINK) for text in sent]
        parts = count_segments(sent, normalized=True)["parts"].to_numpy()
        over = parts[codes] > maxsms
        kept = {code: truncate_to_parts(sent[code], maxsms) for code in set(codes[over])}
        cut = pd.DataFrame(
            {
                "text": texts[over],
                "parts": parts[codes[over]],
                "sent_text": [kept[code] for code in codes[over]],
            },
            index=texts.index[over],
        )
    cut.attrs["kind"] = kind
    return cut


def describe_cut(cut: pd.DataFrame, maxsms: int | None) -> str | None:
    """One line on what ``maxsms`` cuts, with a sample; for a kind ``maxsms`` does not cut,
    that it cuts nothing and why; None when nothing is cut.

    Examples
    --------
    >>> print(describe_cut(cut_texts(pd.DataFrame({"text": ["x" * 200], "sendable": [True]}),
    ...                              maxsms=1), 1))  # doctest: +ELLIPSIS
    maxsms=1 cuts 1 message(s) (1 distinct text), e.g. 'xxx...xxx' (2 parts) is sent as '...'
    >>> print(describe_cut(cut_texts(pd.DataFrame({"text": ["Hi"], "sendable": [True]}),
    ...                              maxsms=1, kind="call"), 1))
    maxsms=1 cuts nothing: it limits SMS parts, and billed call minutes are not
    """
    kind = cut.attrs.get("kind", "sms")
    if maxsms and kind == "bin":
        return f"maxsms={maxsms} cuts nothing: the page does not say SMSC cuts a binary message"
    if maxsms and kind != "sms":
        counted = billed_label(kind)
        return f"maxsms={maxsms} cuts nothing: it limits SMS parts, and {counted} are not"
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
