"""What a campaign would cost: the very requests ``send`` would post, with ``cost=1&op=1``.

Examples
--------
>>> from smsc_frames.sandbox import Sandbox
>>> from smsc_frames.client import Client
>>> from smsc_frames.plan import prepare
>>> contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "bad"], "text": ["Hi", "Hi"]})
>>> with Sandbox() as sandbox:
...     quote = estimate(prepare(contacts, phone="phone", text="text"),
...                      Client("demo", "demo", url=sandbox.url))
>>> quote.recipients, quote.total_parts, quote.table["sendable"].tolist()
(1, 1, [True, False])
"""

from __future__ import annotations

import warnings
from collections.abc import MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html import escape
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from smsc_frames.api import SmscApi
from smsc_frames.campaign.rows import (
    per_phone,
    per_row,
    plan_problems,
    price_groups,
    refused_numbers,
)
from smsc_frames.campaign.truncation import COLUMNS, cut_texts, describe_cut
from smsc_frames.display import money
from smsc_frames.errors import REQUEST_REFUSALS, refusal_reason
from smsc_frames.messagekinds import CALL_CHARS_PER_SECOND, count_label, params_kind
from smsc_frames.operators import operator_names
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, check_payloads, recipient_rows
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.planoptions import plan_options
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.recipients import is_group, recipient_operators
from smsc_frames.responses import parse_send, status_names
from smsc_frames.sandboxmark import server_name


def quote_cache_key(client: Any, digest: str) -> str:
    """The key of a payload's ``cost=1`` answer in an :func:`estimate` ``cache=`` mapping.

    Server URL, account identity (the login, or a sha256 of the API key: never a secret) and
    the payload digest, so answers of another server or account are never reused.

    Examples
    --------
    >>> from smsc_frames.client import Client
    >>> quote_cache_key(Client("shop", "secret", url="https://smsc.ru"), "ab12")
    'quote1 https://smsc.ru login:shop ab12'
    >>> "my-key" in quote_cache_key(Client(apikey="my-key", url="https://smsc.ru"), "ab12")
    False
    """
    return f"quote1 {client.identity} {digest}"


