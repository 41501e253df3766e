"""The notebook panel: see what a campaign costs, fix what wastes money, send with one click.

:func:`preview` quotes the plan (``cost=1``: nothing is sent) and returns a
:class:`CampaignPanel` showing the recipients (valid / invalid / duplicates), SMS parts, the
total cost and the cost per operator (table and bar chart), a parts histogram, the problem rows
(bad phones with reasons, numbers SMSC refuses, costly characters) and a Send button whose label
says what will happen. The first click only asks for confirmation; the second sends.

A campaign is sent at most once per kernel and server: a module-level registry keyed by the
server URL and the campaign id (the payloads' id prefix, derived from the plan's content) is
checked under a lock before anything is posted, so clicking twice, re-running the cell that
builds the panel, or calling :meth:`CampaignPanel.send` from code cannot send it again. Across
kernels, pass ``journal=``: :func:`smsc_frames.campaign.send` resumes from it without sending
anyone twice.

Errors and warnings of the send are shown inside the panel's ``output`` and kept in
``panel.error``; they never vanish into the kernel log.

Examples
--------
>>> from smsc_frames.payloads import Payload, campaign_id
>>> campaign_id([Payload("c0ffee-1", {}, (), 0, 0, ""), Payload("c0ffee-2", {}, (), 0, 0, "")])
'c0ffee'
"""

from __future__ import annotations

import os
import threading
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML

from smsc_frames.campaign import Quote, estimate, send, summarize
from smsc_frames.campaign.truncation import describe_cut
from smsc_frames.display import banner_html, bars_html, money, table_html
from smsc_frames.errors import SmscFramesError
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, campaign_id
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.planoptions import plan_options
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.savings import suggest_savings


@dataclass
class _Sending:
    """What this kernel did with one campaign: ``sending``, ``sent``, ``incomplete`` (some rows
    not sent or with an unknown outcome) or ``failed`` (the send raised)."""

    state: str
    results: pd.DataFrame | None = None
    error: BaseException | None = None


_RESUMABLE = ("incomplete", "failed")
_CAMPAIGNS: dict[tuple[str | None, str | None], _Sending] = {}
"""(server URL, campaign id) -> what this kernel did: the same plan may still go, once, to
another server (the sandbox first, then SMSC)."""
_CAMPAIGNS_LOCK = threading.Lock()


def sent_campaigns() -> dict[tuple[str | None, str | None], str]:
    """(server URL, campaign id) -> state (``sending``, ``sent``, ``incomplete``, ``failed``).

    Examples
    --------
    >>> isinstance(sent_campaigns(), dict)
    True
    """
    with _CAMPAIGNS_LOCK:
        return {key: record.state for key, record in _CAMPAIGNS.items()}


def _counts(plan: pd.DataFrame, quote: Quote) -> dict[str, int]:
    """Recipient counts for the panel's header."""
    invalid = plan["problem"].notna()
    duplicates = plan["duplicate_of"].notna() & ~invalid
    sendable = quote.table["sendable"].astype(bool)
    return {
        "rows": len(plan),
        "valid": int(plan["sendable"].astype(bool).sum()),
        "invalid": int(invalid.sum()),
        "duplicates": int(duplicates.sum()),
        "refused": int(quote.table["status"].notna().sum()),
        "numbers": int(quote.table.loc[sendable, "phone"].nunique()),
    }


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
        f"<b>{counts['refused']:,}</b> numbers SMSC refuses",
        f"<b>{quote.total_parts:,}</b> SMS parts, total cost <b>{money(quote.total_cost)}</b>",
    ]
    return "<br>".join(lines)


def _operators_html(quote: Quote) -> str:
    by_operator = quote.by_operator.copy()
    by_operator.index = by_operator.index.map(lambda name: "unknown" if pd.isna(name) else name)
    if by_operator.empty:
        return "<p>No sendable recipient.</p>"
    chart = bars_html(by_operator["cost"], labels=by_operator["cost"].map(money))
    return table_html(by_operator) + "<h4>Cost per operator</h4>" + chart


