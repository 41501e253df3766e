"""Cost advisor: the characters that make a campaign expensive, and what to type instead.

One character outside the GSM 03.38 alphabet (a curly apostrophe, an em dash, ``«»``, a
no-break space, a Cyrillic ``о`` typed inside a Latin word...) turns the whole text into UCS-2,
which holds 70 characters per SMS instead of 160. Such characters are found once per distinct
text and GSM-7 replacements proposed (:mod:`smsc_frames.textfixes`, whose names are importable
from here); this module counts the parts before and after with
:func:`smsc_frames.segments.count_segments` and, given a quote, prices the saving.

Cyrillic words have no GSM-7 spelling: they stay UCS-2, and only ``translit`` (previewed by
:func:`preview_translit`, an estimate: SMSC's tables are unpublished and the server's ``cnt``
decides) makes them Latin.

Examples
--------
>>> fix_text("It’s «new» — only…")
'It\\'s "new" - only...'
>>> fix_text("Pаy now")  # a Cyrillic "а" inside a Latin word
'Pay now'
>>> fix_text("Привет")  # Cyrillic words are left alone
'Привет'
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from smsc_frames.options import Options
from smsc_frames.plan import mark_duplicates
from smsc_frames.planoptions import plan_options
from smsc_frames.segments import count_segments, transliterate
from smsc_frames.textfixes import (
    CHARACTER_COLUMNS,
    GSM7,
    GSM7_REPLACEMENTS,
    LOOKALIKES,
    costly_characters,
    describe,
    findings,
    fix_text,
    gsm7_equivalent,
)

__all__ = [
    "CHARACTER_COLUMNS",
    "GSM7",
    "GSM7_REPLACEMENTS",
    "LOOKALIKES",
    "SAVINGS_COLUMNS",
    "TRANSLIT_COLUMNS",
    "apply_savings",
    "costly_characters",
    "fix_text",
    "gsm7_equivalent",
    "preview_translit",
    "price_per_part",
    "suggest_savings",
]


def _segment_options(plan: pd.DataFrame, options: Options | None = None) -> dict:
    """``maxsms`` and ``translit`` of the campaign, as :func:`count_segments` wants.

    *options* when given, else the plan's own, else none (advice sends nothing: a hand-built
    plan without options is counted without ``maxsms`` and ``translit``).
    """
    chosen = plan_options(plan, options) if options or "options" in plan.attrs else Options()
    maxsms, translit = chosen.maxsms, chosen.translit
    return {
        "maxsms": None if maxsms is None else int(maxsms),
        "translit": 0 if translit is None else int(translit),
    }


def price_per_part(quote) -> pd.Series:
    """The price of one SMS part per phone, from a quote.

    Parameters
    ----------
    quote : Quote or pandas.DataFrame
        A :func:`smsc_frames.campaign.estimate` result (its ``table``), or any frame with
        columns ``phone``, ``cost`` (``Decimal``, for all parts of that phone's message) and
        ``parts``.

    Returns
    -------
    pandas.Series
        ``Decimal`` prices indexed by phone (the first price seen for a phone).

    Examples
    --------
    >>> frame = pd.DataFrame({"phone": ["79161234567"], "cost": [Decimal("4.20")], "parts": [2]})
    >>> price_per_part(frame).to_dict()
    {'79161234567': Decimal('2.10')}
    """
    frame = quote if isinstance(quote, pd.DataFrame) else quote.table
    priced = frame.dropna(subset=["cost"])
    priced = priced[priced["parts"].astype("int64") > 0]
    prices = [
        Decimal(str(cost)) / int(parts) for cost, parts in zip(priced["cost"], priced["parts"])
    ]
    series = pd.Series(prices, index=priced["phone"].astype(str).to_numpy(), dtype=object)
    return series[~series.index.duplicated()]


def _money(plan_rows: pd.DataFrame, codes, saved_per_message, prices: pd.Series | None):
    """Money saved per distinct text: sum over its recipients of price x parts saved."""
    if prices is None:
        return [None] * len(saved_per_message)
    per_row = plan_rows["phone"].map(prices)
    totals: list[Decimal | None] = [Decimal("0")] * len(saved_per_message)
    for code, price in zip(codes, per_row):
        if totals[code] is None:
            continue
        if price is None or pd.isna(price):
            totals[code] = None
        else:
            totals[code] += price * saved_per_message[code]
    return [None if total is None else total.quantize(Decimal("0.01")) for total in totals]


def _distinct_sendable_texts(plan: pd.DataFrame):
    """The plan's sendable rows, their distinct-text codes, the texts and recipients per text."""
    rows = plan[plan["sendable"].astype(bool)]
    codes, distinct = pd.factorize(rows["text"].astype(object))
    texts = [str(text) for text in distinct]
    recipients = pd.Series(codes).value_counts().reindex(range(len(texts)), fill_value=0)
    return rows, codes, texts, recipients.to_numpy(dtype="int64")


SAVINGS_COLUMNS = [
    "text",
    "recipients",
    "encoding",
    "parts",
    "costly_characters",
    "foreign_letters",
    "suggested_text",
    "suggested_encoding",
    "suggested_parts",
    "sms_saved",
    "money_saved",
]


def suggest_savings(
    plan: pd.DataFrame, quote=None, *, options: Options | None = None
) -> pd.DataFrame:
    """Per distinct text of the plan's sendable rows: costly characters and what fixing saves.

    The suggested text replaces every costly character that has a GSM-7 equivalent. When the
    text would stay UCS-2 anyway (a Cyrillic text), only replacements that do not lengthen it
    are kept, and a suggestion that saves no part is not made (``suggested_text`` = ``text``).
    Parts are counted with the plan's ``maxsms`` and ``translit`` options.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan from :func:`smsc_frames.plan.prepare` (columns ``phone``, ``text``,
        ``sendable``; ``attrs["options"]`` for ``maxsms`` / ``translit``).
    quote : Quote or pandas.DataFrame, optional
        Per-phone costs (see :func:`price_per_part`). Without it ``money_saved`` is ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per distinct text, most SMS saved first: ``text``, ``recipients``,
        ``encoding``, ``parts`` (per message), ``costly_characters`` (readable summary),
        ``foreign_letters`` (letters with no GSM-7 spelling, e.g. Cyrillic), ``suggested_text``,
        ``suggested_encoding``, ``suggested_parts``, ``sms_saved`` (over the campaign),
        ``money_saved`` (``Decimal`` or ``None``).

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79161234568"],
    ...                      "text": ["Spring sale – " + "x" * 60] * 2, "sendable": True})
    >>> savings = suggest_savings(plan)
    >>> savings[["recipients", "parts", "suggested_parts", "sms_saved", "costly_characters"]]
       recipients  parts  suggested_parts  sms_saved costly_characters
    0           2      2                1          2          – → - ×1
    """
    rows, codes, texts, recipients = _distinct_sendable_texts(plan)
    segment_options = _segment_options(plan, options)
    before = count_segments(texts, **segment_options)
    translit = segment_options["translit"]
    analyses = [findings(transliterate(text, translit)) for text in texts]
    # A text with letters of another script stays UCS-2: only non-growing fixes can help it.
    may_be_gsm7 = [foreign == 0 for _, foreign in analyses]
    candidates = [fix_text(text, growing=gsm) for text, gsm in zip(texts, may_be_gsm7)]
    after = count_segments(candidates, **segment_options)
    grown_ucs2 = (after["encoding"].eq("ucs2") & pd.Series(may_be_gsm7)).tolist()
    if any(grown_ucs2):  # e.g. an emoji kept it UCS-2: undo the growing replacements
        candidates = [
            fix_text(text, growing=False) if ucs2 else candidate
            for text, candidate, ucs2 in zip(texts, candidates, grown_ucs2)
        ]
        after = count_segments(candidates, **segment_options)
    parts_before = before["parts"].astype("int64").tolist()
    saves = [new < old for new, old in zip(after["parts"].astype("int64"), parts_before)]
    suggested_parts = [
        int(new) if save else old for new, old, save in zip(after["parts"], parts_before, saves)
    ]
    saved_per_message = [old - new for old, new in zip(parts_before, suggested_parts)]
    prices = None if quote is None else price_per_part(quote)
    result = pd.DataFrame(
        {
            "text": texts,
            "recipients": recipients,
            "encoding": before["encoding"].tolist(),
            "parts": parts_before,
            "costly_characters": [describe(found) for found, _ in analyses],
            "foreign_letters": [foreign for _, foreign in analyses],
            "suggested_text": [
                cand if save else text for cand, text, save in zip(candidates, texts, saves)
            ],
            "suggested_encoding": [
                new if save else old
                for new, old, save in zip(after["encoding"], before["encoding"], saves)
            ],
            "suggested_parts": suggested_parts,
            "sms_saved": [saved * count for saved, count in zip(saved_per_message, recipients)],
            "money_saved": _money(rows, codes, saved_per_message, prices),
        },
        columns=SAVINGS_COLUMNS,
    )
    return _most_saved_first(result)


def _most_saved_first(frame: pd.DataFrame) -> pd.DataFrame:
    integers = ["recipients", "parts", "sms_saved"]
    frame = frame.astype({column: "int64" for column in integers})
    return frame.sort_values(
        ["sms_saved", "recipients"], ascending=False, kind="stable"
    ).reset_index(drop=True)


TRANSLIT_COLUMNS = [
    "text",
    "recipients",
    "encoding",
    "parts",
    "translit_text",
    "translit_encoding",
    "translit_parts",
    "sms_saved",
    "money_saved",
]


def preview_translit(
    plan: pd.DataFrame, mode: int = 1, quote=None, *, options: Options | None = None
) -> pd.DataFrame:
    """What ``translit=mode`` would save, per distinct text of the plan's sendable rows.

    An **estimate**: SMSC transliterates on its side with tables it does not publish
    (:func:`smsc_frames.segments.transliterate` approximates them); the server's ``cnt`` from
    :func:`smsc_frames.campaign.estimate` decides. To use it, prepare the plan again with
    ``translit=mode``.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan from :func:`smsc_frames.plan.prepare`.
    mode : {1, 2}
        1 ``translit``, 2 ``mpaHc/Ium``.
    quote : Quote or pandas.DataFrame, optional
        Per-phone costs (see :func:`price_per_part`) to price the saving.

    Returns
    -------
    pandas.DataFrame
        One row per distinct text, most SMS saved first: ``text``, ``recipients``,
        ``encoding``, ``parts``, ``translit_text``, ``translit_encoding``, ``translit_parts``,
        ``sms_saved`` (negative when transliteration costs more), ``money_saved``.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"], "sendable": [True],
    ...                      "text": ["Привет! Скидка 20% на всё до воскресенья, успейте: " * 2]})
    >>> preview_translit(plan)[["parts", "translit_encoding", "translit_parts", "sms_saved"]]
       parts translit_encoding  translit_parts  sms_saved
    0      2              gsm7               1          1
    """
    rows, codes, texts, recipients = _distinct_sendable_texts(plan)
    segment_options = _segment_options(plan, options)
    maxsms = segment_options["maxsms"]
    before = count_segments(texts, maxsms=maxsms, translit=segment_options["translit"])
    after = count_segments(texts, maxsms=maxsms, translit=mode)
    saved_per_message = (before["parts"] - after["parts"]).astype("int64").tolist()
    prices = None if quote is None else price_per_part(quote)
    result = pd.DataFrame(
        {
            "text": texts,
            "recipients": recipients,
            "encoding": before["encoding"].tolist(),
            "parts": before["parts"].tolist(),
            "translit_text": [transliterate(text, mode) for text in texts],
            "translit_encoding": after["encoding"].tolist(),
            "translit_parts": after["parts"].astype("int64").tolist(),
            "sms_saved": [saved * count for saved, count in zip(saved_per_message, recipients)],
            "money_saved": _money(rows, codes, saved_per_message, prices),
        },
        columns=TRANSLIT_COLUMNS,
    )
    return _most_saved_first(result)


def apply_savings(
    plan: pd.DataFrame,
    suggestions: pd.DataFrame | None = None,
    *,
    options: Options | None = None,
) -> pd.DataFrame:
    """A new plan with the suggested texts in place of the costly ones.

    The texts of every row whose text appears in *suggestions* are replaced, and ``encoding``,
    ``units``, ``parts`` are counted again with the plan's options. Rows whose texts became
    identical for the same phone and sender become duplicates
    (:func:`smsc_frames.plan.mark_duplicates`). *plan* itself is unchanged.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan from :func:`smsc_frames.plan.prepare`.
    suggestions : pandas.DataFrame, optional
        :func:`suggest_savings`' frame, possibly filtered to the suggestions you accept
        (columns ``text`` and ``suggested_text``). Default: every suggestion that saves a part.

    Returns
    -------
    pandas.DataFrame
        The plan with the same index, columns and ``attrs``.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"], "text": ["Sale – " + "x" * 70],
    ...                      "sender": [None], "encoding": ["ucs2"], "units": [77],
    ...                      "parts": [2], "problem": [None], "duplicate_of": [None],
    ...                      "sendable": [True]})
    >>> fixed = apply_savings(plan)
    >>> fixed.loc[0, "text"][:7], fixed.loc[0, "encoding"], int(fixed.loc[0, "parts"])
    ('Sale - ', 'gsm7', 1)
    >>> int(plan.loc[0, "parts"])  # the original plan is unchanged
    2
    """
    if suggestions is None:
        suggestions = suggest_savings(plan)
    changes = suggestions[suggestions["suggested_text"] != suggestions["text"]]
    replacement = dict(zip(changes["text"], changes["suggested_text"]))
    fixed = plan.copy()
    changed = fixed["text"].isin(list(replacement))
    if not changed.any():
        return fixed
    fixed.loc[changed, "text"] = fixed.loc[changed, "text"].map(replacement)
    counts = count_segments(fixed.loc[changed, "text"], **_segment_options(plan, options))
    for column in ("encoding", "units", "parts"):
        fixed.loc[changed, column] = counts[column].to_numpy()
    return mark_duplicates(fixed)