@dataclass(frozen=True)
class Quote:
    """What a campaign would cost, from SMSC's ``cost=1&op=1`` answers (nothing was sent).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per plan row, on the plan's index: ``phone``, ``payload_id``, ``mccmnc``,
        ``operator``, ``parts`` (local count), ``cost`` (Decimal, SMSC's price for the row),
        ``status``/``error`` (what SMSC said of the number), ``sendable`` and ``problem`` (why a
        row will not be sent), ``cnt_agrees`` (SMSC's ``cnt`` for the row's request equals the
        local count of parts).
    total_cost : Decimal
        The sum of SMSC's per-request costs.
    total_parts : int
        The sum of SMSC's ``cnt``: SMS parts that would be billed (seconds of speech for
        ``call=1``, one per number for ``hlr``/``ping``; see :attr:`kind`).
    recipients : int
        Plan rows that would be sent.
    by_operator : pandas.DataFrame
        Per operator: ``recipients``, ``parts``, ``cost``.
    sandbox : bool
        True when the quote came from the sandbox (its prices are made up).
    balance : Decimal or None
        The account balance when the quote was made (``balance.php``), None when it could not
        be read.
    maxsms : int or None
        The campaign's ``maxsms``.
    cut : pandas.DataFrame
        The sendable rows whose text ``maxsms`` cuts: ``text``, ``parts`` (uncut), ``sent_text``
        (what SMSC sends); empty when nothing is cut.
    kind : str
        What SMSC's ``cnt`` counts (:func:`smsc_frames.messagekinds.message_kind`): ``"sms"``,
        ``"call"`` (``total_parts`` are then seconds of speech and the table's ``parts`` billed
        minutes), ``"hlr"``...
    groups : int
        Sendable ``G<n>`` group rows: their members are known only to SMSC, whose totals
        count them; a group row's ``cost`` is its request's rest when the request holds one
        group, else missing.
    """

    table: pd.DataFrame
    total_cost: Decimal
    total_parts: int
    recipients: int
    by_operator: pd.DataFrame = field(repr=False)
    sandbox: bool = False
    balance: Decimal | None = None
    maxsms: int | None = None
    cut: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS), repr=False)
    kind: str = "sms"
    groups: int = 0

    @property
    def affordable(self) -> bool | None:
        """Whether the balance covers :attr:`total_cost` (None when the balance is unknown).

        SMSC refuses a whole request with error 3 when the balance cannot pay for all of it.
        """
        return None if self.balance is None else self.total_cost <= self.balance

    def _balance_line(self) -> str:
        if self.balance is None:
            return "balance unknown (balance.php did not answer)"
        if self.affordable:
            return f"balance {money(self.balance)}: enough"
        return (
            f"balance {money(self.balance)}: NOT ENOUGH, {money(self.total_cost - self.balance)} "
            "short (SMSC refuses whole requests with error 3; top up first)"
        )

    def counted(self) -> str:
        """What SMSC counted, in words: ``"12 SMS parts"``, ``"95 seconds of speech (...)"``,
        and a word on groups."""
        text = f"{self.total_parts:,} {count_label(self.kind)}"
        if self.kind == "call":
            minutes = int(self.table.loc[self.table["sendable"], "parts"].sum())
            text += (
                f" (billed per started minute: {minutes:,} minutes; the duration is an "
                f"estimate at {CALL_CHARS_PER_SECOND} characters a second)"
            )
        if self.groups:
            text += (
                f", {self.groups:,} group(s) G<n> included: their members and cost only "
                "SMSC's answer knows"
            )
        return text

    def __str__(self) -> str:
        where = " (sandbox prices, nothing is real)" if self.sandbox else ""
        cut = describe_cut(self.cut, self.maxsms)
        return (
            f"{self.recipients:,} recipients, {self.counted()}, total cost "
            f"{money(self.total_cost)}{where}; {self._balance_line()}" + (f"; {cut}" if cut else "")
        )

    def _repr_html_(self) -> str:
        where = " <b>(sandbox prices, nothing is real)</b>" if self.sandbox else ""
        line = escape(self._balance_line())
        if self.affordable is False:
            line = f'<b style="color:#b00">{line}</b>'
        cut = describe_cut(self.cut, self.maxsms)
        head = (
            f"<p>{self.recipients:,} recipients, {escape(self.counted())}, "
            f"total cost {money(self.total_cost)}{where}</p><p>{line}</p>"
            + (f'<p style="color:#b00">{escape(cut)}</p>' if cut else "")
        )
        return head + self.by_operator.to_html(formatters={"cost": money})


