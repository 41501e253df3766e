"""``smsc-frames estimate``/``send`` take the chunked path on their own for a large CSV."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from send_helpers import SETTINGS, contacts, stored

from smsc_frames.cli import main
from smsc_frames.clifiles import read_results
from smsc_frames.contacts import read_contacts
from smsc_frames.plan import prepare
from smsc_frames.resultsfile import ResultsWriter, partial_path, read_parquet_results
from smsc_frames.sandbox.settings import Account

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "sample_data" / "contacts.csv"
TEMPLATE = "{Имя}, скидка {Скидка}% по коду {Промокод}"


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch, tmp_path_factory):
    """Every CSV counts as large, read 100 rows at a time (4 chunks); a quote cache of its own."""
    monkeypatch.setattr("smsc_frames.clifiles.CHUNKED_BYTES", 0)
    monkeypatch.setattr("smsc_frames.clichunked.CHUNK_ROWS", 100)
    monkeypatch.setenv("SMSC_FRAMES_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _args(sandbox, *extra: str) -> list[str]:
    return [str(SAMPLE_CSV), "--phone", "Телефон", "--template", TEMPLATE, "--url", sandbox.url,
            "--login", "demo", "--password", "demo", *extra]  # fmt: skip


def _rich(make_sandbox):
    return make_sandbox(accounts=[Account("demo", "demo", balance=Decimal("10000"))])


def test_send_goes_chunk_by_chunk_and_writes_every_row(make_sandbox, capsys, tmp_path):
    sandbox = _rich(make_sandbox)
    out = tmp_path / "results.csv"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    captured = capsys.readouterr()
    assert "chunk by chunk" in captured.err and "Results written to" in captured.out
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    sendable = plan[plan["sendable"]]
    stored = [(message["phone"], message["text"]) for message in sandbox.messages()]
    assert sorted(stored) == sorted(zip(sendable["phone"], sendable["text"]))
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)
    assert written.index.tolist() == [str(label + 2) for label in plan.index]  # file rows
    assert (written["outcome"] == "sent").sum() == len(sendable)
    assert (written["outcome"] == "duplicate").sum() == plan["duplicate_of"].notna().sum()
    assert {"phone_input", "text"} <= set(written.columns)


def test_chunked_results_name_the_line_each_contact_is_on_titles_and_blanks_counted(
    make_sandbox, tmp_path
):
    sandbox = _rich(make_sandbox)
    lines = ["Клиенты на март", "phone;text", *(f"+7 916 {n:07d};Hi {n}" for n in range(250))]
    lines[150:150] = ["", ";"]  # blank rows in the second chunk
    csv = tmp_path / "march.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    args = ["send", str(csv), "--phone", "phone", "--text", "text", "--url", sandbox.url,
            "--login", "demo", "--password", "demo", "--yes", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert len(written) == 250 and written["outcome"].eq("sent").all()
    for row, text in zip(written["row"].astype(int), written["text"]):
        assert lines[row - 1].endswith(f";{text}")  # the line an editor shows it on


def test_another_template_on_the_same_file_is_another_campaign(make_sandbox, capsys, tmp_path):
    # the journal was named after the file alone: the second campaign was refused as a resume
    sandbox = _rich(make_sandbox)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(tmp_path / "a.csv"))]) == 0
    first = len(sandbox.messages())
    other = [str(SAMPLE_CSV), "--phone", "Телефон", "--template", "{Имя}, до встречи!",
             "--url", sandbox.url, "--login", "demo", "--password", "demo"]  # fmt: skip
    assert main(["send", *other, "--yes", "--out", str(tmp_path / "b.csv")]) == 0
    journals = re.findall(r"^Journal: (\S+)", capsys.readouterr().out, flags=re.MULTILINE)
    assert len(journals) == 2 and journals[0] != journals[1]
    texts = Counter(message["text"].endswith("до встречи!") for message in sandbox.messages())
    assert texts == {False: first, True: first}
    assert main(["send", *other, "--yes", "--out", str(tmp_path / "c.csv")]) == 0  # resumes
    assert len(sandbox.messages()) == 2 * first  # and sends nobody twice


def test_results_rebuilds_a_chunked_campaign_from_the_journal_send_printed(
    make_sandbox, capsys, tmp_path
):
    sandbox = _rich(make_sandbox)
    out, rebuilt = tmp_path / "r.csv", tmp_path / "rebuilt.csv"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    printed = capsys.readouterr().out
    [journal] = re.findall(r"^Journal: (\S+) \(with \.N per chunk\)$", printed, flags=re.MULTILINE)
    assert main(["results", journal, "--out", str(rebuilt)]) == 0  # was "not a journal file"
    assert main(["results", journal + "x", "--out", str(tmp_path / "x.csv")]) == 2
    assert "the file: no such file (nor chunk journals beside it)" in capsys.readouterr().err
    columns = ["sms_id", "outcome", "reason"]
    sent = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)[columns]
    again = pd.read_csv(rebuilt, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)[columns]
    pd.testing.assert_frame_equal(again, sent)


def test_a_rerun_of_a_finished_large_file_asks_nothing_and_writes_the_results(
    make_sandbox, capsys, tmp_path, monkeypatch
):
    sandbox = _rich(make_sandbox)
    out = tmp_path / "r.csv"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    stored = len(sandbox.messages())
    capsys.readouterr()
    out.unlink()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))  # a question would be answered no
    assert main(["send", *_args(sandbox, "--out", str(out))]) == 0
    printed = capsys.readouterr().out
    assert "[y/N]" not in printed  # it asked "Send 311 SMS ... for 1,635.55?" to send nothing
    assert f"Nothing is left to send: {stored:,} recipients were sent earlier" in printed
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    assert written["outcome"].eq("sent").sum() == stored and len(sandbox.messages()) == stored


def test_estimate_prints_the_chunked_totals_and_sends_nothing(make_sandbox, capsys, monkeypatch):
    monkeypatch.setattr("smsc_frames.clichunked.PROGRESS_EVERY", 0)  # a line after each chunk
    sandbox = _rich(make_sandbox)
    assert main(["estimate", *_args(sandbox)]) == 0
    captured = capsys.readouterr()
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    assert f"{int(plan['sendable'].sum())} recipients" in captured.out
    assert sandbox.messages() == []
    rows = len(plan)  # 335 lines less the header; no cell holds a newline
    said = [line for line in captured.err.splitlines() if line.startswith("smsc-frames: quoted")]
    expected = [f"smsc-frames: quoted: {done} of ~{rows} rows" for done in (100, 200, 300, rows)]
    assert said == expected


def test_a_workbook_output_is_refused_before_any_request(make_sandbox, capsys, tmp_path):
    sandbox = _rich(make_sandbox)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(tmp_path / "r.xlsx"))]) == 2
    assert ".csv or .parquet" in capsys.readouterr().err and sandbox.requests == []


def test_send_chunk_by_chunk_to_parquet_then_status_reads_it_back(make_sandbox, tmp_path):
    sandbox = _rich(make_sandbox)
    out = tmp_path / "results.parquet"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    written = read_parquet_results(out)
    assert written.index.tolist() == [label + 2 for label in plan.index]  # file rows, once
    assert (written["outcome"] == "sent").sum() == plan["sendable"].sum()
    sent = written[written["outcome"] == "sent"]
    assert all(isinstance(cost, Decimal) and cost > 0 for cost in sent["cost"])
    assert str(written["sent_at"].dt.tz) == "UTC" and {"phone_input", "text"} <= set(written)
    assert not partial_path(out).exists()

    login = ["--url", sandbox.url, "--login", "demo", "--password", "demo"]
    assert main(["status", str(out), *login]) == 0
    refreshed = read_results(out)
    assert refreshed.index.tolist() == written.index.tolist()
    assert refreshed["status_name"][sent.index].notna().all()
    assert str(refreshed["last_date"].dt.tz) == "Europe/Moscow"  # as refresh_status gives it


def test_whole_file_send_writes_parquet_and_checks_a_workbook_fits_before_sending(
    make_sandbox, capsys, tmp_path, monkeypatch
):
    monkeypatch.setattr("smsc_frames.clifiles.CHUNKED_BYTES", 1 << 40)  # not chunked
    monkeypatch.setattr("smsc_frames.xlsxsheets.EXCEL_MAX_ROWS", 50)  # the file has more rows
    sandbox = _rich(make_sandbox)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(tmp_path / "r.xlsx"))]) == 2
    error = capsys.readouterr().err
    assert "write CSV (.csv) or Parquet (.parquet) instead" in error
    assert sandbox.requests == [] and not (tmp_path / "r.xlsx").exists()

    out = tmp_path / "r.parquet"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    written = read_parquet_results(out)
    assert len(written) == len(plan) and (written["outcome"] == "sent").sum() == len(
        stored(sandbox)
    )


def test_a_results_file_failing_mid_send_says_what_was_kept_and_a_rerun_finishes(
    make_sandbox, capsys, tmp_path, monkeypatch
):
    sandbox = _rich(make_sandbox)
    out = tmp_path / "results.parquet"
    write = ResultsWriter.write

    def disk_full_at_chunk_2(writer, results):
        if writer.chunks == 2:
            raise OSError(28, "No space left on device")
        write(writer, results)

    monkeypatch.setattr(ResultsWriter, "write", disk_full_at_chunk_2)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 3
    error = capsys.readouterr().err
    assert "stopped (No space left on device)" in error and "run the same command again" in error
    assert f"results of the chunks finished so far are in {partial_path(out)}" in error
    assert len(read_parquet_results(partial_path(out))) == 200  # chunks 0 and 1, 100 rows each
    sent_before = len(sandbox.messages())

    monkeypatch.setattr(ResultsWriter, "write", write)
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    assert read_parquet_results(out).index.tolist() == [label + 2 for label in plan.index]
    counts = stored(sandbox)
    assert sum(counts.values()) == len(counts) == plan["sendable"].sum() > sent_before


RUN_CHUNKED = (
    "import sys, smsc_frames.clifiles as files, smsc_frames.clichunked as chunked\n"
    "files.CHUNKED_BYTES, chunked.CHUNK_ROWS = int(sys.argv[1]), int(sys.argv[2])\n"
    "from smsc_frames.cli import main\n"
    "sys.exit(main(sys.argv[3:]))"
)
"""``python -c RUN_CHUNKED THRESHOLD CHUNK_ROWS ARGS...``: the CLI with its chunking lowered."""


def _cli(threshold: int, chunk_rows: int, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CHUNKED, str(threshold), str(chunk_rows), *args],
        env=os.environ, **options,
    )  # fmt: skip


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_chunks_and_a_rerun_writes_every_row_once(
    tmp_path, monkeypatch, capsys
):
    from smsc_frames.sandbox import Sandbox

    rows, chunk = 120, 20  # 6 chunks of ~0.5 s each: the Ctrl-C lands in chunk 1
    monkeypatch.setattr("smsc_frames.clichunked.CHUNK_ROWS", chunk)
    csv = tmp_path / "contacts.csv"
    contacts(rows).to_csv(csv, index=False)
    out = tmp_path / "results.csv"
    partial = partial_path(out)
    rich = Account("demo", "demo", balance=Decimal("100000"))
    with Sandbox(accounts=[rich], settings=SETTINGS) as sandbox:
        args = [str(csv), "--phone", "phone", "--text", "text", "--url", sandbox.url,
                "--login", "demo", "--password", "demo", "--yes", "--out", str(out)]  # fmt: skip
        child = _cli(0, chunk, "send", *args, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(sandbox.messages()) <= chunk and child.poll() is None:  # chunk 0 written
            assert time.monotonic() < deadline, "no chunk finished"
            time.sleep(0.005)
        child.send_signal(signal.SIGINT)
        _, error = child.communicate(timeout=60)
        assert child.returncode == 130, error
        assert f"results of the chunks finished so far are in {partial}" in error
        assert "run the same command again" in error and not out.exists()
        kept = pd.read_csv(partial, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)
        assert 0 < len(kept) < rows and len(kept) % chunk == 0  # whole chunks only
        assert kept["outcome"].eq("sent").all()
        sent_before = len(sandbox.messages())
        assert sent_before < rows  # interrupted mid-file
        said = re.search(r"interrupted: ([\d,]+) recipients were (?:confirmed )?sent", error)
        assert said is not None, error  # the chunk cut short counts too, not only the file
        confirmed = int(said.group(1).replace(",", ""))
        probably = re.search(r"and ([\d,]+) probably sent", error)
        assert confirmed + (int(probably.group(1)) if probably else 0) == sent_before

        monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
        assert main(["send", *(arg for arg in args if arg != "--yes")]) == 1
        printed = capsys.readouterr().out
        assert (
            "Send the rest of " in printed and " earlier, and they are not sent again?" in printed
        )
        assert "Nothing more was sent; " in printed and len(sandbox.messages()) == sent_before

        assert main(["send", *args]) == 0

        counts = stored(sandbox)
    assert len(counts) == rows and max(counts.values()) == 1  # everyone once, across runs
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)
    assert written.index.tolist() == [str(row) for row in range(2, rows + 2)]  # each once
    assert written["outcome"].eq("sent").all() and not partial.exists()
    assert written.loc[kept.index, "sms_id"].tolist() == kept["sms_id"].tolist()


RUN_MEASURED = RUN_CHUNKED.replace(
    "sys.exit(main(sys.argv[3:]))",
    "code = main(sys.argv[3:])\n"
    "status = open('/proc/self/status').read()\n"
    "print(status[status.index('VmHWM:'):].split()[1], file=sys.stderr)\n"
    "sys.exit(code)",
)
"""RUN_CHUNKED ending with the process's own peak RSS in KiB (``VmHWM``) on stderr's last line.

