"""The notebook panel: see what a campaign costs, fix what wastes money, send with one click.

:func:`preview` quotes the plan (``cost=1``: nothing is sent) and returns a
:class:`CampaignPanel` showing the recipients (valid / invalid / duplicates), SMS parts, the
total cost and the cost per operator (table and bar chart), a parts histogram, the problem rows
(bad phones with reasons, numbers SMSC refuses, costly characters) and a Send button whose label
says what will happen. The Send button only asks: a separate Confirm button appears beside it and
sends, but only when clicked at least :attr:`CampaignPanel.confirm_delay` (0.5 s) after it
appeared, so a double-click on Send never sends. A campaign the account balance cannot cover
says so inside the panel and cannot be sent from it.

A campaign is sent at most once per kernel and server: a module-level registry keyed by the
server URL and the campaign id (the payloads' id prefix, derived from the plan's content) is
checked under a lock before anything is posted, so clicking twice, re-running the cell that
builds the panel, or calling :meth:`CampaignPanel.send` from code cannot send it again. Across
kernels, pass ``journal=``: :func:`smsc_frames.campaign.send` resumes from it without sending
anyone twice.

The outcome of a send lives in widgets of its own: ``panel.summary`` (what was sent, what was
not and why) and ``panel.errors`` (warnings and errors, also kept in ``panel.error``). The
progress bar has its own ``panel.output``: in a browser a progress bar redraws the Output it
lives in, which would wipe anything else shown there.

Examples
--------
>>> from smsc_frames.payloads import Payload, campaign_id
>>> campaign_id([Payload("c0ffee-1", {}, (), 0, 0, ""), Payload("c0ffee-2", {}, (), 0, 0, "")])
'c0ffee'
"""

from __future__ import annotations

import os
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd

from smsc_frames.campaign import Quote, estimate, send
from smsc_frames.campaign.truncation import describe_cut
from smsc_frames.display import banner_html
from smsc_frames.errors import SmscFramesError
from smsc_frames.options import Options
from smsc_frames.panelviews import (
    _counts,
    _header_html,
    _operators_html,
    _parts_html,
    _problems_html,
    _samples_html,
    _savings_html,
    outcome_html,
    send_label,
    shortfall,
)
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


