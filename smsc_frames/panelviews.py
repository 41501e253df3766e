"""The notebook panel's views: escaped HTML for its header, tabs, samples and outcome.

Pure functions of the plan, the quote and the results; :mod:`smsc_frames.widgets` lays them out.
"""

from __future__ import annotations

import html

import pandas as pd

from smsc_frames.campaign import Quote, summarize
from smsc_frames.display import banner_html, bars_html, money, table_html
from smsc_frames.messagekinds import count_label
from smsc_frames.samples import sample_messages
from smsc_frames.sandboxmark import from_sandbox
from smsc_frames.segments import GSM7_BASIC, GSM7_EXTENSION

_GSM7 = GSM7_BASIC | GSM7_EXTENSION
"""Characters GSM-7 writes (the costly-characters tab centres its cut on the first other)."""


def _counts(plan: pd.DataFrame, quote: Quote) -> dict[str, int]:
    """Recipient counts for the panel's header."""
    invalid = plan["problem"].notna()
    duplicates = plan["duplicate_of"].notna() & ~invalid
    sendable = quote.table["sendable"].astype(bool)
    return {
        "rows": len(plan),
        "valid": int(sendable.sum()),
        "invalid": int(invalid.sum()),
        "duplicates": int(duplicates.sum()),
        "refused": int(smsc_refused(plan, quote).sum()),
        "numbers": int(quote.table.loc[sendable, "phone"].nunique()),
    }


def smsc_refused(plan: pd.DataFrame, quote: Quote) -> pd.Series:
    """Rows the plan would send that SMSC's quote refuses: their numbers (status 22-24) or
    their whole request (error 6, 7, 8)."""
    return plan["sendable"].astype(bool) & ~quote.table["sendable"].astype(bool)


def send_label(quote: Quote, numbers: int) -> str:
    """The Send button's label: what one click will do.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from decimal import Decimal
    >>> send_label(SimpleNamespace(total_parts=1234, total_cost=Decimal("3456.7")), 1200)
    'Send 1,234 SMS to 1,200 numbers for 3,456.70'
    """
    return f"Send {quote.total_parts:,} SMS to {numbers:,} numbers for {money(quote.total_cost)}"


def _header_html(counts: dict[str, int], quote: Quote) -> str:
    lines = [
        f"<b>{counts['valid']:,}</b> recipients to send to "
        f"({counts['numbers']:,} distinct numbers) of {counts['rows']:,} rows",
        f"<b>{counts['invalid']:,}</b> invalid, <b>{counts['duplicates']:,}</b> duplicates, "
        f"<b>{counts['refused']:,}</b> rows SMSC refuses",
        f"<b>{quote.total_parts:,}</b> {count_label(quote.kind)}, total cost "
        f"<b>{money(quote.total_cost)}</b>"
        + ("" if quote.balance is None else f", balance {money(quote.balance)}"),
    ]
    return '<div class="smsc-head" style="line-height:1.5">' + "<br>".join(lines) + "</div>"


def shortfall(quote: Quote) -> str | None:
    """Why the balance cannot pay for the campaign, or None when it can (or is unknown).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from decimal import Decimal
    >>> print(shortfall(SimpleNamespace(affordable=False, total_cost=Decimal("2901.2"),
    ...                                 balance=Decimal("1000"))))
    The campaign costs 2,901.20 but the balance is 1,000.00: top up at least 1,901.20, then run \
this cell again. SMSC would refuse the requests it cannot pay for (error 3, no money).
    """
    if quote.affordable is not False or quote.balance is None:
        return None
    return (
        f"The campaign costs {money(quote.total_cost)} but the balance is "
        f"{money(quote.balance)}: top up at least {money(quote.total_cost - quote.balance)}, "
        "then run this cell again. SMSC would refuse the requests it cannot pay for "
        "(error 3, no money)."
    )


def _samples_html(plan: pd.DataFrame, quote: Quote) -> str:
    samples = sample_messages(plan, quote=quote)
    if samples.empty:
        return ""
    if samples.index.name is None:
        samples = samples.rename_axis("row")
    return "<h4 style='margin:8px 0 2px 0'>Sample messages (as they will be sent)</h4>" + (
        table_html(samples, wrap=("text",))
    )


def _operators_html(quote: Quote) -> str:
    by_operator = quote.by_operator.copy()
    by_operator.index = by_operator.index.map(lambda name: "unknown" if pd.isna(name) else name)
    if by_operator.empty:
        return "<p>No sendable recipient.</p>"
    chart = bars_html(by_operator["cost"], labels=by_operator["cost"].map(money))
    return table_html(by_operator) + "<h4>Cost per operator</h4>" + chart


