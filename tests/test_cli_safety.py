"""The command line never sends twice and never loses the results, as a new user meets it.

Re-runs from another folder or with another --out, a results file that cannot be written, the
input file named as --out, a Ctrl-C half-way. The sandbox's duplicate window is shrunk far below
the tests' own pace, so a re-post would be stored twice.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_cli import CONSOLE_SCRIPT, SAMPLE_CSV, campaign_args, expected_messages

import smsc_frames.cli as cli
from smsc_frames.cli import EXIT_REFUSED, EXIT_RESULTS_NOT_WRITTEN, main
from smsc_frames.sandbox import Account, SandboxSettings


def rich() -> Account:
    """A fresh account for each sandbox: an Account's balance falls as it sends, so one shared
    between tests left later ones short (error 3) depending on the order they ran in."""
    return Account("demo", "demo", balance="10000.00")


QUICK_WINDOWS = SandboxSettings(
    duplicate_window=0.05, status_list_window=0.05, seconds_to_operator=0, seconds_to_final=0
)


@pytest.fixture
def quick(make_sandbox):
    return make_sandbox(settings=QUICK_WINDOWS, accounts=[rich()])


def stored_pairs(sandbox) -> Counter:
    return Counter((m["phone"], m["text"]) for m in sandbox.messages())


def journal_printed(text: str) -> Path:
    return Path(re.search(r"Journal: (.+\.journal)", text).group(1))


def test_a_rerun_from_another_folder_with_another_out_sends_nobody_twice(quick, tmp_path):
    first_dir, second_dir = tmp_path / "monday", tmp_path / "tuesday"
    first_dir.mkdir(), second_dir.mkdir()
    first = subprocess.run(
        [str(CONSOLE_SCRIPT), "send", *campaign_args(quick, "--yes")],
        cwd=first_dir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    time.sleep(0.2)  # past the duplicate window: a re-post would be stored again
    second = subprocess.run(
        [str(CONSOLE_SCRIPT), "send", *campaign_args(quick, "--yes", "--out", "other.xlsx")],
        cwd=second_dir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert journal_printed(first.stdout) == journal_printed(second.stdout)
    assert set(stored_pairs(quick).values()) == {1}
    assert set(stored_pairs(quick)) == expected_messages()


def test_a_rerun_with_the_journal_deleted_finds_what_was_sent_on_smsc(quick, tmp_path, capsys):
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(tmp_path / "a.csv"))]) == 0
    journal_printed(capsys.readouterr().out).unlink()
    time.sleep(0.2)
    again = subprocess.run(  # a fresh process, no journal anywhere
        [str(CONSOLE_SCRIPT), "send", *campaign_args(quick, "--yes", "--out", "b.csv")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert set(stored_pairs(quick).values()) == {1}
    assert "confirmed through status.php" in (tmp_path / "b.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("command", ["send", "estimate"])
def test_the_input_file_as_out_is_refused_before_anything(quick, tmp_path, capsys, command):
    contacts = tmp_path / "contacts.csv"
    shutil.copyfile(SAMPLE_CSV, contacts)
    before = contacts.read_bytes()
    args = campaign_args(quick, "--out", str(contacts)) + (["--yes"] if command == "send" else [])
    args[0] = str(contacts)
    assert main([command, *args]) == EXIT_REFUSED
    assert "is an input file" in capsys.readouterr().err
    assert contacts.read_bytes() == before
    assert quick.requests == []


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("no such folder/r.xlsx", "is in a folder that does not exist"),
        ("r.xlsx", "is a folder"),
        ("box", "is a folder"),  # not "must end in .csv, .xlsx or .parquet"
        ("notes.txt/r.xlsx", "notes.txt, a file, not a folder"),
        ("notes.txt/sub/r.xlsx", "notes.txt, a file, not a folder"),
    ],
)
def test_an_out_that_is_no_file_is_refused_before_any_request(quick, tmp_path, capsys, where, said):
    (tmp_path / "r.xlsx").mkdir()  # a folder named like a workbook
    (tmp_path / "box").mkdir()
    (tmp_path / "notes.txt").write_text("a file where a folder would have to be")
    out = tmp_path / where
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(out))]) == EXIT_REFUSED
    assert said in capsys.readouterr().err
    assert quick.requests == []


@pytest.mark.parametrize(
    ("where", "said"),
    [("notes.txt/j.journal", "notes.txt, a file, not a folder"), ("box", "is a folder")],
)
def test_a_journal_that_is_no_file_is_refused_before_the_question_and_the_quote(
    quick, tmp_path, capsys, monkeypatch, where, said
):
    (tmp_path / "box").mkdir()
    (tmp_path / "notes.txt").write_text("a file where a folder would have to be")
    out = tmp_path / "keep.csv"
    out.write_text("last week's results")
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    args = campaign_args(quick, "--out", str(out), "--journal", str(tmp_path / where))
    assert main(["send", *args]) == EXIT_REFUSED
    captured = capsys.readouterr()
    assert "--journal: " in captured.err and said in captured.err
    assert "[y/N]" not in captured.out
    assert out.read_text() == "last week's results"  # not moved aside for nothing
    assert quick.requests == []


@pytest.mark.parametrize("reason", ["a file in the way", "no permission"])
def test_a_state_folder_that_cannot_be_written_is_named_with_the_variable_that_moves_it(
    quick, tmp_path, capsys, monkeypatch, reason
):
    (tmp_path / "state").write_text("a file where the state folder would be")
    state = tmp_path / "state" if reason == "a file in the way" else tmp_path / "read-only"
    monkeypatch.setenv("SMSC_FRAMES_STATE_DIR", str(state))
    if reason == "no permission":  # as a folder chmod 555 is to anyone but root
        granted = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: granted(path, mode) and not (
            Path(path).is_relative_to(state)))  # fmt: skip
    code = main(["send", *campaign_args(quick, "--yes", "--out", str(tmp_path / "r.csv"))])
    error = capsys.readouterr().err
    assert code == EXIT_REFUSED and quick.requests == []  # before the quote, not after it
    assert f"the journal folder {state / 'journals'}" in error
    assert "set SMSC_FRAMES_STATE_DIR to a folder you can write, or use --journal" in error


def test_an_earlier_results_file_is_kept_not_replaced(quick, tmp_path, capsys):
    out = tmp_path / "results.csv"
    out.write_text("last month's campaign", encoding="utf-8")
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(out))]) == 0
    kept = tmp_path / "results.previous.csv"
    assert kept.read_text(encoding="utf-8") == "last month's campaign"
    assert "The earlier results.csv is kept as results.previous.csv." in capsys.readouterr().out
    assert "sms_id" in out.read_text(encoding="utf-8-sig")


def test_results_from_the_journal_keep_the_file_they_would_replace_and_every_earlier_copy(
    quick, tmp_path, capsys
):
    out = tmp_path / "results.csv"
    out.write_text("last month's campaign", encoding="utf-8")
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(out))]) == 0
    sent = out.read_text(encoding="utf-8-sig")
    journal = journal_printed(capsys.readouterr().out)
    assert main(["results", str(journal), "--out", str(out)]) == 0
    assert "The earlier results.csv is kept as results.previous-2.csv." in capsys.readouterr().out
    assert (tmp_path / "results.previous-2.csv").read_text(encoding="utf-8-sig") == sent
    assert (tmp_path / "results.previous.csv").read_text(encoding="utf-8") == (
        "last month's campaign"
    )
    assert "sms_id" in out.read_text(encoding="utf-8-sig")


def test_an_estimate_keeps_the_quote_it_would_replace(quick, tmp_path, capsys):
    out = tmp_path / "quote.xlsx"
    out.write_bytes(b"yesterday's quote")
    assert main(["estimate", *campaign_args(quick, "--out", str(out))]) == 0
    assert "The earlier quote.xlsx is kept as quote.previous.xlsx." in capsys.readouterr().out
    assert (tmp_path / "quote.previous.xlsx").read_bytes() == b"yesterday's quote"
    assert openpyxl.load_workbook(out)["quote"].max_row > 1


def test_status_into_another_file_keeps_it_and_in_place_keeps_nothing(quick, tmp_path, capsys):
    results, other = tmp_path / "results.csv", tmp_path / "refreshed.csv"
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(results))]) == 0
    other.write_text("another campaign's statuses", encoding="utf-8")
    login = ["--url", quick.url, "--login", "demo", "--password", "demo", "--min-interval", "0"]
    assert main(["status", str(results), "--out", str(other), *login]) == 0
    assert "The earlier refreshed.csv is kept as refreshed.previous.csv." in (
        capsys.readouterr().out
    )
    assert (tmp_path / "refreshed.previous.csv").read_text(encoding="utf-8") == (
        "another campaign's statuses"
    )
    assert main(["status", str(results), *login]) == 0
    assert "kept as" not in capsys.readouterr().out
    assert not (tmp_path / "results.previous.csv").exists()


def test_the_demo_keeps_the_results_it_would_replace(tmp_path, capsys):
    out = tmp_path / "demo_results.xlsx"
    out.write_bytes(b"a results file named like the demo's")
    assert main(["demo", "--out", str(out), "--wait", "0"]) == 0
    assert "The earlier demo_results.xlsx is kept as demo_results.previous.xlsx." in (
        capsys.readouterr().out
    )
    assert (tmp_path / "demo_results.previous.xlsx").read_bytes() == (
        b"a results file named like the demo's"
    )
    assert openpyxl.load_workbook(out)["results"].max_row > 1


def test_results_that_cannot_be_written_after_sending_say_what_was_sent_and_how_to_get_them(
    quick, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "locked.xlsx"

    def disk_full(frame, path, quote=None):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(cli, "write_table", disk_full)
    code = main(["send", *campaign_args(quick, "--yes", "--out", str(out))])
    monkeypatch.undo()
    printed = capsys.readouterr()
    assert code == EXIT_RESULTS_NOT_WRITTEN
    sent = len(expected_messages())
    assert f"{sent} recipients were sent" in printed.err
    assert "No space left on device" in printed.err
    command = re.search(r"smsc-frames results (.+\.journal) --out", printed.err)
    assert command is not None and "Exception ignored" not in printed.err
    assert not out.exists()

    # the one command the message gives writes the results, without any server
    written = tmp_path / "from-journal.xlsx"
    assert main(["results", command.group(1), "--out", str(written)]) == 0
    sheet = openpyxl.load_workbook(written)["results"]
    header = [cell.value for cell in sheet[1]]
    outcomes = Counter(
        row[header.index("outcome")] for row in sheet.iter_rows(min_row=2, values_only=True)
    )
    assert outcomes["sent"] == sent
    # and the natural fix, another --out, sends nobody again
    time.sleep(0.2)
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(tmp_path / "r.csv"))]) == 0
    assert set(stored_pairs(quick).values()) == {1}


def send_one_request_of_three(sandbox, tmp_path) -> list[str]:
    """Send 2,500 rows (requests of 1,000, 1,000 and 500 numbers) with money for the first
    request only; return the command's arguments (without ``--yes``) for the resume."""
    contacts = tmp_path / "big.csv"
    rows = [f"+7 916 {n:07d};Hello {n}" for n in range(2500)]
    contacts.write_text("phone;text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args = [str(contacts), "--phone", "phone", "--text", "text", "--url", sandbox.url,
            "--login", "demo", "--password", "demo", "--out", str(tmp_path / "r.csv")]  # fmt: skip
    sandbox.state.set_balance("demo", "6000.00")
    assert main(["send", *args, "--yes"]) == 1
    return args