class CampaignPanel(widgets.VBox):
    """The campaign preview and its guarded Send button (build it with :func:`preview`).

    Laid out so that the summary, the sample messages and the buttons come first (visible
    without scrolling), then the outcome of a send, its progress bar, and the detail tabs.

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
        Send: asks for confirmation (shows ``confirm`` and ``cancel``); never sends itself.
    confirm : ipywidgets.Button
        Sends; shown after a click on ``button``, and deaf for :attr:`confirm_delay` seconds
        after it appears (the second click of a double-click on Send is not a confirmation).
    cancel : ipywidgets.Button
        Back to the Send button without sending.
    summary : ipywidgets.HTML
        The outcome of the send: what was sent, what was not and why, the summary table.
    errors : ipywidgets.HTML
        Warnings (before and during the send) and errors.
    output : ipywidgets.Output
        The send's progress bar, and nothing else.
    error : BaseException or None
        The exception of a failed send.
    confirm_delay : float
        Seconds during which ``confirm`` ignores clicks after it appeared.
    """

    confirm_delay = 0.5

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
        notices: tuple[str, ...] = (),
    ) -> None:
        self.plan, self.client, self.quote = plan, client, quote
        self.retry, self.limits = retry, limits
        self.payloads, self.journal, self.max_workers = requests, journal, max_workers
        self.campaign_id = campaign_id(requests)
        self.guard_key = (getattr(client, "url", None), self.campaign_id)
        self.savings = suggest_savings(plan, quote)
        self.error: BaseException | None = None
        self.shortfall = shortfall(quote)
        self._confirm_shown_at: float | None = None
        self._clock = time.monotonic
        counts = _counts(plan, quote)
        self.label = send_label(quote, counts["numbers"])
        self.button = widgets.Button(
            description=self.label,
            button_style="primary",
            icon="paper-plane",
            layout=widgets.Layout(width="auto"),
        )
        self.confirm = widgets.Button(
            description=f"Confirm: {self.label}",
            button_style="danger",
            icon="check",
            layout=widgets.Layout(width="auto", display="none"),
        )
        self.cancel = widgets.Button(
            description="Cancel", layout=widgets.Layout(width="auto", display="none")
        )
        self.summary = widgets.HTML("")
        self.errors = widgets.HTML("")
        self.output = widgets.Output()
        self.button.on_click(self._on_click)
        self.confirm.on_click(self._on_confirm)
        self.cancel.on_click(self._on_cancel)
        tabs = widgets.Tab(
            children=[
                widgets.HTML(_operators_html(quote)),
                widgets.HTML(_parts_html(plan, quote)),
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
        if self.shortfall:
            banner += banner_html(self.shortfall, kind="error")
        for notice in notices:
            if not (self.shortfall and "balance" in notice):  # said once, in our words
                banner += banner_html(notice, kind="warning")
        header = widgets.HTML(banner + _header_html(counts, quote) + _samples_html(plan, quote))
        buttons = [widgets.HBox([self.button, self.confirm, self.cancel])] if allow_send else []
        super().__init__([header, *buttons, self.summary, self.errors, self.output, tabs])
        self.add_class("smsc-panel")
        for widget, name in [
            (self.button, "smsc-send"),
            (self.confirm, "smsc-confirm"),
            (self.cancel, "smsc-cancel"),
            (self.summary, "smsc-summary"),
            (self.errors, "smsc-errors"),
            (header, "smsc-header"),
        ]:
            widget.add_class(name)  # stable handles for styling and for browser tests
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
        returns its results. Sending from code is not stopped by a balance shortfall (SMSC
        refuses what it cannot pay for, and the panel shows why).

        Raises
        ------
        SmscFramesError
            Nothing to send, the campaign is being sent, or it failed earlier in this kernel.
        SmscError
            The send itself failed (also shown in ``errors``).
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
        self._hide_confirm()
        self._set_button("Sending…", disabled=True)
        self.summary.value = ""
        self.errors.value = ""
        try:
            results, caught = self._send_with_progress()
        except BaseException as error:
            self.error = error
            with _CAMPAIGNS_LOCK:
                _CAMPAIGNS[self.guard_key] = _Sending("failed", getattr(error, "results", None))
            self._show_error(error)
            self._show_state()
            raise
        unfinished = results["outcome"].astype(object).isin(["not sent", "unknown"]).any()
        with _CAMPAIGNS_LOCK:
            _CAMPAIGNS[self.guard_key] = _Sending("incomplete" if unfinished else "sent", results)
        self.errors.value = "".join(
            banner_html(str(warning.message), kind="warning") for warning in caught
        )
        self.summary.value = outcome_html(results)
        self._show_state()
        return results

    def _send_with_progress(self) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
        """Run the send with its progress bar inside ``output``; its warnings are returned.

        Inside a kernel ``Output`` swallows an exception raised in its ``with`` block, so the
        exception is carried out of it and raised here.
        """
        outcome: dict[str, Any] = {}
        self.output.clear_output()
        with warnings.catch_warnings(record=True) as caught, self.output:
            warnings.simplefilter("always")
            try:
                outcome["results"] = send(
                    self.plan,
                    self.client,
                    journal=self.journal,
                    max_workers=self.max_workers,
                    payloads=self.payloads,
                    verify_payloads=False,  # built from self.plan by preview
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
        """Send: show the Confirm button (never sends; a second click is ignored)."""
        try:
            if self._confirm_shown_at is not None:
                return  # the second click of a double-click, or an impatient one
            if not self._claimable():
                self._show_state()
                return
            self._confirm_shown_at = self._clock()
            self._set_button("Send? Confirm or cancel →", disabled=True, style="warning")
            self.confirm.layout.display = None
            self.cancel.layout.display = None
        except BaseException as error:  # noqa: BLE001 - a handler's exception would vanish
            self._record_error(error)

    def _on_confirm(self, _button: widgets.Button) -> None:
        """Confirm: sends, unless clicked within ``confirm_delay`` of appearing."""
        try:
            shown_at = self._confirm_shown_at
            if shown_at is None or self._clock() - shown_at < self.confirm_delay:
                return
            self._hide_confirm()
            self.send()
        except BaseException as error:  # noqa: BLE001 - a handler's exception would vanish
            self._record_error(error)

    def _on_cancel(self, _button: widgets.Button) -> None:
        self._hide_confirm()
        self._show_state()

    def _hide_confirm(self) -> None:
        self._confirm_shown_at = None
        self.confirm.layout.display = "none"
        self.cancel.layout.display = "none"

    def _record_error(self, error: BaseException) -> None:
        if error is not self.error:
            self.error = error
            self._show_error(error)

    def _claimable(self) -> bool:
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
        return self._anything_to_send() and not self.shortfall and self._may_send(record)

    def _anything_to_send(self) -> bool:
        """Requests to post, and rows in them SMSC's quote did not refuse."""
        return self.campaign_id is not None and self.quote.recipients > 0

    # -- showing state

    def _set_button(
        self, description: str, *, disabled: bool = False, style: str = "primary"
    ) -> None:
        self.button.description = description
        self.button.tooltip = description
        self.button.disabled = disabled
        self.button.button_style = style

    def _show_state(self) -> None:
        """Label and enable the button from the registry."""
        with _CAMPAIGNS_LOCK:
            record = _CAMPAIGNS.get(self.guard_key)
        if not self._anything_to_send():
            self._set_button("Nothing to send", disabled=True, style="")
        elif record is None and self.shortfall:
            self._set_button(
                "Not enough money on the balance (see above)", disabled=True, style="danger"
            )
        elif record is None:
            self._set_button(self.label)
        elif record.state == "sent":
            self._set_button(
                f"Sent in this kernel: {self.label[5:]}", disabled=True, style="success"
            )
        elif record.state == "sending":
            self._set_button("Sending…", disabled=True)
        elif self.journal and not self.shortfall:
            self._set_button(f"Resume from the journal: {self.label}", style="warning")
        elif record.state == "incomplete":
            self._set_button(
                "Some rows were not sent (reasons below); pass journal= to resume",
                disabled=True,
                style="warning",
            )
        else:
            self._set_button(
                "Send failed (reason below); not sent again from this kernel",
                disabled=True,
                style="danger",
            )
        if record is not None and record.results is not None and not self.summary.value:
            self.summary.value = outcome_html(record.results)  # a re-run cell shows the outcome

    def _show_error(self, error: BaseException) -> None:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        hint = (
            f" The journal {str(self.journal)!r} records what was sent: send again to resume."
            if self.journal
            else " Nothing will be re-sent from this kernel."
        )
        shown = banner_html(f"Send failed: {detail}.{hint}", kind="error")
        results = getattr(error, "results", None)
        if isinstance(results, pd.DataFrame):
            self.summary.value = outcome_html(results)
        self.errors.value += shown


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
    notices: tuple[str, ...] = ()
    if quote is None:
        with warnings.catch_warnings(record=True) as caught:  # shown in the panel, not stderr
            warnings.simplefilter("always")
            quote = estimate(
                plan, client, payloads=requests, verify_payloads=False, retry=retry, limits=limits
            )
        notices = tuple(str(warning.message) for warning in caught)
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
        notices=notices,
    )
