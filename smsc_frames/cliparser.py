"""The ``smsc-frames`` argument parser: subcommands, flags, help texts and examples.

Secrets given as flags (``--password``, ``--apikey``) never appear in an argparse error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

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
    ("bin", int, "1 = binary message, 2 = binary written in hex (parts counted in bytes)"),
    ("subj", str, "subject of an e-mail (--mail, with an e-mail --sender) or MMS"),
]
SWITCH_FLAGS = [
    ("flash", "send as flash SMS"),
    ("hlr", "HLR request per number (no --text needed: SMSC does not use a text)"),
    ("ping", "ping SMS per number (no --text needed: SMSC does not use a text)"),
    ("call", "voice message: the text is read out (cost per started minute)"),
    ("tg", "Telegram code message (recipients may be @nick or #ID)"),
    ("mail", "e-mail message: the phone column holds e-mail addresses (needs --subj, --sender)"),
]


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
    group.add_argument("--login", help="its password from SMSC_PASSWORD, or asked for")
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
    texts = campaign.add_mutually_exclusive_group()  # prepare(): one of them, but for --hlr/--ping
    texts.add_argument("--text", metavar="COL", help="the column holding each row's text")
    texts.add_argument("--template", metavar="T", help="a text with {column} fields")
    campaign.add_argument("--sender", help="sender name, or a column holding one per row")
    inputs = campaign.add_argument_group("reading the contact file")
    inputs.add_argument(
        "--sheet",
        metavar="NAME|@N",
        help="the workbook sheet by name (digits too: --sheet 2024 is the sheet named 2024), "
        "or by position counted from 0 as @N, hidden sheets too (default: the first sheet "
        "Excel shows)",
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
    estimate.add_argument(
        "--out", type=Path, help="write the per-phone quote (.csv, .xlsx or .parquet)"
    )

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
        help="results file, .csv, .xlsx or .parquet "
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
        "--out",
        type=Path,
        required=True,
        help="where to write the results (.csv, .xlsx or .parquet)",
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