def test_a_resume_asks_only_for_what_is_left_and_says_what_was_sent(
    quick, tmp_path, capsys, monkeypatch
):
    args = send_one_request_of_three(quick, tmp_path)
    sent = len(quick.messages())
    assert 0 < sent < 2500
    capsys.readouterr()
    quick.state.set_balance("demo", "100000.00")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["send", *args]) == 1
    printed = capsys.readouterr().out
    question = re.search(r"Send ([\d,]+) SMS to ([\d,]+) numbers .*already sent", printed)
    assert question is not None, printed
    assert int(question.group(2).replace(",", "")) == 2500 - sent
    assert f"{sent:,} recipients were already sent" in printed
    assert "Nothing was sent." not in printed
    assert f"{sent:,} recipients were sent earlier" in printed
    assert len(quick.messages()) == sent


def test_a_rerun_of_a_finished_campaign_asks_nothing_and_writes_the_results(
    quick, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "r.csv"
    assert main(["send", *campaign_args(quick, "--yes", "--out", str(out))]) == 0
    journal = journal_printed(capsys.readouterr().out)
    stored = len(quick.messages())
    out.unlink()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))  # a question would be answered no
    assert main(["send", *campaign_args(quick, "--out", str(out))]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "[y/N]" not in printed
    assert (
        f"Nothing is left to send: {stored:,} recipients were sent earlier (journal {journal})"
        in printed
    )
    assert "smsc-frames: reading back the statuses of" in captured.err  # not "sending"
    assert f"Results written to {out}" in printed
    assert pd.read_csv(out, sep=";", dtype=str)["outcome"].eq("sent").sum() == stored
    assert len(quick.messages()) == stored


def test_a_resume_after_lost_answers_asks_for_up_to_what_is_left(
    quick, tmp_path, capsys, monkeypatch
):
    args = send_one_request_of_three(quick, tmp_path)
    sent = len(quick.messages())
    journal = journal_printed(capsys.readouterr().out)
    with sqlite3.connect(journal) as db:  # as a run killed after posting, before the answer
        [(lost,)] = db.execute(
            "SELECT recipients FROM requests WHERE state != 'accepted' ORDER BY seq LIMIT 1"
        ).fetchall()
        db.execute("UPDATE requests SET state = 'unknown' WHERE recipients = ?", (lost,))
    unsure = len(json.loads(lost))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["send", *args]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"Send up to [\d,]+ SMS to [\d,]+ numbers \([\d,]+ rows\) for up to ", printed)
    assert (
        f"{sent:,} recipients were already sent by an earlier run and {unsure:,} may have "
        in printed
    )
    assert (
        f"Nothing more was sent; {sent:,} recipients were confirmed sent earlier and "
        f"{unsure:,} probably sent (their answers were lost)" in printed
    )
    assert len(quick.messages()) == sent

    quick.state.set_balance("demo", "100000.00")
    assert main(["send", *args, "--yes"]) == 0
    # a paced check can wait minutes: a log or a pipe is told what it waits for
    assert (
        "smsc-frames: checking 1 requests whose answers were lost or are incomplete with "
        f"status.php: {unsure:,} recipients, 1 list request, at most one every 60 s"
    ) in capsys.readouterr().err
    assert set(stored_pairs(quick).values()) == {1} and len(quick.messages()) == 2500