def _parts_html(plan: pd.DataFrame) -> str:
    sendable = plan.loc[plan["sendable"].astype(bool), "parts"].astype("int64")
    if sendable.empty:
        return "<p>No sendable recipient.</p>"
    histogram = sendable.value_counts().sort_index()
    histogram.index = [f"{parts} part{'s' if parts > 1 else ''}" for parts in histogram.index]
    labels = histogram.map(lambda count: f"{count:,} recipients")
    return "<h4>Recipients by SMS parts</h4>" + bars_html(histogram, labels=labels)


def _problems_html(plan: pd.DataFrame, quote: Quote) -> str:
    bad = plan.loc[plan["problem"].notna(), ["phone_input", "problem"]]
    refused = quote.table.loc[quote.table["status"].notna(), ["phone", "problem"]]
    parts = [f"<h4>Rows that will not be sent ({len(bad):,})</h4>"]
    parts.append(table_html(bad) if len(bad) else "<p>None.</p>")
    if len(refused):
        parts.append(f"<h4>Numbers SMSC refuses ({len(refused):,})</h4>" + table_html(refused))
    return "".join(parts)


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
    shown["text"] = shown["text"].map(lambda text: text if len(text) <= 60 else text[:59] + "…")
    saved = int(costly["sms_saved"].sum())
    hint = (
        f"<p><code>apply_savings(plan)</code> would save <b>{saved:,}</b> SMS.</p>"
        if saved
        else "<p>Replacing them would not save a part.</p>"
    )
    return hint + table_html(shown, index=False)


