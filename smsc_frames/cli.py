"""The ``smsc-frames`` command: estimate, send, status, balance, a local sandbox and a demo.

Every subcommand is a thin shell over the library: it reads a contact file, builds the plan
with :func:`smsc_frames.plan.prepare`, and calls :mod:`smsc_frames.campaign` /
:mod:`smsc_frames.delivery`. Refused input (a bad option, a missing column, missing
credentials) exits with code 2 before any request; an error from SMSC or the network exits
with code 1; neither prints a traceback or a secret.

Examples
--------
>>> parser = build_parser()
>>> args = parser.parse_args(["estimate", "contacts.csv", "--phone", "Телефон",
...                           "--template", "{Имя}, привет!", "--maxsms", "2"])
>>> args.command, args.phone, option_kwargs(args)
('estimate', 'Телефон', {'maxsms': 2})
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

import pandas as pd

from smsc_frames.campaign import Quote, estimate, results_from_journal, send
from smsc_frames.campaign.truncation import describe_cut
from smsc_frames.check import check
from smsc_frames.client import Client
from smsc_frames.contacts import read_contacts
from smsc_frames.delivery import balance, refresh_status
from smsc_frames.errors import (
    AuthError,
    IpBlockedError,
    SmscError,
    ValidationError,
)
from smsc_frames.export import summary, to_csv, to_excel
from smsc_frames.journal import accepted_phones
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, campaign_id
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.plan import prepare
from smsc_frames.policy import SmscLimits
from smsc_frames.quotecache import QuoteCache
from smsc_frames.samples import describe_samples, sample_messages
from smsc_frames.sandbox import READINGS, Sandbox, serve
from smsc_frames.sandbox.settings import Account, SandboxSettings
from smsc_frames.statedir import default_journal

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_RESULTS_NOT_WRITTEN = 0, 1, 2, 3

# send.php parameters offered as flags: (flag, type, help). Validated by options.Options.
OPTION_FLAGS = [
    ("time", str, "send later: DDMMYYhhmm, 'DD.MM.YY hh:mm', h1-h2, 0<unix ts> or +<minutes>"),
    ("tz", int, "time zone of --time in hours relative to Moscow"),
    ("translit", int, "0 none, 1 translit, 2 mpaHc/Ium"),
    ("maxsms", int, "at most this many parts per message (longer texts are cut)"),
    ("valid", str, "lifetime: 1..24 hours or hh:mm"),
    ("period", float, "repeat for this many hours (0.1..720), with --freq"),
    ("freq", int, "repeat every this many minutes (1..1440), with --period"),
    ("tinyurl", int, "1 = shorten links"),
]
SWITCH_FLAGS = [("flash", "send as flash SMS")]

DEMO_TEMPLATE = "{Имя}, ваша скидка {Скидка}% по промокоду {Промокод} до {Дата}!"
DEMO_PHONE_COLUMN = "Телефон"
SANDBOX_NOTICE = "SANDBOX: this ran on the embedded smsc_frames sandbox; nothing real was sent."


MAIN_EXAMPLES = """examples:
  smsc-frames demo                       the whole flow on an embedded sandbox
  smsc-frames sandbox --port 8000        a local SMSC look-alike for trying things out
  export SMSC_LOGIN=me; read -rs SMSC_PASSWORD; export SMSC_PASSWORD
  smsc-frames estimate contacts.xlsx --phone Телефон --text Сообщение
  smsc-frames send contacts.xlsx --phone Телефон --template "{Имя}, скидка {Скидка}%"
  smsc-frames status contacts-results.xlsx

Run 'smsc-frames COMMAND --help' for a command's flags."""
ESTIMATE_EXAMPLES = """examples:
  smsc-frames estimate contacts.csv --phone Телефон --text Сообщение
  smsc-frames estimate contacts.xlsx --sheet Лист2 --phone phone --template "{name}, hi!" \\
      --maxsms 2 --out quote.xlsx"""
SEND_EXAMPLES = """examples:
  smsc-frames send contacts.xlsx --phone Телефон --text Сообщение
  smsc-frames send contacts.csv --phone phone --template "{name}, -20% today" --sender SHOP \\
      --out results.xlsx --yes
Run the same command again after a failure or Ctrl-C: it resumes from the journal."""
SANDBOX_EXAMPLES = """example:
  smsc-frames sandbox --port 8000 --balance 5000
  export SMSC_URL=http://127.0.0.1:8000 SMSC_LOGIN=demo SMSC_PASSWORD=demo"""