def ctrl_c_once_sending(sandbox, args: list[str], folder) -> tuple[str, str]:
    """Run ``smsc-frames send *args*`` in *folder*, press Ctrl-C once the sandbox stores a
    message; check it exits 130 and return what it printed (stdout, stderr)."""
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "send", *args], cwd=folder, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not sandbox.messages() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    return stdout, stderr


def test_ctrl_c_half_way_writes_the_results_so_far(make_sandbox, tmp_path):
    sandbox = make_sandbox(settings=QUICK_WINDOWS, accounts=[rich()])
    out = tmp_path / "partial.csv"
    sandbox.inject("slow", delay=0.0)  # the quote
    sandbox.inject("slow", count=50, delay=0.4)  # every send request is slow
    _, stderr = ctrl_c_once_sending(sandbox, campaign_args(sandbox, "--yes", "--out", str(out)),
                                 tmp_path)  # fmt: skip
    assert "interrupted: " in stderr and "results so far are in" in stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "sent" in text
    assert "Traceback" not in stderr


def assert_rows_are_file_lines(results: pd.DataFrame, lines: list[str]) -> None:
    """Each results row names the line its contact is on (the header is line 1)."""
    assert len(results) == 2500
    for row, phone in zip(results["row"].astype(int), results["phone"]):
        assert re.sub(r"\D", "", lines[row - 1].split(";")[0]) == phone


