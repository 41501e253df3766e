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
import getpass
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd

from smsc_frames.campaign import (
    Quote,
    estimate,
    results_from_journal,
    results_from_journals,
    send,
)
from smsc_frames.check import check
from smsc_frames.client import Client
from smsc_frames.clifiles import (
    by_file_row,
    check_journal_path,
    check_output_path,
    check_output_rows,
    is_large,
    keep_earlier,
    read_results,
    with_inputs,
    write_table,
)
from smsc_frames.climessages import (
    describe_quote,
    describe_results,
    fail,
    left_to_send,
    notes_on_stderr,
    reached,
    refusal_message,
    send_question,
    show_warning,
    smsc_error_message,
    step,
    unfinished,
)
from smsc_frames.cliparser import (
    build_parser,
    option_kwargs,
    secret_values,
)
from smsc_frames.contacts import read_contacts
from smsc_frames.delivery import balance, choose_method, refresh_status
from smsc_frames.errors import (
    SmscError,
    ValidationError,
)
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

DEMO_TEMPLATE = "{Имя}, ваша скидка {Скидка}% по промокоду {Промокод} до {Дата}!"
DEMO_PHONE_COLUMN = "Телефон"
SANDBOX_NOTICE = "SANDBOX: this ran on the embedded smsc_frames sandbox; nothing real was sent."


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
        with warnings.catch_warnings(), notes_on_stderr():
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


def run_estimate(args: argparse.Namespace) -> int:
    """``smsc-frames estimate``: print what the campaign would cost (nothing is sent)."""
    if is_large(args.file):
        from smsc_frames.clichunked import run_estimate_chunked

        return run_estimate_chunked(args)
    check_output_path(args.out, inputs=[args.file])
    client = make_client(args)
    with step(f"reading {args.file.name} and preparing the messages"):
        plan = load_plan(args)
    check_output_rows(args.out, len(plan))
    with step(f"asking {client.url} for the price of {len(plan):,} rows (nothing is sent)"):
        quote = estimate_with_cache(plan, client)
    print(describe_quote(quote))
    print("\n" + describe_samples(sample_messages(plan, quote=quote)))
    if args.out:
        say_kept(args.out)
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
    if is_large(args.file):
        from smsc_frames.clichunked import run_send_chunked

        return run_send_chunked(args)
    out = args.out or Path(f"{args.file.stem}-results.xlsx")
    check_output_path(out, inputs=[args.file])
    check_journal_path(args.journal)
    client = make_client(args)
    with step(f"reading {args.file.name} and preparing the messages"):
        plan = load_plan(args)
        check_output_rows(out, len(plan))
        requests = build_payloads(plan)
    campaign = campaign_id(requests)
    # the state folder is made (or refused) before the quote, not after the analyst read it
    journal = args.journal or (
        None if campaign is None else default_journal(client.identity, campaign)
    )
    with step(f"asking {client.url} for the price of {len(plan):,} rows (nothing is sent)"):
        quote = estimate_with_cache(plan, client, requests)
    print(describe_quote(quote))
    print("\n" + describe_samples(sample_messages(plan, quote=quote)))
    if quote.recipients == 0 or journal is None:
        return fail("no sendable rows, nothing was sent", EXIT_FAILED)
    print(f"Journal: {journal}")
    earlier, done, unsure = sent_before(journal)
    finished_before = bool(earlier and not unsure and left_to_send(quote, done).empty)
    if finished_before:
        print(
            f"Nothing is left to send: {reached(earlier, 0, ' earlier')} (journal {journal}); "
            "writing their results."
        )
    elif not args.yes and not confirm(send_question(quote, earlier, done, unsure)):
        print(
            f"Nothing more was sent; {reached(earlier, unsure, ' earlier')} (journal {journal})."
            if earlier or unsure
            else "Nothing was sent."
        )
        return EXIT_FAILED
    say_kept(out)
    try:
        doing = "reading back the statuses of" if finished_before else "sending"
        with step(f"{doing} {len(requests):,} requests"):
            results = send(
                plan,
                client,
                journal=journal,
                payloads=requests,
                verify_payloads=False,  # built from this plan above
                progress=sys.stderr.isatty(),
            )
    except KeyboardInterrupt:
        write_results_after(journal, out, quote, plan)
        return 130
    print(describe_results(results))
    try:
        with step(f"writing the results to {out}"):
            written = write_table(with_inputs(results, plan), out, quote)
    except OSError as error:
        return results_not_written(results, out, journal, error)
    print(f"Results written to {written} (journal: {journal})")
    return finished(int(results["outcome"].eq("not sent").sum()), unsure_of(results))


def say_kept(out: Path) -> None:
    """Keep the file a command is about to replace, and say where it went."""
    kept = keep_earlier(out)
    if kept is not None:
        print(f"The earlier {out.name} is kept as {kept.name}.")


def finished(not_sent: int, unsure: int = 0) -> int:
    """The exit code of a send that left recipients *not_sent* or *unsure* (their answers
    lost: probably sent), said plainly."""
    if not_sent or unsure:
        return fail(unfinished(not_sent, unsure), EXIT_FAILED)
    return EXIT_OK


def unsure_of(results: pd.DataFrame) -> int:
    """Rows whose request's answer was lost: probably sent, not confirmed."""
    return int(results["outcome"].eq("unknown").sum())


