"""What ``smsc-frames`` says: errors in command-line words, progress lines, previews, summaries."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd

from smsc_frames.campaign import Quote
from smsc_frames.campaign.reconcile import log as campaign_notes
from smsc_frames.campaign.truncation import describe_cut
from smsc_frames.errors import (
    AuthError,
    DuplicateRequestError,
    IpBlockedError,
    SmscApiError,
    SmscError,
    ValidationError,
)
from smsc_frames.export import summary
from smsc_frames.messagekinds import billed_label, count_label
from smsc_frames.sandboxmark import from_sandbox


def fail(message: str, code: int) -> int:
    """Print ``smsc-frames: <message>`` on stderr and return *code*."""
    print(f"smsc-frames: {message}", file=sys.stderr)
    return code


# A library parameter -> what a command-line user typed or can change.
PARAMETER_WORDS = {
    "journal": "--journal",
    "path": "the file",  # the contact file, a journal or a results file: named after "got"
    "sheet_name": "--sheet",
    "header_row": "--header-row",
    "delimiter": "--delimiter",
    "default_region": "--region",
    "encoding": "the contact file's encoding",
    "login": "--login (or SMSC_LOGIN)",
    "password": "--password (or SMSC_PASSWORD)",
    "credentials": "credentials",
    "apikey": "--apikey (or SMSC_APIKEY)",
    "url": "--url (or SMSC_URL)",
    "phone": "--phone",
    "phone_columns": "--phone",
    "text": "--text",
    "template": "--template",
    "sender": "--sender",
    "results": "RESULTS",
}
# Library wording (Python arguments, code) -> command-line wording.
RULE_WORDS = [
    (r"pass encoding=\S*", "save it as UTF-8 (or cp1251) and try again"),
    (
        r"give apikey=, or login= and password=, or set SMSC_APIKEY, or SMSC_LOGIN and "
        r"SMSC_PASSWORD",
        "give --apikey, or --login and --password, or set SMSC_APIKEY, or SMSC_LOGIN and "
        "SMSC_PASSWORD",
    ),
    (r"\(arguments login=/password= or variables", "(--login/--password or"),
    (r"pass login=/password=", "use --login and --password"),
    (r"pass journal=\.\.\.", "use --journal"),
    (r"journal=(\S+)", r"--journal \1"),
    (r"sheet_name", "--sheet"),
    (r"pass header_row= \(--header-row\)", "use --header-row"),
    (r"pass the delimiter it uses as delimiter=", "give the delimiter it uses with --delimiter"),
    (
        r"Run the original plan with it to resume\..*$",
        "Run the original command (same contact file and flags) to resume. Another --journal "
        "would send to those recipients again unless you first remove them from the contact "
        "file: 'smsc-frames results JOURNAL --out reached.xlsx' lists who was reached.",
    ),
    (r"`([^`]+)`", r"\1"),
]


def refusal_message(error: ValidationError) -> str:
    """A :class:`ValidationError` in command-line words: flags, not Python arguments.

    Examples
    --------
    >>> refusal_message(ValidationError("journal", "was written for another plan",
    ...                                 "x.journal"))
    '--journal: was written for another plan (got x.journal)'
    >>> refusal_message(ValidationError("encoding", "neither UTF-8 nor cp1251; pass encoding=",
    ...                                 None))
    "the contact file's encoding: neither UTF-8 nor cp1251; save it as UTF-8 (or cp1251) and \
try again"
    """
    rule = error.rule
    for pattern, replacement in RULE_WORDS:
        rule = re.sub(pattern, replacement, rule)
    where = PARAMETER_WORDS.get(error.parameter, error.parameter)
    value = error.value
    if error.parameter == "journal" and isinstance(value, str):
        rule = rule.replace("JOURNAL", value)
    shown = "" if value is ... or value is None else f" (got {value})"
    return f"{where}: {rule}{shown}"


def smsc_error_message(error: SmscError) -> str:
    """What SMSC or the network said, and what to do about it.

    Examples
    --------
    >>> print(smsc_error_message(AuthError(2, "authorise error")))  # doctest: +ELLIPSIS
    SMSC refused the login (error 2: authorise error): check --login/--password ... \