def test_ctrl_c_counts_the_requests_whose_answers_were_lost_and_a_rerun_sends_nobody_twice(
    make_sandbox, tmp_path
):
    enough = Account("demo", "demo", balance="100000.00")  # 2,500 SMS
    sandbox = make_sandbox(settings=QUICK_WINDOWS, accounts=[enough])
    contacts = tmp_path / "big.csv"
    lines = ["phone;text", *(f"+7 916 {n:07d};Hello {n}" for n in range(2500))]
    lines.insert(1200, "")  # a blank line: the rows below it are one further down the file
    contacts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    args = [str(contacts), "--phone", "phone", "--text", "text", "--url", sandbox.url,
            "--login", "demo", "--password", "demo", "--yes", "--out", str(out)]  # fmt: skip
    sandbox.inject("slow", count=3, delay=0.0)  # the quote: three requests of up to 1,000
    sandbox.inject("drop_after_accept")  # stored, never answered: the answer is lost
    sandbox.inject("slow", count=2, delay=1.0)  # the Ctrl-C lands while these are in flight
    stdout, stderr = ctrl_c_once_sending(sandbox, args, tmp_path)
    said = re.search(r"interrupted: ([\d,]+) recipients were confirmed sent and ([\d,]+) "
                     r"probably sent \(their answers were lost\)", stderr)  # fmt: skip
    assert said is not None, stderr
    confirmed, probably = (int(group.replace(",", "")) for group in said.groups())
    results = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    outcomes = results["outcome"].value_counts()
    assert (confirmed, probably) == (outcomes.get("sent", 0), outcomes["unknown"])
    assert confirmed + probably == len(sandbox.messages())  # every stored one is accounted for
    assert "with the same file again" in stderr and "nobody gets a second SMS" in stderr
    assert_rows_are_file_lines(results, lines)
    # as a finished send writes them: a problem row can be found and fixed from this file alone
    assert results["text"].str.startswith("Hello ").all()
    assert results["phone_input"].str.contains("+7 916 ", regex=False).all()  # "'+7..." inert
    from_journal = tmp_path / "from-journal.csv"
    assert main(["results", str(journal_printed(stdout)), "--out", str(from_journal)]) == 0
    assert_rows_are_file_lines(pd.read_csv(from_journal, sep=";", dtype=str), lines)

    time.sleep(0.2)  # past the duplicate window: a re-post would be stored again
    assert main(["send", *args]) == 0  # what the message says to do
    assert set(stored_pairs(sandbox).values()) == {1} and len(stored_pairs(sandbox)) == 2500