def _parts_html(plan: pd.DataFrame, quote: Quote) -> str:
    sendable = plan.loc[quote.table["sendable"].astype(bool), "parts"].astype("int64")
    if sendable.empty:
        return "<p>No sendable recipient.</p>"
    histogram = sendable.value_counts().sort_index()
    histogram.index = [f"{parts} part{'s' if parts > 1 else ''}" for parts in histogram.index]
    labels = histogram.map(lambda count: f"{count:,} recipients")
    return "<h4>Recipients by SMS parts</h4>" + bars_html(histogram, labels=labels)


def _problems_html(plan: pd.DataFrame, quote: Quote) -> str:
    bad = plan.loc[plan["problem"].notna(), ["phone_input", "problem"]]
    refused = quote.table.loc[smsc_refused(plan, quote), ["phone", "problem"]]
    parts = [f"<h4>Rows that will not be sent ({len(bad) + len(refused):,})</h4>"]
    parts.append(table_html(bad, wrap=("problem",)) if len(bad) else "")
    if len(refused):
        parts.append(
            f"<h4>Rows SMSC refuses ({len(refused):,})</h4>"
            + table_html(refused, wrap=("problem",))
        )
    if not len(bad) and not len(refused):
        parts.append("<p>None.</p>")
    return "".join(parts)


def around_costly(text: str, width: int = 60) -> str:
    """*text* cut to about *width* characters around its first character outside GSM-7.

    Texts often share a long common start; cutting at the end would hide the very character
    that makes one of them expensive.

    Examples
    --------
    >>> around_costly("Dear customer, " * 6 + "it’s sale time!", width=30)
    '…Dear customer, it’s sale time!'
    >>> around_costly("Short’s fine")
    'Short’s fine'
    """
    if len(text) <= width:
        return text
    costly = next((at for at, char in enumerate(text) if char not in _GSM7), 0)
    start = max(0, min(costly - width // 2, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _savings_html(savings: pd.DataFrame) -> str:
    costly = savings[savings["costly_characters"] != ""]
    if costly.empty:
        return "<p>No costly characters.</p>"
    shown = costly[
        [
            "text",
            "recipients",
            "parts",
            "suggested_parts",
            "sms_saved",
            "money_saved",
            "costly_characters",
        ]
    ].copy()
    shown["text"] = shown["text"].map(around_costly)
    saved = int(costly["sms_saved"].sum())
    hint = (
        f"<p><code>apply_savings(plan)</code> would save <b>{saved:,}</b> SMS.</p>"
        if saved
        else "<p>Replacing them would not save a part.</p>"
    )
    return hint + table_html(shown, index=False, wrap=("text", "costly_characters"))


def _reasons(results: pd.DataFrame) -> pd.Series:
    """The reasons of the rows not sent or unknown, most frequent first, with their counts."""
    unsent = results["outcome"].astype(object).isin(["not sent", "unknown"])
    reasons = results.loc[unsent, "reason"].astype(object).fillna("no reason given")
    return reasons.value_counts()


def outcome_html(results: pd.DataFrame) -> str:
    """The outcome of a send: a banner, the reasons of rows not sent, the summary table.

    Examples
    --------
    >>> from decimal import Decimal
    >>> results = pd.DataFrame({"phone": ["79161234567", "79031234567"], "parts": [1, 1],
    ...     "cost": [Decimal("1.9"), None], "outcome": ["sent", "not sent"],
    ...     "reason": [None, "SMSC error 3: no money"]})
    >>> out = outcome_html(results)
    >>> "Sent 1 SMS to 1 numbers for 1.90" in out, "SMSC error 3: no money" in out
    (True, True)
    """
    outcomes = results["outcome"].astype(object)
    sent = outcomes.eq("sent")
    costs = [cost for cost in results.loc[sent, "cost"] if cost is not None and not pd.isna(cost)]
    message = (
        f"Sent {int(results.loc[sent, 'parts'].sum()):,} SMS to "
        f"{results.loc[sent, 'phone'].nunique():,} numbers for {money(sum(costs))}"
        if sent.any()
        else "Nothing was sent"
    )
    if from_sandbox(results):
        message += " (sandbox: no real SMS)"
    reasons = _reasons(results)
    unsent = int(reasons.sum())
    if unsent:
        message += (
            f"; {unsent:,} row{'s' if unsent > 1 else ''} not sent or with an unknown outcome"
        )
    kind = "success" if sent.any() and not unsent else "warning" if sent.any() else "error"
    parts = [banner_html(message, kind=kind)]
    if unsent:
        items = "".join(
            f"<li>{count:,} × {html.escape(str(reason))}</li>" for reason, count in reasons.items()
        )
        parts.append(f'<div class="smsc-reasons"><b>Why not sent:</b><ul>{items}</ul></div>')
    summary = summarize(results)
    summary = summary[summary["recipients"] > 0]
    parts.append(table_html(summary, wrap=("note",)))
    return "".join(parts)