def money_amount(text: str) -> Decimal:
    """An amount of money from the command line: ``5000``, ``1000.50`` or ``1000,50``.

    Examples
    --------
    >>> money_amount("1000,50")
    Decimal('1000.50')
    >>> money_amount("NaN")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 'NaN' is not an amount of money: give a number >= 0 such as 1000.50
    """
    try:
        amount = Decimal(text.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount of money: give a number >= 0 such as 1000.50"
        )
    return amount.quantize(Decimal("0.01"))


def port_number(text: str) -> int:
    """A TCP port, 0..65535 (0: any free port).

    Examples
    --------
    >>> port_number("8000")
    8000
    """
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 0..65535")
    return int(text)


class SecretSafeParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors never echo a secret.

    argparse repeats what it could not parse (``unrecognized arguments: --pasword hunter2``), so
    a typo next to a password would print it. This parser shows only the flags of such
    arguments, never their values, and masks the values given to ``--password``/``--apikey``.
    Abbreviated flags are refused, so ``--pass`` cannot silently mean ``--password``.

    Examples
    --------
    >>> SecretSafeParser(prog="x").parse_args(["--pasword", "hunter2"])
    Traceback (most recent call last):
    SystemExit: 2
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        head, colon, listed = message.partition("unrecognized arguments:")
        if colon:
            flags = [token for token in listed.split() if token.startswith("-")]
            message = f"{head}unrecognized arguments: {' '.join(flags)} (values not shown)"
        for secret in secret_values(sys.argv[1:]):
            message = message.replace(secret, "***")
        super().error(message)


