"""``smsc-frames estimate``/``send`` on a large CSV: chunk by chunk, in bounded memory.

A CSV above :data:`smsc_frames.clifiles.CHUNKED_BYTES` is read :data:`CHUNK_ROWS` rows at a time
(:func:`smsc_frames.contacts.read_contacts` with ``chunksize``) and quoted or sent with
:func:`smsc_frames.campaign.estimate_chunks` / :func:`~smsc_frames.campaign.send_chunks`:
the same prompts, a journal named after the file's content and the message options (so the
same command resumes, and another template on the same file is another campaign),
and the results written as CSV or Parquet chunk by chunk (a workbook would need every row in
memory); after a Ctrl-C the finished chunks' results stay in ``<out>.partial``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from smsc_frames.campaign.chunked import (
    ChunkNotAcceptedError,
    ResultsNotWrittenError,
    chunk_journals,
    estimate_chunks,
    send_chunks,
)
from smsc_frames.campaign.results import leftovers
from smsc_frames.cli import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_RESULTS_NOT_WRITTEN,
    confirm,
    finished,
    make_client,
    say_kept,
    sent_before,
)
from smsc_frames.clifiles import by_file_row, check_journal_path, check_output_path, with_inputs
from smsc_frames.climessages import fail, reached, step
from smsc_frames.cliparser import option_kwargs
from smsc_frames.contacts import read_contacts
from smsc_frames.errors import ValidationError
from smsc_frames.journal import Journal
from smsc_frames.options import Options
from smsc_frames.resultsfile import partial_path
from smsc_frames.statedir import default_journal

__all__ = ["CHUNK_ROWS", "run_estimate_chunked", "run_send_chunked"]

CHUNK_ROWS = 100_000
"""Rows per chunk."""


PROGRESS_EVERY = 10.0
"""Seconds between two progress lines when stderr is not a terminal (a log, a pipe)."""


def _chunks(args: argparse.Namespace, what: str, about: int) -> Iterator[pd.DataFrame]:
    """The file's chunks, labelled by their rows in the file (:func:`by_file_row`), saying how
    many rows of *about* (:func:`_about_rows`) are *what* (quoted, sent): on a terminal a tqdm
    bar; in a log or a pipe a line every :data:`PROGRESS_EVERY` seconds.
    """
    chunks = read_contacts(
        args.file,
        phone_columns=args.phone,
        encoding=args.encoding,
        delimiter=args.delimiter,
        header_row=args.header_row,
        chunksize=CHUNK_ROWS,
    )
    on_terminal = sys.stderr.isatty()
    done, said = 0, time.monotonic()
    with tqdm(total=about, desc=what, unit=" rows", unit_scale=True, disable=not on_terminal,
              leave=False) as bar:  # fmt: skip
        for chunk in chunks:
            yield by_file_row(chunk)
            done += len(chunk)
            bar.update(len(chunk))
            if not on_terminal and time.monotonic() - said >= PROGRESS_EVERY:
                print(f"smsc-frames: {what}: {done:,} of ~{about:,} rows", file=sys.stderr,
                      flush=True)  # fmt: skip
                said = time.monotonic()


def _about_rows(args: argparse.Namespace) -> int:
    """The file's contact rows, about: its lines (a last one without a newline counted) less
    the header's, read in 1 MiB blocks. About, as a cell may hold a newline."""
    lines, last = 0, b"\n"
    with args.file.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines + (last != b"\n") - (args.header_row or 1), 0)


def _prepare_arguments(args: argparse.Namespace) -> dict[str, Any]:
    return dict(
        phone=args.phone,
        text=args.text,
        template=args.template,
        sender=args.sender,
        options=Options.from_kwargs(**option_kwargs(args)),
        default_region=args.region,
        split_phones=args.split_phones,
    )


