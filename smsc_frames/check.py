"""``smsc-frames check``: the first thing to run with a real account, and it costs nothing.

Free calls only: ``balance.php``; ``send.php`` with ``cost=1&op=1`` for one number, in ``fmt=3``
and ``fmt=1`` (a quote: nothing is sent); ``status.php`` for a message id that does not exist.
Each answer is checked field by field against what smsc_frames' parsers rely on, and the points
where SMSC's page allows more than one reading are reported as *observed* (what an accepted
number's ``op=1`` status is, whether JSON carries numbers or strings, whether a status answer
without an error carries ``err``). The command line names the sandbox reading that matches.

A capture of the answers (no credentials, phone digits masked) can be saved and replayed by the
tests as one more reading.

Examples
--------
>>> from smsc_frames.sandbox import Sandbox
>>> from smsc_frames.client import Client
>>> with Sandbox() as sandbox:
...     report = check(Client("demo", "demo", url=sandbox.url, environ={}))
>>> report.ok, report.observed["op1_status"], report.observed["json_numbers"]
(True, '', True)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsc_frames.errors import SmscApiError, SmscError
from smsc_frames.records import FAILED_AT_SEND
from smsc_frames.responses import parse_balance, parse_send, parse_status, phone_rows

CHECK_PHONE = "79999999999"
"""The number the quote asks about (``cost=1``: nothing is sent)."""

CHECK_ID = "smsc-frames-check-0"
"""A message id no campaign of smsc_frames uses (its ids end in ``-<n>`` after 12 hex digits)."""


@dataclass
class Finding:
    """One checked thing: what was asked, whether it reads as the parsers expect, and why."""

    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    """What :func:`check` saw.

    Attributes
    ----------
    findings : list of Finding
    observed : dict
        The open points of SMSC's page as this server answers them: ``op1_status`` /
        ``op1_error`` (an accepted number's ``op=1`` fields), ``json_numbers`` (``cnt`` and the
        like as JSON numbers), ``status_err`` (``always`` or ``nonzero``: is ``err`` present in
        a status answer without an error).
    sandbox : bool or None
    capture : dict
        The raw answers, credentials never included, phone digits masked.
    """

    findings: list[Finding] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    sandbox: bool | None = None
    capture: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every answer reads as smsc_frames' parsers expect."""
        return all(finding.ok for finding in self.findings)

    def __str__(self) -> str:
        lines = [f"{'ok ' if f.ok else 'BAD'} {f.name}: {f.detail}" for f in self.findings]
        lines += [f"    observed {name} = {value!r}" for name, value in self.observed.items()]
        return "\n".join(lines)

    def save(self, path: str | Path) -> Path:
        """Write the anonymised capture as JSON (no credentials; phone digits masked)."""
        target = Path(path)
        target.write_text(json.dumps(self.capture, ensure_ascii=False, indent=1), "utf-8")
        return target


def mask_phones(value: Any) -> Any:
    """*value* with every run of 7+ digits but its first 4 and last 2 masked.

    Examples
    --------
    >>> mask_phones({"phone": "79161234567", "id": "c-1", "cost": "1.70"})
    {'phone': '7916*****67', 'id': 'c-1', 'cost': '1.70'}
    """
    if isinstance(value, str):
        return re.sub(r"\d{7,}", lambda m: m[0][:4] + "*" * (len(m[0]) - 6) + m[0][-2:], value)
    if isinstance(value, Mapping):
        return {key: mask_phones(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_phones(item) for item in value]
    return value


def check(client: Any) -> CheckReport:
    """Ask the server the free questions smsc_frames depends on, and check every answer.

    Parameters
    ----------
    client : smsc_frames.client.Client

    Returns
    -------
    CheckReport
        Never raises for an answer it does not like: that is a finding. Credentials refused
        (error 2) and a blocked IP (error 4) are raised, since nothing else can be asked.
    """
    report = CheckReport()
    _step(report, "balance.php", lambda: _balance(client, report))
    _step(report, "send.php cost=1&op=1 fmt=3", lambda: _quote_json(client, report))
    _step(report, "send.php cost=1&op=1 fmt=1", lambda: _quote_text(client, report))
    _step(report, "status.php of a message that does not exist", lambda: _status(client, report))
    report.sandbox = client.is_sandbox
    return report


def _step(report: CheckReport, name: str, ask: Callable[[], str]) -> None:
    try:
        report.findings.append(Finding(name, True, ask()))
    except SmscApiError as error:
        if error.code in (2, 4):
            raise
        report.findings.append(Finding(name, False, f"SMSC error {error.code}: {error.message}"))
    except SmscError as error:
        report.findings.append(Finding(name, False, str(error)))
    except (KeyError, TypeError, ValueError, IndexError) as error:
        report.findings.append(Finding(name, False, f"{type(error).__name__}: {error}"))


def _balance(client: Any, report: CheckReport) -> str:
    answer = client.call("balance.php", {})
    report.capture["balance"] = answer
    return f"balance {parse_balance(answer)}"


def _quote_json(client: Any, report: CheckReport) -> str:
    answer = client.call(
        "send.php", {"phones": CHECK_PHONE, "mes": "smsc-frames check", "cost": "1", "op": "1"}
    )
    report.capture["quote_fmt3"] = mask_phones(answer)
    summary = parse_send({key: value for key, value in answer.items() if key != "phones"})
    [row] = phone_rows(answer)
    missing = [key for key in ("phone", "mccmnc", "cost", "status", "error") if key not in row]
    if missing:
        raise KeyError(f"op=1 row lacks {', '.join(missing)}")
    status, error = str(row["status"]).strip(), str(row["error"]).strip()
    report.observed["op1_status"], report.observed["op1_error"] = status, error
    report.observed["json_numbers"] = isinstance(answer.get("cnt"), int)
    refused = (status.lstrip("-").isdigit() and int(status) in FAILED_AT_SEND) or error not in (
        "",
        "0",
    )
    return (
        f"cnt {summary.cnt}, cost {summary.cost}, op=1 row {sorted(row)}; the number reads as "
        + ("REFUSED" if refused else "accepted")
    )


def _quote_text(client: Any, report: CheckReport) -> str:
    text = client.transport.fetch_text(
        "send.php",
        {"phones": CHECK_PHONE, "mes": "smsc-frames check", "cost": "1", "op": "1", "fmt": "1"},
    )
    report.capture["quote_fmt1"] = mask_phones(text)
    head, *rows = text.strip().splitlines()
    cost, count = head.split(",")[:2]
    if int(count) < 0:
        raise ValueError(f"an error answer: {head!r}")
    fields = rows[0].split(",") if rows else []
    if len(fields) != 5:
        raise ValueError(f"op=1 line is not phone,mccmnc,cost,status,error: {rows[:1]!r}")
    return f"cost {cost}, {count} SMS; op=1 line of {len(fields)} fields"


def _status(client: Any, report: CheckReport) -> str:
    answer = client.call("status.php", {"id": CHECK_ID, "phone": CHECK_PHONE, "all": "1"})
    report.capture["status_missing"] = mask_phones(answer)
    frame = parse_status(answer)
    status = frame.loc[0, "status"]
    report.observed["status_err"] = "always" if "err" in answer else "nonzero"
    if status != -3:
        raise ValueError(f"status {status} for a message that does not exist (expected -3)")
    return "status -3 (not found), as the parsers expect"