def secret_values(argv: Sequence[str]) -> list[str]:
    """The values given to ``--password`` and ``--apikey`` in *argv*.

    Examples
    --------
    >>> secret_values(["balance", "--password", "s3cret", "--apikey=k3y"])
    ['s3cret', 'k3y']
    """
    secrets = []
    for position, token in enumerate(argv):
        flag, equals, value = token.partition("=")
        if flag in ("--password", "--apikey"):
            if equals:
                secrets.append(value)
            elif position + 1 < len(argv):
                secrets.append(argv[position + 1])
    return [secret for secret in secrets if secret]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``smsc-frames`` with all its subcommands.

    Examples
    --------
    >>> build_parser().parse_args(["balance", "--login", "me"]).login
    'me'
    """
    parser = SecretSafeParser(
        prog="smsc-frames",
        description="SMS campaigns through the SMSC.ru HTTP API: estimate, send, track.",
        epilog=MAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    connection = SecretSafeParser(add_help=False)
    group = connection.add_argument_group(
        "connection (default: SMSC_URL, SMSC_LOGIN, SMSC_PASSWORD, SMSC_APIKEY)"
    )
    group.add_argument("--url", help="API base URL (default https://smsc.ru)")
    group.add_argument("--login")
    group.add_argument("--password", help="prefer the SMSC_PASSWORD environment variable")
    group.add_argument("--apikey", help="instead of login and password")

    campaign = SecretSafeParser(add_help=False)
    campaign.add_argument(
        "file",
        type=Path,
        help="contacts: .csv/.tsv/.txt (delimiter and encoding detected: UTF-8, UTF-16, "
        "cp1251, KOI8-R, cp866) or a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods)",
    )
    campaign.add_argument("--phone", required=True, metavar="COL", help="the phone column")
    texts = campaign.add_mutually_exclusive_group(required=True)
    texts.add_argument("--text", metavar="COL", help="the column holding each row's text")
    texts.add_argument("--template", metavar="T", help="a text with {column} fields")
    campaign.add_argument("--sender", help="sender name, or a column holding one per row")
    inputs = campaign.add_argument_group("reading the contact file")
    inputs.add_argument(
        "--sheet",
        default="@0",
        metavar="NAME|@N",
        help="the workbook sheet by name (digits too: --sheet 2024 is the sheet named 2024), "
        "or by position counted from 0 as @N (default @0, the first sheet)",
    )
    inputs.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="the header's row number as Excel shows it, from 1 (default: the first row, "
        "or the first full row below empty or title rows, with a warning)",
    )
    inputs.add_argument(
        "--encoding",
        help="the CSV's encoding, e.g. cp1251 (default: detected among UTF-8, UTF-16, "
        "cp1251, KOI8-R and cp866; a file that is none of them clearly is refused)",
    )
    inputs.add_argument(
        "--delimiter", metavar="CHAR", help="the CSV's delimiter (default: ; , or TAB, sniffed)"
    )
    inputs.add_argument(
        "--locale",
        choices=["ru", "en"],
        default="ru",
        help="how Excel numbers, dates and booleans are shown in texts: ru 1 500,50 / ИСТИНА "
        "(default), en 1,500.50 / TRUE",
    )
    inputs.add_argument(
        "--raw-cells",
        action="store_true",
        help="Excel cells as stored (0.2, 2025-03-01 00:00:00) instead of as displayed",
    )
    inputs.add_argument(
        "--region",
        default="RU",
        metavar="CC",
        help="country of numbers written without a country code (ISO code, default RU)",
    )
    inputs.add_argument(
        "--split-phones",
        action="store_true",
        help="send to every number of a cell holding several (rows <row>#2...), "
        "instead of refusing such a cell",
    )
    options = campaign.add_argument_group("send.php options")
    for name, kind, text in OPTION_FLAGS:
        options.add_argument(f"--{name}", type=kind, help=text)
    for name, text in SWITCH_FLAGS:
        options.add_argument(f"--{name}", action="store_const", const=1, help=text)

    estimate = commands.add_parser(
        "estimate",
        parents=[campaign, connection],
        help="ask SMSC what a campaign costs (cost=1, sends nothing)",
        description="Ask SMSC what a campaign costs (cost=1&op=1): nothing is sent.",
        epilog=ESTIMATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    estimate.add_argument("--out", type=Path, help="write the per-phone quote (.csv or .xlsx)")

    send = commands.add_parser(
        "send",
        parents=[campaign, connection],
        help="send a campaign (shows the cost and asks first)",
        description="Show the cost, ask, send through a journal (a re-run resumes without "
        "sending anyone twice), write the results.",
        epilog=SEND_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    send.add_argument(
        "--out",
        type=Path,
        help="results file, .csv or .xlsx "
        "(default: <FILE name>-results.xlsx in the current directory)",
    )
    send.add_argument(
        "--journal",
        type=Path,
        help="resumable journal (default: one per account and campaign in the user's state "
        "directory, so a re-run from any folder finds it); re-run the same command to resume",
    )

    status = commands.add_parser(
        "status",
        parents=[connection],
        help="refresh the delivery statuses of a results file",
        epilog="example:\n  smsc-frames status contacts-results.xlsx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("results", type=Path, help="a results file written by send")
    status.add_argument("--out", type=Path, help="where to write (default: overwrite RESULTS)")
    status.add_argument(
        "--min-interval",
        type=float,
        default=60.0,
        help="seconds between status list requests (SMSC allows 1 a minute)",
    )

    results = commands.add_parser(
        "results", help="write the results of a campaign from its journal (no server needed)"
    )
    results.add_argument("journal", type=Path, help="the journal a send printed")
    results.add_argument(
        "--out", type=Path, required=True, help="where to write the results (.csv or .xlsx)"
    )

    commands.add_parser("balance", parents=[connection], help="show the account balance")

    check_command = commands.add_parser(
        "check",
        parents=[connection],
        help="check a server's answers with free calls only (run it first with a real account)",
    )
    check_command.add_argument(
        "--save", type=Path, help="write an anonymised capture of the answers (JSON)"
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local SMSC-compatible sandbox server",
        description="Serve the SMSC-compatible sandbox until Ctrl-C (made-up prices, no real "
        "SMS). Point the other commands at it with --url or SMSC_URL.",
        epilog=SANDBOX_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    sandbox.add_argument(
        "--port", type=port_number, default=8000, help="port (default %(default)s; 0 = any free)"
    )
    sandbox.add_argument("--login", default="demo", help="the account's login (default demo)")
    sandbox.add_argument("--password", default="demo", help="the account's password (default demo)")
    sandbox.add_argument(
        "--apikey", default="demo-apikey", help="the account's API key (default demo-apikey)"
    )
    sandbox.add_argument(
        "--balance",
        type=money_amount,
        default=Decimal("1000.00"),
        metavar="AMOUNT",
        help="starting balance, e.g. 5000 or 1000.50 (default 1000.00)",
    )

    demo = commands.add_parser(
        "demo",
        help="the whole flow on the sample data, on an embedded sandbox (nothing real is sent)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo_results.xlsx"),
        help="results file (default demo_results.xlsx)",
    )
    demo.add_argument(
        "--wait",
        type=float,
        default=2.0,
        help="seconds to wait for delivery before refreshing statuses",
    )
    return parser


def option_kwargs(args: argparse.Namespace) -> dict[str, object]:
    """The send.php options given on the command line, by parameter name.

    Examples
    --------
    >>> option_kwargs(argparse.Namespace(time="+30", flash=1, maxsms=None))
    {'time': '+30', 'flash': 1}
    """
    names = [name for name, _, _ in OPTION_FLAGS] + [name for name, _ in SWITCH_FLAGS]
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smsc-frames`` with *argv* (default ``sys.argv[1:]``); return the exit code.

    Examples
    --------
    >>> main(["estimate", "contacts.csv", "--phone", "p", "--text", "t", "--maxsms", "0"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return int(exit_request.code or 0)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return COMMANDS[args.command](args)
    except ValidationError as error:
        return fail(f"refused, nothing was sent: {refusal_message(error)}", EXIT_REFUSED)
    except SmscError as error:
        return fail(smsc_error_message(error), EXIT_FAILED)
    except OSError as error:
        return fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "), EXIT_REFUSED)
    except KeyboardInterrupt:
        return fail("interrupted; run the same command again to resume", 130)
    except Exception as error:  # a bug of ours: say so in one line, never leak a secret
        if os.environ.get("SMSC_FRAMES_DEBUG") == "1":
            raise
        message = f"{type(error).__name__}: {error}"
        for secret in [
            *secret_values(argv or sys.argv[1:]),
            os.environ.get("SMSC_PASSWORD"),
            os.environ.get("SMSC_APIKEY"),
        ]:
            if secret:
                message = message.replace(secret, "***")
        return fail(
            f"unexpected error ({message}); a send's journal keeps what was sent. "
            "Set SMSC_FRAMES_DEBUG=1 to see the traceback and please report it",
            EXIT_FAILED,
        )


def fail(message: str, code: int) -> int:
    """Print ``smsc-frames: <message>`` on stderr and return *code*."""
    print(f"smsc-frames: {message}", file=sys.stderr)
    return code


# A library parameter -> what a command-line user typed or can change.
PARAMETER_WORDS = {
    "journal": "--journal",
    "path": "the journal file",
    "sheet_name": "--sheet",
    "encoding": "the contact file's encoding",
    "login": "--login (or SMSC_LOGIN)",
    "password": "--password (or SMSC_PASSWORD)",
    "credentials": "credentials",
    "apikey": "--apikey (or SMSC_APIKEY)",
    "url": "--url (or SMSC_URL)",
    "phone": "--phone",
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
    return f"{type(error).__name__}: {error}"


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


def run_estimate(args: argparse.Namespace) -> int:
    """``smsc-frames estimate``: print what the campaign would cost (nothing is sent)."""
    check_output_path(args.out, inputs=[args.file])
    client = make_client(args)
    with step(f"reading {args.file.name} and preparing the messages"):
        plan = load_plan(args)
    with step(f"asking {client.url} for the price of {len(plan):,} rows (nothing is sent)"):
        quote = estimate_with_cache(plan, client)
    print(describe_quote(quote))
    print("\n" + describe_samples(sample_messages(plan)))
    if args.out:
        with step(f"writing the quote to {args.out}"):
            written = write_table(with_inputs(quote.table, plan), args.out, sheet="quote")
        print(f"Quote written to {written}")
    return EXIT_OK


def run_send(args: argparse.Namespace) -> int:
    """``smsc-frames send``: estimate, confirm, send through a journal, write the results.

    The results are never the weak link: ``--out`` is checked before the first request; if it
    cannot be written after sending (or the send is interrupted), the message says how many were
    sent, where the journal is and the one command that writes the results from it.
    """
    out = args.out or Path(f"{args.file.stem}-results.xlsx")
    check_output_path(out, inputs=[args.file])
    client = make_client(args)
    with step(f"reading {args.file.name} and preparing the messages"):
        plan = load_plan(args)
        requests = build_payloads(plan)
    with step(f"asking {client.url} for the price of {len(plan):,} rows (nothing is sent)"):
        quote = estimate_with_cache(plan, client, requests)
    print(describe_quote(quote))
    print("\n" + describe_samples(sample_messages(plan)))
    campaign = campaign_id(requests)
    if quote.recipients == 0 or campaign is None:
        return fail("no sendable rows, nothing was sent", EXIT_FAILED)
    journal = args.journal or default_journal(client.identity, campaign)
    print(f"Journal: {journal}")
    earlier, done = sent_before(journal)
    if not args.yes and not confirm(send_question(quote, earlier, done)):
        print(
            f"Nothing more was sent; {earlier:,} recipients were sent earlier (journal {journal})."
            if earlier
            else "Nothing was sent."
        )
        return EXIT_FAILED
    try:
        with step(f"sending {len(requests):,} requests"):
            results = send(
                plan, client, journal=journal, payloads=requests, progress=sys.stderr.isatty()
            )
    except KeyboardInterrupt:
        write_results_after(journal, out, quote)
        return 130
    print(describe_results(results))
    try:
        with step(f"writing the results to {out}"):
            written = write_table(with_inputs(results, plan), out, quote)
    except OSError as error:
        return results_not_written(results, out, journal, error)
    print(f"Results written to {written} (journal: {journal})")
    unfinished = int(results["outcome"].isin(["not sent", "unknown"]).sum())
    if unfinished:
        return fail(
            f"{unfinished} recipients not reached yet (see the reason column); fix the "
            "cause and run the same command again to finish",
            EXIT_FAILED,
        )
    return EXIT_OK


def sent_before(journal: Path) -> tuple[int, set[str]]:
    """Recipients an existing journal records as sent, and the ids of its accepted requests."""
    if not Path(journal).is_file():
        return 0, set()
    done = accepted_phones(journal)
    return len(done), set(done["sms_id"])


def send_question(quote: Quote, earlier: int, done: set[str]) -> str:
    """``Send N SMS to M numbers for X?``, counting only what is left to send."""
    table = quote.table[quote.table["sendable"].astype(bool)]
    table = table[~table["payload_id"].isin(done)]
    parts = int(table["parts"].sum())
    cost = sum((c for c in table["cost"] if c is not None), Decimal(0))
    numbers = int(table["phone"].nunique())
    question = f"Send {parts:,} SMS to {numbers:,} numbers ({len(table):,} rows) for {cost:.2f}"
    if earlier:
        question += f"; {earlier:,} recipients were already sent by an earlier run"
    return question + "? [y/N] "


def results_not_written(results: pd.DataFrame, out: Path, journal: Path, error: OSError) -> int:
    """Say plainly what was sent, where the journal is and how to write the results later."""
    sent = int(results["outcome"].eq("sent").sum())
    print(describe_results(results), file=sys.stderr)
    return fail(
        f"{sent} recipients were sent, but the results could not be written to {out} "
        f"({error.strerror or error}). Nothing is lost: the journal {journal} records every "
        f"request. Write the results with:\n  smsc-frames results {journal} --out OTHER.xlsx\n"
        "(running the send again would not send anyone twice either)",
        EXIT_RESULTS_NOT_WRITTEN,
    )


def write_results_after(journal: Path, out: Path, quote: Quote | None) -> None:
    """After a Ctrl-C: write what the journal says was done so far, and say so."""
    try:
        results = results_from_journal(journal)
        written = write_table(results, out, quote)
    except (OSError, ValidationError) as error:
        fail(f"interrupted; the results so far could not be written ({error}); "
             f"smsc-frames results {journal} --out FILE writes them", 130)  # fmt: skip
        return
    sent = int(results["outcome"].eq("sent").sum())
    fail(
        f"interrupted after {sent} recipients were sent; the results so far are in {written}. "
        "Run the same command again to send the rest (nobody gets a second SMS)",
        130,
    )


def run_results(args: argparse.Namespace) -> int:
    """``smsc-frames results``: write a campaign's results from its journal alone."""
    check_output_path(args.out, inputs=[args.journal])
    results = results_from_journal(args.journal)
    print(describe_results(results))
    with step(f"writing the results to {args.out}"):
        written = write_table(results, args.out)
    print(f"Results written to {written}")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    """``smsc-frames status``: refresh the delivery statuses of a results file."""
    out = args.out or args.results
    check_output_path(out)
    client = make_client(args)
    with step(f"reading {args.results}"):
        results = read_results(args.results)
    asked = int(results["sms_id"].notna().sum())
    requests = -(-asked // SmscLimits().status_batch_size)
    with step(
        f"asking for the statuses of {asked:,} messages ({requests:,} list requests, one per "
        f"{args.min_interval:g} s)"
    ):
        refreshed = refresh_status(
            results,
            client,
            limits=SmscLimits(status_list_interval=args.min_interval),
            progress=sys.stderr.isatty(),
        )
    refreshed.attrs["sandbox"] = bool(client.is_sandbox)
    print(describe_results(refreshed))
    with step(f"writing the results to {out}"):
        written = write_table(refreshed, out)
    print(f"Results written to {written}")
    return EXIT_OK


def run_balance(args: argparse.Namespace) -> int:
    """``smsc-frames balance``: print the account balance."""
    client = make_client(args)
    amount = balance(client)
    where = " (sandbox, not real money)" if client.is_sandbox else ""
    print(f"Balance: {amount:.2f}{where}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``smsc-frames check``: free calls only; every answer checked; the matching reading."""
    client = make_client(args)
    report = check(client)
    print(report)
    matching = matching_readings(report.observed)
    if matching:
        print(f"The sandbox reading that answers like this server: {', '.join(matching)}")
    else:
        print("No sandbox reading answers exactly like this server (see the observed values)")
    if args.save:
        print(f"Capture written to {report.save(args.save)} (no credentials, phones masked)")
    return EXIT_OK if report.ok else EXIT_FAILED


def matching_readings(observed: Mapping[str, object]) -> list[str]:
    """The names of the sandbox readings whose answers agree with *observed*."""
    names = []
    for name, reading in READINGS.items():
        expected = {
            "op1_status": reading.op1_status,
            "op1_error": reading.op1_error,
            "json_numbers": reading.json_numbers,
            "status_err": reading.status_err,
        }
        if all(observed.get(key) == value for key, value in expected.items() if key in observed):
            names.append(name)
    return names


def run_sandbox(args: argparse.Namespace) -> int:
    """``smsc-frames sandbox``: serve a local SMSC-compatible sandbox until interrupted."""
    serve(args.host, args.port, args.login, args.password, args.apikey, args.balance)
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    """``smsc-frames demo``: the whole flow on the sample data, on an embedded sandbox.

    read -> prepare with a template -> estimate -> send -> wait -> refresh statuses -> write
    the results. The client is built with an empty environment, so ``SMSC_*`` variables can
    never make the demo talk to the real SMSC.
    """
    check_output_path(args.out)
    contacts_path = sample_contacts_path()
    with Sandbox(accounts=[demo_account()], settings=demo_settings()) as sandbox:
        print(
            f"DEMO on the embedded sandbox at {sandbox.url}: nothing real will be sent "
            "and no money spent.\n"
        )
        client = Client("demo", "demo", url=sandbox.url, environ={})
        contacts = read_contacts(contacts_path)
        print(f"Read {len(contacts)} contacts from {contacts_path}")
        plan = prepare(contacts, phone=DEMO_PHONE_COLUMN, template=DEMO_TEMPLATE)
        print(f"Template: {DEMO_TEMPLATE}\n\nCost preview (cost=1, nothing sent yet):")
        quote = estimate(plan, client)
        print(describe_quote(quote))
        results = send(plan, client, progress=False)
        print(
            f"\nSent {int(results['sms_id'].notna().sum())} messages; waiting "
            f"{args.wait:g} s for delivery reports..."
        )
        time.sleep(args.wait)
        results = refresh_status(results, client, limits=SmscLimits(status_list_interval=0))
        print(describe_results(results))
        print(f"\nResults written to {write_table(results, args.out, quote).resolve()}")
    print(SANDBOX_NOTICE)
    return EXIT_OK


COMMANDS = {
    "estimate": run_estimate,
    "send": run_send,
    "status": run_status,
    "results": run_results,
    "balance": run_balance,
    "check": run_check,
    "sandbox": run_sandbox,
    "demo": run_demo,
}


def demo_account() -> Account:
    """The demo's sandbox account: ``demo`` / ``demo``, enough balance for the sample."""
    return Account("demo", "demo", apikey="demo-apikey", balance=Decimal("10000.00"))


def demo_settings() -> SandboxSettings:
    """Sandbox settings for the demo: delivery within a second, status lists not paced."""
    return SandboxSettings(
        seconds_to_operator=0.2, seconds_to_final=0.8, status_lists_per_window=1000
    )


def sample_contacts_path() -> Path:
    """``sample_data/contacts.xlsx`` of the source checkout this package runs from."""
    path = Path(__file__).resolve().parent.parent / "sample_data" / "contacts.xlsx"
    if not path.is_file():
        raise ValidationError(
            "demo",
            "needs sample_data/contacts.xlsx beside the package: "
            "run it from a source checkout (pip install -e .)",
            str(path),
        )
    return path


def load_plan(args: argparse.Namespace) -> pd.DataFrame:
    """Validate the options, read the contact file and prepare the plan."""
    options = Options.from_kwargs(**option_kwargs(args))
    contacts = read_contacts(
        args.file,
        phone_columns=args.phone,
        sheet_name=str(args.sheet),  # a name first, then @N: a position from 0
        encoding=args.encoding,
        delimiter=args.delimiter,
        header_row=args.header_row,
        raw=args.raw_cells,
        locale=args.locale,
    )
    return prepare(
        contacts,
        phone=args.phone,
        text=args.text,
        template=args.template,
        sender=args.sender,
        options=options,
        default_region=args.region,
        split_phones=args.split_phones,
    )


def make_client(args: argparse.Namespace, *, stdin=None) -> Client:
    """A :class:`~smsc_frames.client.Client` from the flags, falling back to ``SMSC_*``.

    ``--password`` on the command line is visible to every user of the machine (``ps``) for
    the whole run and stays in the shell history: it works, with a warning. With a login but
    no password anywhere and a terminal attached, the password is asked for without echo.
    """
    stdin = sys.stdin if stdin is None else stdin
    password = args.password
    if password:
        show_warning(
            "--password is visible to other users (ps) while this runs and stays in your "
            "shell history; prefer SMSC_PASSWORD, or leave it out to be asked for it",
            UserWarning,
            "",
            0,
        )
    login = args.login
    secret_given = password or args.apikey
    secret_set = os.environ.get("SMSC_PASSWORD") or os.environ.get("SMSC_APIKEY")
    if not secret_given and not secret_set and _is_terminal(stdin):
        login = login or os.environ.get("SMSC_LOGIN")
        if not login:
            print("SMSC login: ", end="", file=sys.stderr, flush=True)
            login = stdin.readline().strip() or None
        if login:
            password = getpass.getpass(f"SMSC password for {login} (not shown): ") or None
    return Client(
        login=login, password=password, apikey=args.apikey, url=args.url, environ=os.environ
    )


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def estimate_with_cache(
    plan: pd.DataFrame, client: Client, requests: list[Payload] | None = None
) -> Quote:
    """:func:`estimate` through the quote cache file (:mod:`smsc_frames.quotecache`).

    Every run is a new process, so without the file a 6th ``estimate`` (or ``send``, which
    estimates first) of the same campaign within a minute would be refused by SMSC (error 9:
    more than 5 identical ``cost=1`` requests). Answers asked before a failure are kept too.
    """
    cache = QuoteCache()
    try:
        return estimate(plan, client, payloads=requests, cache=cache)
    finally:
        cache.save()


def confirm(question: str) -> bool:
    """Ask *question* on stdout; True only for an explicit yes read from stdin."""
    print(question, end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in {"y", "yes", "д", "да"}


def check_output_path(path: Path | None, *, inputs: Sequence[Path] = ()) -> None:
    """Refuse an output file that cannot be written or would overwrite an input, before any work.

    Examples
    --------
    >>> check_output_path(Path("contacts.csv"), inputs=[Path("contacts.csv")])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smsc_frames.errors.ValidationError: --out: is an input file; ... (got 'contacts.csv')
    """
    if path is None:
        return
    if path.suffix.lower() not in {".csv", ".xlsx"}:
        raise ValidationError("--out", "must end in .csv or .xlsx", str(path))
    target = path.resolve()
    for source in inputs:
        if target == Path(source).resolve() or (
            path.exists() and Path(source).exists() and os.path.samefile(path, source)
        ):
            raise ValidationError(
                "--out", "is an input file; writing there would replace it: name another file",
                str(path),
            )  # fmt: skip
    folder = target.parent
    if not folder.is_dir():
        raise ValidationError("--out", "is in a folder that does not exist", str(path))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValidationError(
            "--out", "cannot be written (no permission); name another file", str(path)
        )


def write_table(
    frame: pd.DataFrame, path: Path, quote: Quote | None = None, *, sheet: str = "results"
) -> Path:
    """Write *frame* with :mod:`smsc_frames.export`, as Excel or CSV by the suffix.

    CSV is written as a Russian-locale Excel opens it (``;`` between cells, ``,`` before the
    kopecks); a tqdm bar on a terminal while a workbook is written.
    """
    frame = file_rows(with_zones(frame))
    if path.suffix.lower() == ".xlsx":
        if not sys.stderr.isatty() or len(frame) < 20_000:
            return to_excel(frame, path, quote, sheet_name=sheet)
        from tqdm import tqdm

        with tqdm(total=len(frame), desc="write", unit="row", file=sys.stderr) as bar:
            return to_excel(frame, path, quote, sheet_name=sheet, progress=bar.update)
    return to_csv(frame, path, sep=";", decimal=",")


ZONED_HEADER = re.compile(r"^(?P<name>.+) \((?P<zone>[A-Za-z_/+-]+)\)$")
INTEGER_COLUMNS = ("parts", "status", "error", "err", "cnt")
MOSCOW = "Europe/Moscow"


def read_results(path: Path) -> pd.DataFrame:
    """Read a results file written by ``send`` back into a results frame, with its types.

    Every cell comes back as text from :func:`read_contacts`; the columns ``send`` wrote as
    numbers, money and dates get their types back (``row``, ``parts`` integers, ``cost``
    Decimal, ``sent_at (UTC)`` a UTC datetime, ``last_date (Europe/Moscow)`` SMSC's Moscow
    wall clock), so a ``status`` run writes them back as numbers and dates, not text.
    """
    results = read_contacts(path, locale="en")  # written by export: "0.00" costs as 1.90
    for header in list(results.columns):
        match = ZONED_HEADER.match(str(header))
        if match:
            when = pd.to_datetime(results[header], errors="coerce")
            if when.dt.tz is None:
                when = when.dt.tz_localize(match["zone"])
            if match["name"] == "last_date":  # refresh_status works in SMSC's Moscow time
                when = when.dt.tz_convert(MOSCOW).dt.tz_localize(None)
            results[header] = when
            results = results.rename(columns={header: match["name"]})
    if "row" in results.columns:
        results["row"] = pd.to_numeric(results["row"], errors="coerce").astype("Int64")
        results = results.set_index("row")
    missing = {"sms_id", "phone"} - set(results.columns)
    if missing:
        raise ValidationError(
            "results",
            f"needs the columns sms_id and phone, as written by "
            f"'smsc-frames send' (missing: {', '.join(sorted(missing))})",
            str(path),
        )
    for column in INTEGER_COLUMNS:
        if column in results.columns:
            results[column] = pd.to_numeric(results[column], errors="coerce").astype("Int64")
    if "cost" in results.columns:
        results["cost"] = results["cost"].map(
            lambda text: Decimal(str(text).replace(",", ".")), na_action="ignore"
        )
    return results


def with_inputs(frame: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """*frame* with each row's phone as written in the contact file and its text, so a
    problem row can be found and fixed from the results file alone.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone_input": ["8 916 123-45-67", "12"], "text": ["Hi", "Hi"]})
    >>> results = pd.DataFrame({"phone": ["79161234567", None], "outcome": ["sent", "invalid"]})
    >>> with_inputs(results, plan).columns.tolist()
    ['phone_input', 'phone', 'outcome', 'text']
    """
    extra = plan.reindex(frame.index)
    out = frame.copy()
    if "phone_input" not in out.columns and "phone_input" in plan.columns:
        out.insert(0, "phone_input", extra["phone_input"])
    if "text" not in out.columns and "text" in plan.columns:
        out["text"] = extra["text"]
    return out


def file_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Number the rows as the contact file does (header = row 1, first contact = row 2).

    Only an unnamed integer index (the contact file's positions, as ``read_contacts`` gives
    them) is renumbered; a ``row`` read back from a results file is already a file row.

    Examples
    --------
    >>> file_rows(pd.DataFrame({"phone": ["79161234567"]})).index.tolist()
    [2]
    """
    index = frame.index
    if index.name is None and pd.api.types.is_integer_dtype(index):
        frame = frame.set_axis(pd.Index(index + 2, name="row"))
    return frame


def with_zones(frame: pd.DataFrame) -> pd.DataFrame:
    """SMSC's zone-less ``last_date`` (Moscow wall clock) marked as Moscow time for export."""
    if "last_date" in frame.columns and pd.api.types.is_datetime64_any_dtype(frame["last_date"]):
        if frame["last_date"].dt.tz is None:
            frame = frame.assign(last_date=frame["last_date"].dt.tz_localize(MOSCOW))
    return frame


def describe_quote(quote: Quote) -> str:
    """The cost preview: recipients, parts, cost, per operator, problem rows."""
    table = quote.table
    problems = table["problem"].dropna()
    by_operator = quote.by_operator.assign(cost=quote.by_operator["cost"].map("{:.2f}".format))
    lines = [
        f"Recipients: {quote.recipients}",
        f"SMS parts:  {quote.total_parts}",
        f"Total cost: {quote.total_cost:.2f}",
        "",
        "Per operator:",
        by_operator.to_string(),
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
    if results.attrs.get("sandbox"):
        text += "\n(sandbox results: nothing real was sent)"
    return text