class CampaignPanel(widgets.VBox):
    """The campaign preview and its guarded Send button (build it with :func:`preview`).

    Attributes
    ----------
    plan, client, quote, payloads, journal
        What :func:`preview` was given or computed.
    campaign_id : str or None
        The payloads' id prefix.
    guard_key : tuple
        ``(client.url, campaign_id)``: the key of the once-per-kernel guard.
    savings : pandas.DataFrame
        :func:`smsc_frames.savings.suggest_savings` of the plan, priced with the quote.
    button : ipywidgets.Button
        Send; the first click asks to confirm, the second sends.
    output : ipywidgets.Output
        Progress, results summary, warnings and errors.
    error : BaseException or None
        The exception of a failed send.
    """

    def __init__(
        self,
        plan: pd.DataFrame,
        client: Any,
        quote: Quote,
        requests: list[Payload],
        *,
        journal: str | os.PathLike | None,
        max_workers: int,
        allow_send: bool = True,
        retry: RetryPolicy | None = None,
        limits: SmscLimits | None = None,
    ) -> None:
        self.plan, self.client, self.quote = plan, client, quote
        self.retry, self.limits = retry, limits
        self.payloads, self.journal, self.max_workers = requests, journal, max_workers
        self.campaign_id = campaign_id(requests)
        self.guard_key = (getattr(client, "url", None), self.campaign_id)
        self.savings = suggest_savings(plan, quote)
        self.error: BaseException | None = None
        self._confirming = False
        counts = _counts(plan, quote)
        self.label = send_label(quote, counts["numbers"])
        self.button = widgets.Button(
            description=self.label,
            button_style="primary",
            icon="paper-plane",
            layout=widgets.Layout(width="auto"),
        )
        self.cancel = widgets.Button(
            description="Cancel", layout=widgets.Layout(width="auto", display="none")
        )
        self.output = widgets.Output()
        self.button.on_click(self._on_click)
        self.cancel.on_click(self._on_cancel)
        tabs = widgets.Tab(
            children=[
                widgets.HTML(_operators_html(quote)),
                widgets.HTML(_parts_html(plan)),
                widgets.HTML(_problems_html(plan, quote)),
                widgets.HTML(_savings_html(self.savings)),
            ],
            titles=["Operators", "Parts", "Problem rows", "Costly characters"],
        )
        banner = (
            banner_html("Sandbox: prices are made up and no real SMS is sent.", kind="warning")
            if quote.sandbox
            else ""
        )
        cut = describe_cut(quote.cut, quote.maxsms)
        if cut:
            banner += banner_html(cut, kind="warning")
        header = widgets.HTML(banner + _header_html(counts, quote))
        buttons = [widgets.HBox([self.button, self.cancel])] if allow_send else []
        super().__init__([header, tabs, *buttons, self.output])
        self._show_state()

    # -- the guarded send

    @property
    def results(self) -> pd.DataFrame | None:
        """The results of this campaign's send in this kernel, or ``None`` before it."""
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
        return None if record is None else record.results

    def _may_send(self, record: _Sending | None) -> bool:
        """Never sent here, or left unfinished with a journal that makes resuming safe."""
        return record is None or (record.state in _RESUMABLE and bool(self.journal))

    def _claim(self) -> _Sending | None:
        """Reserve the campaign for one send; the existing record when it is taken."""
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
            if self._may_send(record):
                _CAMPAIGNS[self.guard_key] = _Sending("sending")
                return None
            return record

    def send(self) -> pd.DataFrame:
        """Send the campaign unless this kernel already did; return its results.

        The same guard as the button: a campaign already sent returns its results without
        posting anything. A send that failed or left rows unsent is resumed only with a journal
        (which sends exactly once); without one, a failed campaign raises and an incomplete one
        returns its results.

        Raises
        ------
        SmscFramesError
            Nothing to send, the campaign is being sent, or it failed earlier in this kernel.
        SmscError
            The send itself failed (also shown in ``output``).
        """
        if self.campaign_id is None:
            raise SmscFramesError("nothing to send: the plan has no sendable row")
        taken = self._claim()
        if taken is not None:
            self._show_state()
            if taken.state in ("sent", "incomplete"):
                return taken.results
            raise SmscFramesError(
                f"campaign {self.campaign_id} is {taken.state} in this kernel; it is not sent "
                "again (pass journal=... to preview to resume a failed send safely)"
            )
        self._set_button("Sending…", disabled=True)
        try:
            results, caught = self._send_with_progress()
        except BaseException as error:
            self.error = error
            with _CAMPAIGNS_LOCK:
                _CAMPAIGNS[self.guard_key] = _Sending(
                    "failed", getattr(error, "results", None), error
                )
            self._show_error(error)
            self._show_state()
            raise
        unfinished = results["outcome"].astype(object).isin(["not sent", "unknown"]).any()
        with _CAMPAIGNS_LOCK:
            _CAMPAIGNS[self.guard_key] = _Sending("incomplete" if unfinished else "sent", results)
        for warning in caught:
            self.output.append_display_data(HTML(banner_html(str(warning.message), kind="warning")))
        self._show_results(results)
        self._show_state()
        return results

    def _send_with_progress(self) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
        """Run the send with its progress bar inside ``output``; its warnings are returned.

        Inside a kernel ``Output`` swallows an exception raised in its ``with`` block, so the
        exception is carried out of it and raised here.
        """
        outcome: dict[str, Any] = {}
        with warnings.catch_warnings(record=True) as caught, self.output:
            warnings.simplefilter("always")
            try:
                outcome["results"] = send(
                    self.plan,
                    self.client,
                    journal=self.journal,
                    max_workers=self.max_workers,
                    payloads=self.payloads,
                    retry=self.retry,
                    limits=self.limits,
                )
            except BaseException as error:  # noqa: BLE001 - re-raised below, outside Output
                outcome["error"] = error
        if "error" in outcome:
            raise outcome["error"]
        return outcome["results"], list(caught)

    # -- button handling

    def _on_click(self, _button: widgets.Button) -> None:
        try:
            if not self._confirming:
                if self._claimable():
                    self._confirming = True
                    self._set_button(f"Click again to confirm: {self.label}", style="danger")
                    self.cancel.layout.display = None
                else:
                    self._show_state()
                return
            self._confirming = False
            self.cancel.layout.display = "none"
            self.send()
        except BaseException as error:  # noqa: BLE001 - a handler's exception would vanish
            if error is not self.error:
                self.error = error
                self._show_error(error)

    def _on_cancel(self, _button: widgets.Button) -> None:
        self._confirming = False
        self.cancel.layout.display = "none"
        self._show_state()

    def _claimable(self) -> bool:
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
        return self.campaign_id is not None and self._may_send(record)

    # -- showing state

    def _set_button(
        self, description: str, *, disabled: bool = False, style: str = "primary"
    ) -> None:
        self.button.description = description
        self.button.disabled = disabled
        self.button.button_style = style

    def _show_state(self) -> None:
        """Label and enable the button from the registry."""
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
        if self.campaign_id is None:
            self._set_button("Nothing to send", disabled=True, style="")
        elif record is None:
            self._set_button(self.label)
        elif record.state == "sent":
            self._set_button(
                f"Sent in this kernel: {self.label[5:]}", disabled=True, style="success"
            )
        elif record.state == "sending":
            self._set_button("Sending…", disabled=True)
        elif self.journal:
            self._set_button(f"Resume from the journal: {self.label}", style="warning")
        elif record.state == "incomplete":
            self._set_button(
                "Some rows were not sent (see below); pass journal= to resume",
                disabled=True,
                style="warning",
            )
        else:
            self._set_button(
                "Send failed (see below); not sent again from this kernel",
                disabled=True,
                style="danger",
            )

    def _show_results(self, results: pd.DataFrame) -> None:
        sent = results["outcome"].astype(object).eq("sent")
        costs = [cost for cost in results.loc[sent, "cost"] if cost is not None]
        message = (
            f"Sent {int(results.loc[sent, 'parts'].sum()):,} SMS to "
            f"{results.loc[sent, 'phone'].nunique():,} numbers for {money(sum(costs))}"
        )
        if results.attrs.get("sandbox"):
            message += " (sandbox: no real SMS)"
        unsent = results["outcome"].astype(object).isin(["not sent", "unknown"]).sum()
        if unsent:
            message += f"; {unsent:,} rows not sent or unknown (see the reason column)"
        kind = "success" if sent.any() and not unsent else "warning"
        self.output.append_display_data(
            HTML(banner_html(message, kind=kind) + table_html(summarize(results)))
        )

    def _show_error(self, error: BaseException) -> None:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        hint = (
            f" The journal {str(self.journal)!r} records what was sent: send again to resume."
            if self.journal
            else " Nothing will be re-sent from this kernel."
        )
        self.output.append_display_data(
            HTML(banner_html(f"Send failed: {detail}.{hint}", kind="error"))
        )
        results = getattr(error, "results", None)
        if isinstance(results, pd.DataFrame):
            self.output.append_display_data(HTML(table_html(summarize(results))))