def _file_campaign(path: Path, prepared: dict[str, Any]) -> str:
    """A campaign name from the file's bytes and how its messages are made: the same command
    gives the same journal (it resumes); another template, sender or option on the same file
    is another campaign, with a journal of its own."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    made = {
        name: value.to_params() if isinstance(value, Options) else value
        for name, value in prepared.items()
    }
    digest.update(json.dumps(made, sort_keys=True, default=str).encode())
    return f"chunked-{digest.hexdigest()[:12]}"


def run_estimate_chunked(args: argparse.Namespace) -> int:
    """``smsc-frames estimate`` on a large CSV: the totals, chunk by chunk."""
    if args.out:
        raise ValidationError(
            "--out", "a file this large is quoted chunk by chunk: no quote table is written",
            str(args.out),
        )  # fmt: skip
    client = make_client(args)
    with step(f"asking {client.url} for the price of {args.file.name}, chunk by chunk"):
        chunks = _chunks(args, "quoted", _about_rows(args))
        totals = estimate_chunks(chunks, client, **_prepare_arguments(args))
    print(f"Estimate (nothing was sent): {totals}")
    if totals.balance is not None:
        print(f"Balance: {totals.balance:,.2f}")
    return EXIT_OK


def run_send_chunked(args: argparse.Namespace) -> int:
    """``smsc-frames send`` on a large CSV: estimate, confirm, send chunk by chunk."""
    out = args.out or Path(f"{args.file.stem}-results.csv")
    if out.suffix.lower() == ".xlsx":
        raise ValidationError(
            "--out", "a file this large is sent chunk by chunk: its results are a .csv or "
            ".parquet (a workbook needs every row in memory)", str(out),
        )  # fmt: skip
    check_output_path(out, inputs=[args.file])
    check_journal_path(args.journal)
    client = make_client(args)
    prepared = _prepare_arguments(args)
    about = _about_rows(args)
    with step(f"asking {client.url} for the price of {args.file.name}, chunk by chunk"):
        quote = estimate_chunks(_chunks(args, "quoted", about), client, **prepared)
    print(f"Estimate: {quote}")
    if quote.recipients == 0:
        return fail("no sendable rows, nothing was sent", EXIT_FAILED)
    journal = args.journal or default_journal(client.identity, _file_campaign(args.file, prepared))
    print(f"Journal: {journal} (with .N per chunk)")
    question = (
        f"Send {quote.total_parts:,} SMS to {quote.recipients:,} numbers "
        f"for {quote.total_cost:,.2f}? [y/N] "
    )
    sent, unsure = _reached_so_far(journal)
    finished_before = bool(sent and not unsure and _all_finished(journal, quote.chunks))
    if sent or unsure:  # a resume: the totals are the whole file's, what was sent is not again
        question = (
            f"Send the rest of {quote.total_parts:,} SMS to {quote.recipients:,} numbers "
            f"(the whole file: {quote.total_cost:,.2f}); {reached(sent, unsure, ' earlier')}, "
            "and they are not sent again? [y/N] "
        )
    if finished_before:  # its results are written, nothing is sent
        print(
            f"Nothing is left to send: {reached(sent, 0, ' earlier')} (journal {journal}, "
            ".N per chunk); writing their results."
        )
    elif not args.yes and not confirm(question):
        print(f"Nothing more was sent; {reached(sent, unsure, ' earlier')}." if sent or unsure
              else "Nothing was sent.")  # fmt: skip
        return EXIT_FAILED
    say_kept(out)
    try:
        with step(f"sending {args.file.name} chunk by chunk"):
            totals = send_chunks(
                _chunks(args, "sent", about), client, journal=journal, results=out,
                shape=with_inputs, sep=";", decimal=",", progress=sys.stderr.isatty(), **prepared,
            )  # fmt: skip
    except KeyboardInterrupt:
        return _stopped("interrupted", out, journal, 130)
    except ResultsNotWrittenError as error:
        return _stopped(f"stopped ({error.why})", out, journal, EXIT_RESULTS_NOT_WRITTEN)
    except ChunkNotAcceptedError as error:
        return _stopped(f"stopped ({error})", out, journal, EXIT_FAILED)
    print(f"Sent: {totals}")
    print(f"Results written to {totals.results} (journal: {journal})")
    return finished(totals.outcomes["not sent"], totals.outcomes["unknown"])


def _all_finished(journal: Path, chunks: int) -> bool:
    """Whether an earlier run finished every one of the file's *chunks*: each chunk's journal
    there, nothing left in it to post or settle."""
    written = chunk_journals(journal)
    if len(written) < chunks:
        return False
    for path in written:
        with Journal.read(path) as opened:
            if leftovers(opened.entries()):
                return False
    return True


def _reached_so_far(journal: Path) -> tuple[int, int]:
    """The recipients the chunk journals record as sent, and those whose answers were lost
    (probably sent), the chunk cut short included (:func:`~smsc_frames.cli.sent_before` of
    each)."""
    counts = [sent_before(path) for path in chunk_journals(journal)]
    return sum(sent for sent, _, _ in counts), sum(unsure for _, _, unsure in counts)


def _stopped(what: str, out: Path, journal: Path, code: int) -> int:
    """A send stopped mid-file (Ctrl-C, the results file failing): how many were sent, where
    the finished chunks' results and the journal are, and what to run."""
    partial = partial_path(out)
    where = (
        f"the results of the chunks finished so far are in {partial}"
        if partial.is_file()
        else "no chunk had finished, so no results were written"
    )
    return fail(
        f"{what}: {reached(*_reached_so_far(journal))}; {where}. The journal {journal} "
        "(.N per chunk) records every request: "
        f"run the same command again to send the rest (nobody gets a second SMS) and write "
        f"{out} with every row",
        code,
    )
