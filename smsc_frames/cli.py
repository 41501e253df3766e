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
import os
import sys
import time
import warnings
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import pandas as pd

from smsc_frames.campaign import Quote, estimate, results_from_journal, send
from smsc_frames.campaign.truncation import describe_cut
from smsc_frames.client import Client
from smsc_frames.contacts import read_contacts
from smsc_frames.delivery import balance, refresh_status
from smsc_frames.errors import SmscError, ValidationError
from smsc_frames.export import summary, to_csv, to_excel
from smsc_frames.journal import accepted_phones
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, campaign_id
from smsc_frames.payloads import payloads as build_payloads
from smsc_frames.plan import prepare
from smsc_frames.policy import SmscLimits
from smsc_frames.quotecache import QuoteCache
from smsc_frames.samples import describe_samples, sample_messages
from smsc_frames.sandbox import Sandbox, serve
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
        "file", type=Path, help="contacts: .csv/.tsv/.txt, .xlsx/.xlsm/.xlsb/.xls/.ods"
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
    )
    estimate.add_argument("--out", type=Path, help="write the per-phone quote (.csv or .xlsx)")

    send = commands.add_parser(
        "send",
        parents=[campaign, connection],
        help="send a campaign (shows the cost and asks first)",
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
        "status", parents=[connection], help="refresh the delivery statuses of a results file"
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

    sandbox = commands.add_parser("sandbox", help="run a local SMSC-compatible sandbox server")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8000)
    sandbox.add_argument("--login", default="demo")
    sandbox.add_argument("--password", default="demo")
    sandbox.add_argument("--apikey", default="demo-apikey")
    sandbox.add_argument("--balance", type=Decimal, default=Decimal("1000.00"))

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
        return fail(f"refused, nothing was sent: {error}", EXIT_REFUSED)
    except SmscError as error:
        return fail(f"{type(error).__name__}: {error}", EXIT_FAILED)
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


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a library warning as one ``smsc-frames: warning:`` line, without source lines."""
    print(f"smsc-frames: warning: {message}", file=sys.stderr)


def run_estimate(args: argparse.Namespace) -> int:
    """``smsc-frames estimate``: print what the campaign would cost (nothing is sent)."""
    check_output_path(args.out, inputs=[args.file])
    plan = load_plan(args)
    client = make_client(args)
    quote = estimate_with_cache(plan, client)
    print(describe_quote(quote))
    print("\n" + describe_samples(sample_messages(plan)))
    if args.out:
        print(f"Quote written to {write_table(quote.table, args.out)}")
    return EXIT_OK


def run_send(args: argparse.Namespace) -> int:
    """``smsc-frames send``: estimate, confirm, send through a journal, write the results.

    The results are never the weak link: ``--out`` is checked before the first request; if it
    cannot be written after sending (or the send is interrupted), the message says how many were
    sent, where the journal is and the one command that writes the results from it.
    """
    out = args.out or Path(f"{args.file.stem}-results.xlsx")
    check_output_path(out, inputs=[args.file])
    plan = load_plan(args)
    client = make_client(args)
    requests = build_payloads(plan)
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
        results = send(
            plan, client, journal=journal, payloads=requests, progress=sys.stderr.isatty()
        )
    except KeyboardInterrupt:
        write_results_after(journal, out, quote)
        return 130
    print(describe_results(results))
    try:
        written = write_table(results, out, quote)
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
    print(f"Results written to {write_table(results, args.out)}")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    """``smsc-frames status``: refresh the delivery statuses of a results file."""
    out = args.out or args.results
    check_output_path(out)
    results = read_results(args.results)
    client = make_client(args)
    refreshed = refresh_status(
        results, client, limits=SmscLimits(status_list_interval=args.min_interval)
    )
    refreshed.attrs["sandbox"] = bool(client.is_sandbox)
    print(describe_results(refreshed))
    print(f"Results written to {write_table(refreshed, out)}")
    return EXIT_OK


def run_balance(args: argparse.Namespace) -> int:
    """``smsc-frames balance``: print the account balance."""
    client = make_client(args)
    amount = balance(client)
    where = " (sandbox, not real money)" if client.is_sandbox else ""
    print(f"Balance: {amount:.2f}{where}")
    return EXIT_OK


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


def make_client(args: argparse.Namespace) -> Client:
    """A :class:`~smsc_frames.client.Client` from the flags, falling back to ``SMSC_*``."""
    return Client(
        login=args.login,
        password=args.password,
        apikey=args.apikey,
        url=args.url,
        environ=os.environ,
    )


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


def write_table(frame: pd.DataFrame, path: Path, quote: Quote | None = None) -> Path:
    """Write *frame* with :mod:`smsc_frames.export`, as Excel or CSV by the suffix."""
    if path.suffix.lower() == ".xlsx":
        return to_excel(frame, path, quote)
    return to_csv(frame, path)


def read_results(path: Path) -> pd.DataFrame:
    """Read a results file written by ``send`` back into a results frame."""
    results = read_contacts(path, locale="en")  # written by export: "0.00" costs as 1.90
    if "row" in results.columns:
        results = results.set_index("row")
    missing = {"sms_id", "phone"} - set(results.columns)
    if missing:
        raise ValidationError(
            "results",
            f"needs the columns sms_id and phone, as written by "
            f"'smsc-frames send' (missing: {', '.join(sorted(missing))})",
            str(path),
        )
    if "cost" in results.columns:
        results["cost"] = results["cost"].map(Decimal, na_action="ignore")
    return results


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