def estimate(
    plan: pd.DataFrame,
    client: Any,
    *,
    options: Options | None = None,
    payloads: Sequence[Payload] | None = None,
    verify_payloads: bool = True,
    max_workers: int = 4,
    retry: RetryPolicy | None = None,
    limits: SmscLimits | None = None,
    cache: MutableMapping[str, Any] | None = None,
    progress: bool = False,
) -> Quote:
    """Ask SMSC what the campaign would cost, with the very payloads :func:`send` would post.

    Each payload goes out with ``cost=1&op=1`` (nothing is sent). Answers are kept by the
    client (per account and payload digest), and in *cache* when given, so estimating an
    unchanged plan again asks nothing (SMSC refuses more than 5 identical ``cost=1`` requests a
    minute).

    Parameters
    ----------
    plan : pandas.DataFrame
        From :func:`smsc_frames.plan.prepare`.
    client : smsc_frames.client.Client
    options : Options, optional
        The send options (default: the plan's own, ``plan.attrs["options"]``; a plan that lost
        them in a merge is refused rather than quoted without them).
    payloads : sequence of Payload, optional
        The requests to quote (default ``payloads(plan, options)``); pass the ones you will send.
    verify_payloads : bool, default True
        Refuse *payloads* carrying a message the plan does not hold (built from another plan,
        or before ``apply_savings`` changed its texts) before any request; the check decodes
        every message (about 1.5 s per 100,000 rows). ``False`` only for payloads just built
        from this very plan.
    max_workers : int
        Parallel requests, 1 to ``limits.max_workers``.
    retry : RetryPolicy, optional
    limits : SmscLimits, optional
    cache : MutableMapping[str, dict], optional
        Answers kept beyond this client object, e.g. across processes
        (:class:`smsc_frames.quotecache.QuoteCache`, a file the command line uses): maps
        :func:`quote_cache_key` (server URL, login or a sha256 of the API key, payload digest;
        never a secret) to the ``cost=1`` answer. Looked up for every payload the client has
        not quoted yet, and given every new answer. An entry the mapping no longer holds (the
        file cache expires them after 10 minutes) is asked again.
    progress : bool, default False
        Show a ``tqdm`` bar over the recipients of the requests being quoted.

    Returns
    -------
    Quote

    Warns
    -----
    UserWarning
        When SMSC counts a request's parts differently from the local count, and when the
        account balance (one ``balance.php`` call; ``Quote.balance``) does not cover the total
        cost.
    """
    api = SmscApi.of(client, retry, limits)
    api.limits.check_workers(max_workers)
    requests = list(
        build_payloads(plan, plan_options(plan, options)) if payloads is None else payloads
    )
    if payloads is not None and verify_payloads:
        check_payloads(plan, requests)
    known = client.quotes
    for request in requests:
        if request.digest not in known and cache is not None:
            stored = cache.get(quote_cache_key(client, request.digest))
            if isinstance(stored, dict):
                known[request.digest] = stored
    missing = list({r.digest: r for r in requests if r.digest not in known}.values())
    refused: dict[str, str] = {}  # by digest; never cached: SMSC may decide otherwise later

    def quote_one(request: Payload) -> tuple[Payload, dict[str, Any] | None]:
        try:
            answer = api.quote(request.params)
        except REQUEST_REFUSALS as error:
            refused[request.digest] = refusal_reason(error.code, error.message)
            return request, None
        known[request.digest] = answer
        return request, answer

    if missing:
        bar = tqdm(
            total=sum(len(r.recipients) for r in missing),
            desc="quote",
            unit="phone",
            disable=not progress,
        )
        with bar, ThreadPoolExecutor(max_workers=min(max_workers, len(missing))) as pool:
            for future in as_completed([pool.submit(quote_one, r) for r in missing]):
                request, answer = future.result()
                if cache is not None and answer is not None:
                    cache[quote_cache_key(client, request.digest)] = answer
                bar.update(len(request.recipients))
    answers = {r.id: known[r.digest] for r in requests if r.digest not in refused}
    refusals = {r.id: refused[r.digest] for r in requests if r.digest in refused}
    params = requests[0].params if requests else {}
    # asked before the quote is labelled: with every answer cached, balance.php is the one
    # request that tells whether the server is the sandbox
    balance = _balance_or_none(api)
    quote = _quote(
        plan, requests, answers, refusals, sandbox=api.is_sandbox, kind=params_kind(params)
    )
    maxsms = int(params["maxsms"]) if "maxsms" in params else None
    translit, tinyurl = int(params.get("translit", 0)), params.get("tinyurl") == "1"
    cut = cut_texts(plan, maxsms, translit, kind=quote.kind, tinyurl=tinyurl)
    quote = replace(quote, balance=balance, maxsms=maxsms, cut=cut)
    if quote.balance is not None and quote.affordable is False:
        warn_shortfall(quote.total_cost, quote.balance, sandbox=quote.sandbox, stacklevel=3)
    return quote


SHORTFALL_WARNING = "the campaign costs .* but the balance is"
"""A pattern matching :func:`warn_shortfall`'s message (for ``warnings.filterwarnings``)."""


def warn_shortfall(
    cost: Decimal, balance: Decimal, *, sandbox: bool | None, stacklevel: int = 2
) -> None:
    """Warn that the balance does not cover *cost*: SMSC would refuse requests (error 3)."""
    warnings.warn(
        f"the campaign costs {cost:,.2f} but the balance is {balance:,.2f}: "
        f"{server_name(sandbox)} would refuse whole requests with error 3 (no money); "
        "top up first",
        stacklevel=stacklevel,
    )


def _balance_or_none(api: SmscApi) -> Decimal | None:
    """The account balance, or None when ``balance.php`` fails (a quote is still useful)."""
    try:
        return api.balance()
    except Exception:  # noqa: BLE001 - any failure only means "balance unknown"
        return None