minutes (error 4).
    >>> print(smsc_error_message(DuplicateRequestError(9, "duplicate request, wait a minute")))
    ... # doctest: +ELLIPSIS
    SMSC error 9: duplicate request, wait a minute: SMSC refuses a request repeated ... again.
    """
    if isinstance(error, AuthError):
        return (
            f"SMSC refused the login (error 2: {error.message}): check --login/--password "
            "or --apikey (or SMSC_LOGIN/SMSC_PASSWORD/SMSC_APIKEY), and that this IP is in the "
            "account's allowed list. Careful: after 5 failed logins within 30 minutes SMSC "
            "blocks this IP for 30 minutes (error 4)."
        )
    if isinstance(error, IpBlockedError):
        return (
            f"SMSC has blocked this IP for a while (error 4: {error.message}) after repeated "
            "errors: wait 30 minutes after failed logins (10 minutes after failed sends), fix "
            "the cause, then run the same command again. Every attempt before then extends "
            "nothing but your wait: do not retry in a loop."
        )
    if isinstance(error, DuplicateRequestError) and not error.too_many_concurrent:
        return (
            f"{error}: SMSC refuses a request repeated too often within a minute (another run, "
            "or this command run again too soon). Wait a minute, then run it again."
        )
    return str(error) if isinstance(error, SmscApiError) else f"{type(error).__name__}: {error}"


class _NotesOnStderr(logging.Handler):
    """The library's notes as ``smsc-frames:`` lines on the stderr of the moment."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"smsc-frames: {record.getMessage()}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def notes_on_stderr() -> Iterator[None]:
    """Print what the campaign's long checks wait for (``smsc_frames.campaign``'s INFO notes,
    such as a paced ``status.php`` list after a crash), so a log or a pipe is never silent
    for minutes."""
    logger = campaign_notes
    handler, level = _NotesOnStderr(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    """Say on stderr that a phase starts, and how long it took when that was over 2 s.

    A plain line per phase, so a log or a pipe shows where a long run is; the phases that can
    count their work show a tqdm bar on a terminal besides (sending, statuses, writing).
    """
    print(f"smsc-frames: {what}...", file=sys.stderr, flush=True)
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    if elapsed > 2:
        print(f"smsc-frames: {what}: done in {elapsed:.0f} s", file=sys.stderr, flush=True)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a library warning as one ``smsc-frames: warning:`` line, without source lines,
    in command-line words."""
    text = re.sub(
        r"run the same send with journal='[^']*'", "run the same command again", str(message)
    )
    for pattern, replacement in RULE_WORDS:
        text = re.sub(pattern, replacement, text)
    print(f"smsc-frames: warning: {text}", file=sys.stderr)


def reached(sent: int, unsure: int, when: str = "") -> str:
    """How many recipients were sent, those whose answers were lost (probably sent: SMSC
    stored them, most likely) counted apart, so "0 sent" never hides thousands posted.

    Examples
    --------
    >>> reached(311, 0)
    '311 recipients were sent'
    >>> reached(0, 4000, " earlier")
    '0 recipients were confirmed sent earlier and 4,000 probably sent (their answers were lost)'
    """
    if not unsure:
        return f"{sent:,} recipients were sent{when}"
    return (
        f"{sent:,} recipients were confirmed sent{when} and {unsure:,} probably sent "
        "(their answers were lost)"
    )


def unfinished(not_sent: int, unsure: int) -> str:
    """What a send that left recipients *not_sent*, or *unsure* (their answers lost: probably
    sent), says, and what to do.

    Examples
    --------
    >>> unfinished(3, 0)
    '3 recipients not reached yet (see the reason column); fix the cause and run the same \
command again to finish'
    >>> unfinished(0, 2)  # doctest: +ELLIPSIS
    '0 recipients not reached yet and 2 unsure: their answers were lost, so they were probably \
sent (see the reason column); ... SMSC is asked about the unsure first, nobody gets a second SMS'
    """
    text = f"{not_sent:,} recipients not reached yet"
    if unsure:
        text += f" and {unsure:,} unsure: their answers were lost, so they were probably sent"
    text += " (see the reason column); fix the cause and run the same command again to finish"
    if unsure:
        text += ": SMSC is asked about the unsure first, nobody gets a second SMS"
    return text


def left_to_send(quote: Quote, done: set[str]) -> pd.DataFrame:
    """The quote's sendable rows whose request is not among the accepted ones, *done*.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> table = pd.DataFrame({"sendable": [True, True, False], "payload_id": ["c-1", "c-2", None]})
    >>> left_to_send(SimpleNamespace(table=table), {"c-1"})["payload_id"].tolist()
    ['c-2']
    """
    table = quote.table[quote.table["sendable"].astype(bool)]
    return table[~table["payload_id"].isin(done)]


def send_question(quote: Quote, earlier: int, done: set[str], unsure: int = 0) -> str:
    """``Send N SMS to M numbers for X?``, counting only what is left to send; "up to" when
    an earlier run lost the answers of *unsure* recipients (SMSC is asked about them first).

    Examples
    --------
    >>> from decimal import Decimal
    >>> from types import SimpleNamespace
    >>> table = pd.DataFrame({"sendable": [True, True], "payload_id": ["c-1", "c-2"],
    ...                       "parts": [1, 2], "cost": [Decimal("5.45"), Decimal("10.90")],
    ...                       "phone": ["79161234567", "79031234567"]})
    >>> send_question(SimpleNamespace(table=table, kind="sms"), 1, {"c-1"}, 1)
    'Send up to 2 SMS to 1 numbers (1 rows) for up to 10.90; 1 recipients were already sent by \
an earlier run and 1 may have been (its answers were lost: SMSC is asked first, nobody gets a \
second SMS)? [y/N] '
    """
    table = left_to_send(quote, done)
    parts = int(table["parts"].sum())
    cost = sum((c for c in table["cost"] if c is not None), Decimal(0))
    numbers = int(table["phone"].nunique())
    up_to = "up to " if unsure else ""
    question = (
        f"Send {up_to}{parts:,} {billed_label(quote.kind)} to {numbers:,} numbers "
        f"({len(table):,} rows) for {up_to}{cost:.2f}"
    )
    if earlier or unsure:
        question += f"; {earlier:,} recipients were already sent by an earlier run"
    if unsure:
        question += (
            f" and {unsure:,} may have been (its answers were lost: SMSC is asked first, "
            "nobody gets a second SMS)"
        )
    return question + "? [y/N] "


def describe_quote(quote: Quote) -> str:
    """The cost preview: recipients, parts, cost, per operator, problem rows."""
    table = quote.table
    problems = table["problem"].dropna()
    by_operator = quote.by_operator.assign(cost=quote.by_operator["cost"].map("{:.2f}".format))
    lines = [
        f"Recipients: {quote.recipients}",
        f"{count_label(quote.kind) + ':':<11} {quote.total_parts}",
        f"Total cost: {quote.total_cost:.2f}",
        *([f"Counted:    {quote.counted()}"] if quote.kind == "call" or quote.groups else []),
        "",
        "Per operator:",
        by_operator.to_string() if len(by_operator) else "(no recipient SMSC would take)",
        "",
        f"Problem rows (not sent): {len(problems)}",
    ]
    if len(problems):
        kinds = problems.str.replace(
            r"^duplicate of row .*", "duplicate of an earlier row", regex=True
        )
        lines.append(kinds.value_counts().to_string(header=False))
    cut = describe_cut(quote.cut, quote.maxsms)
    if cut:
        lines += ["", f"Warning: {cut}"]
    if quote.sandbox:
        lines += ["", "(a sandbox quote: made-up prices, nothing real will be sent)"]
    return "\n".join(lines)


def describe_results(results: pd.DataFrame) -> str:
    """The results summary (export's summary table), and whether it was a sandbox."""
    text = "Results:\n" + summary(results).to_string(index=False)
    if from_sandbox(results):
        text += "\n(sandbox results: nothing real was sent)"
    return text