Not ``ru_maxrss``: on Linux it keeps the peak of the memory the process was forked from (the
pytest worker, however large it ever grew) across the exec, so every run read the same."""


def _peak_mib(*args: str, threshold: int, chunk_rows: int) -> float:
    """The peak resident memory of one CLI run in its own process, in MiB."""
    child = subprocess.run(
        [sys.executable, "-c", RUN_MEASURED, str(threshold), str(chunk_rows), *args],
        env=os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    return int(child.stderr.splitlines()[-1]) / 1024


@pytest.mark.slow
def test_a_streamed_estimate_needs_about_the_same_memory_for_a_five_times_larger_file(
    make_sandbox, tmp_path
):
    sandbox = make_sandbox()
    chunk_rows, peaks = 15_000, {}
    for rows in (30_000, 150_000):
        csv = tmp_path / f"contacts-{rows}.csv"
        with csv.open("w") as file:
            file.write("phone,text\n")
            file.writelines(f"7916{number:07d},Hello there\n" for number in range(rows))
        args = ["estimate", str(csv), "--phone", "phone", "--text", "text", "--url", sandbox.url,
                "--login", "demo", "--password", "demo"]  # fmt: skip
        streamed = _peak_mib(*args, threshold=0, chunk_rows=chunk_rows)
        whole = _peak_mib(*args, threshold=1 << 40, chunk_rows=chunk_rows)
        peaks[rows] = streamed, whole
    streamed_growth = peaks[150_000][0] - peaks[30_000][0]
    whole_growth = peaks[150_000][1] - peaks[30_000][1]
    # the whole file does cost memory, so the test can tell (+49 MiB once the pipeline got
    # leaner in issue 15; a threshold of 50 then failed under a loaded full run)
    assert whole_growth > 30, peaks
    assert streamed_growth < whole_growth / 4, peaks  # measured: +1.6 MiB vs +49 MiB


def test_money_running_out_mid_file_stops_before_the_next_chunk_and_a_rerun_finishes(
    make_sandbox, capsys, tmp_path
):
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    sandbox = make_sandbox(accounts=[Account("demo", "demo", balance=Decimal("10000"))])
    assert main(["estimate", *_args(sandbox)]) == 0
    total = Decimal(capsys.readouterr().out.split(" parts, cost ")[1].split()[0].replace(",", ""))
    sandbox.state.set_balance("demo", str((total * Decimal("0.4")).quantize(Decimal("0.01"))))
    out = tmp_path / "results.csv"
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 1
    error = capsys.readouterr().err
    assert "SMSC accepted none of its" in error and "later chunks were not sent" in error
    assert "run the same command again" in error and "a bug" not in error
    assert not out.exists() and partial_path(out).is_file()
    sent_before = sum(stored(sandbox).values())
    assert 0 < sent_before < plan["sendable"].sum()

    sandbox.state.set_balance("demo", "10000")
    assert main(["send", *_args(sandbox, "--yes", "--out", str(out))]) == 0
    counts = stored(sandbox)
    assert sum(counts.values()) == len(counts) == plan["sendable"].sum()
    written = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", index_col=0)
    assert (written["outcome"] == "sent").sum() == plan["sendable"].sum()