def _quote(
    plan: pd.DataFrame,
    requests: list[Payload],
    answers: dict[str, Any],
    refusals: dict[str, str],
    *,
    sandbox: bool,
    kind: str = "sms",
) -> Quote:
    rows = recipient_rows(plan, requests)
    op_rows = {pid: answer.get("phones") or [] for pid, answer in answers.items()}
    merged = per_row(rows, per_phone(op_rows)).reindex(plan.index)

    table = pd.DataFrame(index=plan.index)
    table["phone"] = plan["phone"]
    table["payload_id"] = rows["payload_id"]
    table["mccmnc"] = merged["mccmnc"]
    table["operator"] = operator_names(table["mccmnc"])
    special = recipient_operators(table["phone"])
    table["operator"] = table["operator"].astype(object).where(special.isna(), special)
    table["parts"] = plan["parts"]
    table["cost"] = merged["cost"].astype(object).where(merged["cost"].notna(), None)
    table["status"] = merged["status"].astype("Int64")
    table["error"] = merged["error"].astype("Int64")
    refused = refused_numbers(table["status"], table["error"])
    table["status"] = table["status"].where(refused)  # an accepted number's fields: a reading
    table["error"] = table["error"].where(refused)
    table["sendable"] = plan["sendable"].astype(bool) & ~refused
    table["problem"] = plan_problems(plan)
    table.loc[refused, "problem"] = "SMSC: " + status_names(table.loc[refused, "status"])
    if refusals:
        _mark_refused_requests(table, refusals, sandbox)

    parsed = {payload_id: _totals(answer) for payload_id, answer in answers.items()}
    server_cnt = pd.Series({payload_id: cnt for payload_id, (cnt, _) in parsed.items()})
    counted = plan["units"] if kind == "call" else plan["parts"]  # a call's cnt: seconds
    local_cnt = (
        counted[table["sendable"]]
        .groupby(table["payload_id"])
        .sum()
        .reindex(server_cnt.index, fill_value=0)
    )
    agrees = (server_cnt == local_cnt).astype("boolean")
    group_rows = table["sendable"] & is_group(table["phone"])
    if group_rows.any():
        totals = {pid: cost for pid, (_, cost) in parsed.items()}
        table["cost"] = price_groups(
            table["payload_id"], table["cost"], group_rows, table["sendable"], totals
        )
        agrees[agrees.index.isin(table.loc[group_rows, "payload_id"])] = pd.NA  # unknown
    table["cnt_agrees"] = table["payload_id"].map(agrees).astype("boolean")
    if not agrees.fillna(True).all():
        disagreeing = ", ".join(
            f"{pid}: SMSC {server_cnt[pid]} vs local {local_cnt[pid]}"
            for pid in agrees.index[~agrees.fillna(True)]
        )
        warnings.warn(
            f"{server_name(sandbox, first=True)} counts the parts of some requests differently "
            f"({disagreeing}); its count is what is billed (see the cnt_agrees column)",
            stacklevel=3,
        )

    sendable = table[table["sendable"]]
    by_operator = (
        sendable.assign(cost=sendable["cost"].where(sendable["cost"].notna(), Decimal(0)))
        .groupby("operator", dropna=False)
        .agg(recipients=("phone", "size"), parts=("parts", "sum"), cost=("cost", "sum"))
        .sort_values("recipients", ascending=False)
    )
    total_cost = sum((cost for _, cost in parsed.values()), Decimal(0))
    return Quote(
        table=table,
        total_cost=total_cost,
        total_parts=int(server_cnt.sum()) if len(server_cnt) else 0,
        recipients=int(table["sendable"].sum()),
        by_operator=by_operator,
        sandbox=sandbox,
        kind=kind,
        groups=int(group_rows.sum()),
    )


def _mark_refused_requests(table: pd.DataFrame, refusals: dict[str, str], sandbox: bool) -> None:
    """Rows of the requests SMSC refused whole (error 6, 7, 8) are not sendable, and say why;
    a warning counts them, for they are otherwise valid rows."""
    denied = table["payload_id"].isin(list(refusals)) & table["sendable"]
    table.loc[denied, "sendable"] = False
    table.loc[denied, "problem"] = table.loc[denied, "payload_id"].map(refusals)
    reasons = "; ".join(sorted(set(refusals.values())))
    warnings.warn(
        f"{server_name(sandbox, first=True)} would refuse {len(refusals)} request(s), "
        f"{int(denied.sum())} rows in all: "
        f"{reasons}. They are left out of the cost and listed among the problem rows",
        stacklevel=4,
    )


def _totals(answer: dict[str, Any]) -> tuple[int, Decimal]:
    """``cnt`` and ``cost`` of a ``cost=1`` answer (its per-phone list is read separately)."""
    summary = parse_send({key: value for key, value in answer.items() if key != "phones"})
    return summary.cnt, summary.cost or Decimal(0)