def preview(
    plan: pd.DataFrame,
    client: Any,
    *,
    options: Options | None = None,
    quote: Quote | None = None,
    journal: str | os.PathLike | None = None,
    max_workers: int = 4,
    allow_send: bool = True,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
) -> CampaignPanel:
    """Quote *plan* and return the campaign panel with its guarded Send button.

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare`.
    client : smsc_frames.client.Client
    options : Options, optional
        The send options (default: the plan's own; a plan that lost them in a merge is
        refused).
    quote : Quote, optional
        An :func:`smsc_frames.campaign.estimate` of the same plan (else one is made: ``cost=1``,
        nothing is sent).
    journal : str or path-like, optional
        Passed to :func:`smsc_frames.campaign.send`: protects across kernels and lets a failed
        send resume.
    max_workers : int
        Parallel requests of the send.
    allow_send : bool, default True
        False shows the preview without a Send button (a first look before fixing the texts).
    retry : RetryPolicy, optional
    limits : SmscLimits, optional
        Passed to the quote and the send.

    Returns
    -------
    CampaignPanel
        An ``ipywidgets.VBox``; display it (last expression of a cell).

    Examples
    --------
    >>> from smsc_frames.sandbox import Sandbox
    >>> from smsc_frames.client import Client
    >>> from smsc_frames.plan import prepare
    >>> contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "8 916 765-43-21", "12"],
    ...                          "text": ["Hi", "Hi", "Hi"]})
    >>> with Sandbox() as sandbox:
    ...     panel = preview(prepare(contacts, phone="phone", text="text"),
    ...                     Client("demo", "demo", url=sandbox.url, environ={}))
    >>> panel.button.description.startswith("Send 2 SMS to 2 numbers for ")
    True
    """
    requests = list(build_payloads(plan, plan_options(plan, options)))
    if quote is None:
        quote = estimate(plan, client, payloads=requests, retry=retry, limits=limits)
    return CampaignPanel(
        plan,
        client,
        quote,
        requests,
        journal=journal,
        max_workers=max_workers,
        allow_send=allow_send,
        retry=retry,
        limits=limits,
    )