def sent_before(journal: Path) -> tuple[int, set[str], int]:
    """Recipients an existing journal records as sent, the ids of its accepted requests, and
    the recipients of requests whose answer was lost (they may have been sent)."""
    if not Path(journal).is_file():
        return 0, set(), 0
    known = accepted_phones(journal, include_unknown=True)
    done = known[known["state"] == "accepted"]
    return len(done), set(done["sms_id"]), len(known) - len(done)


def results_not_written(results: pd.DataFrame, out: Path, journal: Path, error: OSError) -> int:
    """Say plainly what was sent, where the journal is and how to write the results later."""
    sent = int(results["outcome"].eq("sent").sum())
    print(describe_results(results), file=sys.stderr)
    return fail(
        f"{reached(sent, unsure_of(results))}, but the results could not be written to {out} "
        f"({error.strerror or error}). Nothing is lost: the journal {journal} records every "
        f"request. Write the results with:\n  smsc-frames results {journal} --out OTHER.xlsx\n"
        "(running the send again would not send anyone twice either)",
        EXIT_RESULTS_NOT_WRITTEN,
    )


def write_results_after(journal: Path, out: Path, quote: Quote | None, plan: pd.DataFrame) -> None:
    """After a Ctrl-C: write what the journal says was done so far (with the contact file's
    phone and text, as a finished send writes them), and say so."""
    again = (
        "Run the same command with the same file again to send the rest: SMSC is asked about "
        "lost answers first, so nobody gets a second SMS (a changed file would be a new "
        "campaign and send to them again)"
    )
    try:
        results = results_from_journal(journal)
    except ValidationError as error:  # never "refused, nothing was sent" after a partial send
        fail(f"interrupted; the journal {journal} could not be read back ({error}). {again}", 130)
        return
    said = reached(int(results["outcome"].eq("sent").sum()), unsure_of(results))
    try:
        written = write_table(with_inputs(results, plan), out, quote)
    except (OSError, ValidationError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else error
        fail(f"interrupted: {said}; the results so far could not be written to {out} ({why}): "
             f"smsc-frames results {journal} --out FILE writes them. {again}", 130)  # fmt: skip
        return
    fail(f"interrupted: {said}; the results so far are in {written}. {again}", 130)


def run_results(args: argparse.Namespace) -> int:
    """``smsc-frames results``: write a campaign's results from its journal alone."""
    check_output_path(args.out, inputs=[args.journal])
    results = results_from_journals(args.journal)  # the chunked path's journal.0, .1... too
    print(describe_results(results))
    say_kept(args.out)
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
    limits = SmscLimits(status_list_interval=args.min_interval)
    how = (
        "one status.php list request"
        if choose_method(asked, limits) == "list"
        else "SMSC's history of sent messages (get.php), status lists for any it lacks"
    )
    with step(f"asking for the statuses of {asked:,} messages ({how})"):
        refreshed = refresh_status(results, client, limits=limits, progress=sys.stderr.isatty())
    refreshed.attrs["sandbox"] = bool(client.is_sandbox)
    print(describe_results(refreshed))
    if out.resolve() != args.results.resolve():  # another file: kept; the results themselves
        say_kept(out)  # are refreshed in place, as asked
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
    try:
        check_output_path(args.out)
    except ValidationError as error:  # the user typed no --out: say where the demo writes
        why = error.rule.split(";")[0]
        raise ValidationError(
            "--out", f"the demo writes its results to {args.out}, which {why}; run it from "
            "another folder or pass --out FILE", str(args.out),
        ) from None  # fmt: skip
    contacts_path = sample_contacts_path()
    with Sandbox(accounts=[demo_account()], settings=demo_settings()) as sandbox:
        print(
            f"DEMO on the embedded sandbox at {sandbox.url}: nothing real will be sent "
            "and no money spent.\n"
        )
        client = Client("demo", "demo", url=sandbox.url, environ={})
        contacts = by_file_row(read_contacts(contacts_path))
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
        print(describe_results(results) + "\n")
        say_kept(args.out)
        print(f"Results written to {write_table(results, args.out, quote).resolve()}")
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
        sheet_name=None if args.sheet is None else str(args.sheet),  # a name, then @N
        encoding=args.encoding,
        delimiter=args.delimiter,
        header_row=args.header_row,
        raw=args.raw_cells,
        locale=args.locale,
    )
    return prepare(
        by_file_row(contacts),
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
    the whole run and stays in the shell history: it works, with a warning. ``--login`` alone
    takes its password from ``SMSC_PASSWORD`` (as that warning advises), ``--password`` alone
    its login from ``SMSC_LOGIN``; with no password
    anywhere and a terminal attached, the password is asked for without echo.
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
    if login and not password and not args.apikey:
        password = os.environ.get("SMSC_PASSWORD") or None
    if password and not login:  # the other half of the pair, from where the user keeps it
        login = os.environ.get("SMSC_LOGIN") or None
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
        return estimate(
            plan,
            client,
            payloads=requests,
            verify_payloads=False,  # built from this plan by the caller
            cache=cache,
            progress=_is_terminal(sys.stderr),
        )
    finally:
        cache.save()


def confirm(question: str) -> bool:
    """Ask *question* on stdout; True only for an explicit yes read from stdin."""
    print(question, end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in {"y", "yes", "д", "да"}
