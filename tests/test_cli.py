"""The ``smsc-frames`` command, over real HTTP against the sandbox."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from smsc_frames.cli import SANDBOX_NOTICE, main, refusal_message
from smsc_frames.clifiles import read_results
from smsc_frames.contacts import read_contacts
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Sandbox
from smsc_frames.sandbox.settings import Account, SandboxSettings

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "sample_data" / "contacts.csv"
TEMPLATE = "{Имя}, скидка {Скидка}% по коду {Промокод}"
SECRET = "Pa55-w0rd-never-printed-7f3a"
CONSOLE_SCRIPT = Path(sysconfig.get_path("scripts")) / "smsc-frames"
RELAXED = SandboxSettings(
    seconds_to_operator=0.05, seconds_to_final=0.15, status_lists_per_window=1000
)


@pytest.fixture(autouse=True)
def quote_cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own quote cache (never ``~/.cache``; sandbox ports are reused)."""
    folder = tmp_path_factory.mktemp("quote-cache") / "smsc-frames"
    monkeypatch.setenv("SMSC_FRAMES_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def sandbox(make_sandbox):
    """The demo account with enough balance for the whole sample, status lists not paced."""
    account = Account("demo", "demo", apikey="demo-apikey", balance=Decimal("10000.00"))
    return make_sandbox(accounts=[account], settings=RELAXED)


def campaign_args(sandbox, *extra: str, login: str = "demo", password: str = "demo") -> list[str]:
    return [
        str(SAMPLE_CSV),
        "--phone",
        "Телефон",
        "--template",
        TEMPLATE,
        "--url",
        sandbox.url,
        "--login",
        login,
        "--password",
        password,
        *extra,
    ]


def expected_messages() -> set[tuple[str, str]]:
    plan = prepare(read_contacts(SAMPLE_CSV), phone="Телефон", template=TEMPLATE)
    sendable = plan[plan["sendable"]]
    return set(zip(sendable["phone"], sendable["text"]))


def printed_total(output: str) -> Decimal:
    return Decimal(re.search(r"Total cost: (\d+\.\d\d)", output).group(1))


def test_estimate_prints_the_total_the_sandbox_then_charges(sandbox, capsys, tmp_path):
    assert main(["estimate", *campaign_args(sandbox)]) == 0
    estimated = capsys.readouterr().out
    assert sandbox.messages() == []
    assert main(["send", *campaign_args(sandbox, "--yes", "--out", str(tmp_path / "r.csv"))]) == 0
    charged = sum((message["cost"] for message in sandbox.messages()), Decimal(0))
    assert printed_total(estimated) == charged > 0
    assert sandbox.balance("demo") == Decimal("10000.00") - charged
    assert f"Recipients: {len(expected_messages())}" in estimated
    assert "sandbox quote" in estimated


def test_send_with_yes_stores_exactly_the_plan_and_writes_results(sandbox, capsys, tmp_path):
    out = tmp_path / "results.xlsx"
    assert main(["send", *campaign_args(sandbox, "--yes", "--out", str(out))]) == 0
    stored = [(message["phone"], message["text"]) for message in sandbox.messages()]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected_messages()
    sheet = openpyxl.load_workbook(out)["results"]
    header = [cell.value for cell in sheet[1]]
    sent_ids = {row[header.index("sms_id")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {message["id"] for message in sandbox.messages()} <= {str(i) for i in sent_ids}
    printed = capsys.readouterr().out
    journal = Path(re.search(r"Journal: (.+\.journal)", printed).group(1))
    assert journal.exists() and journal.is_relative_to(os.environ["SMSC_FRAMES_STATE_DIR"])
    assert not (tmp_path / "results.xlsx.journal").exists()  # not beside --out any more
    assert "(sandbox results: nothing real was sent)" in printed


def test_a_campaign_smsc_refuses_whole_says_why_and_asks_nothing(sandbox, capsys, tmp_path):
    contacts = tmp_path / "denied.csv"
    contacts.write_text("phone,text\n+79161234567,Hi SANDBOX-DENY\n", encoding="utf-8")
    args = ["send", str(contacts), "--phone", "phone", "--text", "text", "--url", sandbox.url,
            "--login", "demo", "--password", "demo", "--out", str(tmp_path / "r.csv")]  # fmt: skip
    assert main(args) == 1
    printed = capsys.readouterr()
    assert "Recipients: 0" in printed.out and "(no recipient SMSC would take)" in printed.out
    assert "Empty DataFrame" not in printed.out and "[y/N]" not in printed.out
    assert "SMSC error 6: message is denied" in printed.out
    assert "Sample messages: none, no row would be sent." in printed.out  # not "will be sent"
    assert "The sandbox would refuse 1 request(s), 1 rows in all" in printed.err
    assert "nothing was sent" in printed.err and sandbox.messages() == []


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_send_asks_and_anything_but_yes_sends_nothing(
    sandbox, capsys, monkeypatch, tmp_path, answer
):
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
    out = tmp_path / "results.csv"
    assert main(["send", *campaign_args(sandbox, "--out", str(out))]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"Send \d+ SMS to \d+ numbers \(\d+ rows\) for \d+\.\d\d\? \[y/N\]", printed)
    assert "Nothing was sent." in printed
    assert sandbox.messages() == []
    assert not out.exists()


def test_send_answered_yes_on_stdin_sends(sandbox, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert main(["send", *campaign_args(sandbox, "--out", str(tmp_path / "r.csv"))]) == 0
    assert {(m["phone"], m["text"]) for m in sandbox.messages()} == expected_messages()


@pytest.mark.parametrize(
    ("flags", "parameter"),
    [
        (["--maxsms", "0"], "maxsms"),
        (["--translit", "7"], "translit"),
        (["--time", "32.13.24 25:61"], "time"),
        (["--valid", "25"], "valid"),
        (["--freq", "5"], "freq"),
        (["--sender", "Much too long a sender"], "sender"),
        (["--out", "results.txt"], "--out"),
        (["--header-row", "999"], "--header-row: is past the end of the file"),
        (["--region", "ZZ"], "--region: must be an ISO country code"),
        (["--delimiter", "ab"], "--delimiter: must be a single character"),
    ],
)
def test_a_bad_option_exits_2_before_any_request(sandbox, capsys, flags, parameter):
    code = main(["send", *campaign_args(sandbox, "--yes", *flags)])
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("smsc-frames: refused")]
    assert len(errors) == 1  # one line says what is wrong (besides warnings and progress)
    assert parameter in errors[0] and "Traceback" not in err
    assert sandbox.requests == []
    assert sandbox.messages() == []


def test_missing_column_and_missing_file_are_refused_cleanly(sandbox, capsys, tmp_path):
    args = campaign_args(sandbox, "--yes")
    args[args.index("--phone") + 1] = "Phone"
    assert main(["send", *args]) == 2
    assert "Phone" in capsys.readouterr().err
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "folder.csv").mkdir()
    for name, said in [("nowhere.csv", "no such file"), ("empty.csv", "is empty"),
                       ("folder.csv", "is a folder")]:  # fmt: skip
        missing = campaign_args(sandbox)
        missing[0] = str(tmp_path / name)
        assert main(["estimate", *missing]) == 2
        error = capsys.readouterr().err
        assert said in error and name in error and "journal" not in error  # the contact file
    assert sandbox.requests == []


def test_missing_credentials_name_the_variables(capsys, monkeypatch):
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["balance", "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "SMSC_LOGIN" in err and "Traceback" not in err


def test_status_refreshes_a_results_file(sandbox, capsys, tmp_path):
    out = tmp_path / "results.csv"
    assert main(["send", *campaign_args(sandbox, "--yes", "--out", str(out))]) == 0
    magic = {"79990000020": "undeliverable", "79990000025": "unreachable"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert (
            main(
                [
                    "status",
                    str(out),
                    "--url",
                    sandbox.url,
                    "--login",
                    "demo",
                    "--password",
                    "demo",
                    "--min-interval",
                    "0",
                ]
            )
            == 0
        )
        refreshed = pd.read_csv(
            out, dtype=str, encoding="utf-8-sig", sep=";"
        )  # Russian-locale Excel CSV
        sent = refreshed[refreshed["sms_id"].notna()]
        if not sent["status_name"].isin(["waiting", "with operator"]).any():
            break
        time.sleep(0.1)
    assert len(sent) == len(expected_messages())
    expected = sent["phone"].map(magic).fillna("delivered")
    assert (sent["status_name"] == expected).all()
    assert set(magic) <= set(sent["phone"])
    assert "status_name: delivered" in capsys.readouterr().out


def test_balance(sandbox, capsys):
    assert main(["balance", "--url", sandbox.url, "--login", "demo", "--password", "demo"]) == 0
    assert capsys.readouterr().out.strip() == "Balance: 10000.00 (sandbox, not real money)"


@pytest.fixture
def secretive_sandbox():
    account = Account("secretive", SECRET, apikey=SECRET + "-key", balance=Decimal("10000.00"))
    with Sandbox(accounts=[account], settings=RELAXED) as sandbox:
        yield sandbox


def test_secrets_never_appear_in_output_or_files(secretive_sandbox, capsys, tmp_path):
    out = tmp_path / "results.csv"
    runs = [
        ["estimate", *campaign_args(secretive_sandbox, login="secretive", password=SECRET)],
        [
            "send",
            *campaign_args(
                secretive_sandbox, "--yes", "--out", str(out), login="secretive", password=SECRET
            ),
        ],
        [
            "status",
            str(out),
            "--url",
            secretive_sandbox.url,
            "--login",
            "secretive",
            "--password",
            SECRET,
            "--min-interval",
            "0",
        ],
        ["balance", "--url", secretive_sandbox.url, "--apikey", SECRET + "-key"],
        [
            "balance",
            "--url",
            secretive_sandbox.url,
            "--login",
            "secretive",
            "--password",
            SECRET + "-wrong",
        ],
    ]
    codes = [main(args) for args in runs]
    captured = capsys.readouterr()
    assert codes == [0, 0, 0, 0, 1]
    assert "SMSC refused the login" in captured.err and "Traceback" not in captured.err
    assert "blocks this IP for 30 minutes" in captured.err
    assert SECRET not in captured.out + captured.err
    for written in tmp_path.iterdir():
        assert SECRET.encode() not in written.read_bytes()


def run_console_script(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SMSC_") or key.startswith("SMSC_FRAMES_")
    }
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        env={**environment, **(env or {})},
        timeout=120,
    )


def test_console_script_estimates_with_credentials_from_the_environment(sandbox, tmp_path):
    env = {"SMSC_URL": sandbox.url, "SMSC_LOGIN": "demo", "SMSC_PASSWORD": "demo"}
    done = run_console_script(
        "estimate",
        str(SAMPLE_CSV),
        "--phone",
        "Телефон",
        "--template",
        TEMPLATE,
        "--out",
        "quote.xlsx",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert f"Recipients: {len(expected_messages())}" in done.stdout
    assert (tmp_path / "quote.xlsx").exists()
    assert sandbox.messages() == []


def test_console_script_demo_runs_end_to_end_from_any_directory(tmp_path):
    done = run_console_script(
        "demo",
        "--wait",
        "1.5",
        cwd=tmp_path,
        env={"SMSC_URL": "http://127.0.0.1:9", "SMSC_LOGIN": "real", "SMSC_PASSWORD": "real"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "sandbox" in lines[0].lower() and "nothing real" in lines[0]
    assert lines[-1] == SANDBOX_NOTICE
    for heading in (
        "Recipients:",
        "SMS parts:",
        "Total cost:",
        "Per operator:",
        "Problem rows (not sent):",
        "status_name: delivered",
    ):
        assert heading in done.stdout
    sheet = openpyxl.load_workbook(tmp_path / "demo_results.xlsx")["results"]
    header = [cell.value for cell in sheet[1]]
    statuses = [
        row[header.index("status_name")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[header.index("sms_id")] is not None
    ]
    assert len(statuses) > 250
    assert sorted(set(statuses)) == ["delivered", "undeliverable", "unreachable"]


def test_running_the_same_send_again_sends_nobody_twice(sandbox, capsys, tmp_path):
    args = ["send", *campaign_args(sandbox, "--yes", "--out", str(tmp_path / "results.csv"))]
    sandbox.inject("slow", delay=0.0)  # the estimate (cost=1) is answered normally
    sandbox.inject("drop_after_accept")  # the send is stored, its answer lost
    first = main(args)
    stored_after_first = len(sandbox.messages())
    assert main(args) == 0
    assert main(args) == 0
    stored = [(m["phone"], m["text"]) for m in sandbox.messages()]
    assert first == 0 and stored_after_first == len(expected_messages())
    assert len(stored) == len(set(stored))
    assert set(stored) == expected_messages()


def test_sandbox_command_serves_until_interrupted(tmp_path):
    server = subprocess.Popen(
        [
            str(CONSOLE_SCRIPT),
            "sandbox",
            "--port",
            "0",
            "--login",
            "shop",
            "--password",
            "shop-pass",
            "--balance",
            "42.50",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline()).group(0)
        done = run_console_script(
            "balance", "--url", url, "--login", "shop", "--password", "shop-pass", cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "Balance: 42.50 (sandbox, not real money)"
    finally:
        server.send_signal(signal.SIGINT)
        remaining, _ = server.communicate(timeout=60)
    assert server.returncode == 0
    assert "stopped" in remaining


def test_send_that_runs_out_of_money_says_so_and_fails(make_sandbox, capsys, tmp_path):
    poor = make_sandbox(
        accounts=[Account("demo", "demo", balance=Decimal("20.00"))], settings=RELAXED
    )
    out = tmp_path / "results.csv"
    assert main(["send", *campaign_args(poor, "--yes", "--out", str(out))]) == 1
    err = capsys.readouterr().err
    assert f"{len(expected_messages())} recipients not reached" in err
    assert "Traceback" not in err
    assert poor.messages() == [] and poor.balance("demo") == Decimal("20.00")
    written = pd.read_csv(out, dtype=str, encoding="utf-8-sig", sep=";")  # Russian-locale Excel CSV
    assert (written["outcome"] == "not sent").sum() == len(expected_messages())


@pytest.mark.parametrize("typo", ["--pasword", "--pass", "--api"])
def test_a_mistyped_secret_flag_never_echoes_its_value(capsys, typo):
    code = main(["balance", "--url", "http://127.0.0.1:9", "--login", "me", typo, "hunter2"])

    captured = capsys.readouterr()
    assert code == 2
    assert "hunter2" not in captured.out + captured.err
    assert typo in captured.err  # the user still learns which flag was wrong


def test_an_unexpected_error_is_one_line_without_secrets(sandbox, capsys, monkeypatch):
    def broken(args):
        raise RuntimeError(f"bug while using {args.password}")

    monkeypatch.setitem(main.__globals__["COMMANDS"], "balance", broken)
    code = main(["balance", "--url", sandbox.url, "--login", "demo", "--password", "demo-s3cret"])

    err = capsys.readouterr().err
    assert code == 1
    assert "demo-s3cret" not in err and "***" in err
    assert "Traceback" not in err and "RuntimeError" in err


def cost1_requests(sandbox) -> Counter:
    """How many ``cost=1`` send.php requests the sandbox saw per request id."""
    return Counter(
        record.params.get("id")
        for record in sandbox.requests
        if record.endpoint == "send.php" and record.params.get("cost") == "1"
    )


def test_repeated_estimates_and_a_send_reuse_the_quote_across_processes(sandbox, capsys, tmp_path):
    # SMSC refuses a 6th identical cost=1 request within 60 s; every CLI run is a new client
    codes = [main(["estimate", *campaign_args(sandbox)]) for _ in range(7)]
    codes.append(main(["send", *campaign_args(sandbox, "--yes", "--out", str(tmp_path / "r.csv"))]))
    assert codes == [0] * 8, capsys.readouterr().err
    asked = cost1_requests(sandbox)
    assert asked and max(asked.values()) == 1
    stored = [(message["phone"], message["text"]) for message in sandbox.messages()]
    assert set(stored) == expected_messages() and len(stored) == len(set(stored))


def test_the_console_script_reuses_the_quote_between_runs(sandbox, tmp_path, quote_cache_dir):
    env = {"SMSC_URL": sandbox.url, "SMSC_LOGIN": "demo", "SMSC_PASSWORD": "demo"}
    for _ in range(6):
        done = run_console_script(
            "estimate",
            str(SAMPLE_CSV),
            "--phone",
            "Телефон",
            "--text",
            "Сообщение",
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode == 0, done.stderr
    assert max(cost1_requests(sandbox).values()) == 1
    assert (quote_cache_dir / "quotes.json").is_file()  # the test's folder, not ~/.cache


def test_the_quote_cache_file_is_private_and_holds_no_secret(make_sandbox, quote_cache_dir, capsys):
    account = Account("secretive", SECRET, apikey=SECRET + "-key", balance=Decimal("10000"))
    secretive = make_sandbox(accounts=[account], settings=RELAXED)
    assert main(["estimate", *campaign_args(secretive, login="secretive", password=SECRET)]) == 0
    assert (
        main(
            [
                "estimate",
                str(SAMPLE_CSV),
                "--phone",
                "Телефон",
                "--template",
                TEMPLATE,
                "--url",
                secretive.url,
                "--apikey",
                SECRET + "-key",
            ]
        )
        == 0
    )
    files = list(quote_cache_dir.iterdir())
    assert [path.name for path in files] == ["quotes.json"]  # no temporary file left
    assert os.stat(quote_cache_dir).st_mode & 0o777 == 0o700
    assert os.stat(files[0]).st_mode & 0o777 == 0o600
    content = files[0].read_bytes()
    assert SECRET.encode() not in content and b"psw" not in content
    assert secretive.url.encode() in content
    assert SECRET not in capsys.readouterr().out


def test_a_corrupt_quote_cache_is_ignored_and_replaced(sandbox, quote_cache_dir, capsys):
    quote_cache_dir.mkdir(mode=0o700, parents=True)
    (quote_cache_dir / "quotes.json").write_bytes(b'{"version": 1, "entries": {"x": \xff garbage')
    os.chmod(quote_cache_dir / "quotes.json", 0o600)
    assert main(["estimate", *campaign_args(sandbox)]) == 0
    assert "Total cost:" in capsys.readouterr().out
    assert max(cost1_requests(sandbox).values()) == 1
    for _ in range(6):  # the file was rewritten with the answer: nothing is asked again
        assert main(["estimate", *campaign_args(sandbox)]) == 0
    assert max(cost1_requests(sandbox).values()) == 1


def test_a_demo_that_cannot_write_its_results_says_where_and_what_to_do(capsys, tmp_path):
    (tmp_path / "demo_results.xlsx").mkdir()
    assert main(["demo", "--out", str(tmp_path / "demo_results.xlsx"), "--wait", "0"]) == 2
    error = capsys.readouterr().err
    assert "the demo writes its results to" in error and "is a folder" in error
    assert "run it from another folder or pass --out FILE" in error


def test_sandbox_balance_must_be_an_amount(capsys):
    for bad in ["abc", "NaN", "-5", "inf"]:
        assert main(["sandbox", "--balance", bad]) == 2
        err = capsys.readouterr().err
        assert "is not an amount of money" in err and "Traceback" not in err


def test_help_shows_examples_defaults_and_formats(capsys):
    for command in (["--help"], ["sandbox", "--help"], ["send", "--help"]):
        assert main(command) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "examples:" in shown and "smsc-frames demo" in shown
    assert "(default 1000.00)" in shown and "(default 127.0.0.1)" in shown
    assert ".xls" in shown and ".ods" in shown


def test_password_flag_warns_and_a_terminal_is_asked_without_echo(sandbox, capsys, monkeypatch):
    assert main(["balance", "--url", sandbox.url, "--login", "demo", "--password", "demo"]) == 0
    assert "--password is visible to other users" in capsys.readouterr().err
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "demo")
    monkeypatch.setattr("smsc_frames.cli._is_terminal", lambda stream: True)
    assert main(["balance", "--url", sandbox.url, "--login", "demo"]) == 0
    assert asked and "demo" in asked[0]
    assert "Balance:" in capsys.readouterr().out
    # the warning's advice: --login with SMSC_PASSWORD (nothing asked, no terminal needed)
    monkeypatch.setenv("SMSC_PASSWORD", "demo")
    monkeypatch.setattr("smsc_frames.cli._is_terminal", lambda stream: False)
    assert main(["balance", "--url", sandbox.url, "--login", "demo"]) == 0
    assert len(asked) == 1 and "Balance:" in capsys.readouterr().out
    # and the other half: --password with SMSC_LOGIN (the login kept in the environment)
    monkeypatch.delenv("SMSC_PASSWORD")
    monkeypatch.setenv("SMSC_LOGIN", "demo")
    assert main(["balance", "--url", sandbox.url, "--password", "demo"]) == 0
    assert len(asked) == 1 and "Balance:" in capsys.readouterr().out


def test_status_keeps_numbers_and_dates_typed_in_a_workbook(sandbox, capsys, tmp_path):
    out = tmp_path / "results.xlsx"
    assert main(["send", *campaign_args(sandbox, "--yes", "--out", str(out))]) in (0, 1)
    time.sleep(0.3)
    assert main(["status", str(out), "--url", sandbox.url, "--login", "demo",
                 "--password", "demo", "--min-interval", "0"]) == 0  # fmt: skip
    sheet = openpyxl.load_workbook(out)["results"]
    header = [cell.value for cell in sheet[1]]
    assert "sent_at (UTC)" in header and "last_date (Europe/Moscow)" in header
    sent = next(row for row in sheet.iter_rows(min_row=2) if row[header.index("sms_id")].value)
    assert sent[header.index("row")].data_type == "n"
    assert sent[header.index("parts")].data_type == "n"
    assert sent[header.index("sent_at (UTC)")].is_date
    assert sent[header.index("last_date (Europe/Moscow)")].is_date
    again = read_results(out)  # as refresh_status gives them: a moment each, with its zone
    assert str(again["last_date"].dt.tz) == "Europe/Moscow"
    waited = (again["last_date"] - again["sent_at"]).dropna()
    assert len(waited) and (waited >= pd.Timedelta(0)).all() and (waited < pd.Timedelta("1h")).all()


def test_results_rows_are_file_rows_and_problem_rows_keep_the_phone_and_text(sandbox, tmp_path):
    out = tmp_path / "results.xlsx"
    assert main(["send", *campaign_args(sandbox, "--yes", "--out", str(out))]) in (0, 1)
    frame = pd.read_excel(out, sheet_name="results", dtype=str, engine="openpyxl")
    contacts = read_contacts(SAMPLE_CSV)
    assert frame["row"].astype(int).tolist()[:2] == [2, 3]  # the header is row 1
    invalid = frame[frame["outcome"] == "invalid"].iloc[0]
    position = int(invalid["row"]) - 2
    assert invalid["phone_input"] == contacts.loc[position, "Телефон"]
    assert isinstance(invalid["text"], str) and invalid["text"]


def test_row_numbers_count_title_and_blank_lines_in_results_and_samples(sandbox, capsys, tmp_path):
    contacts = tmp_path / "march.csv"
    lines = ["Клиенты на март", "Телефон;Имя", "+79161234567;Анна", "", "12;Плохой",
             "+79031234567;Борис"]  # fmt: skip
    contacts.write_text("\n".join(lines) + "\n", encoding="cp1251")
    out = tmp_path / "r.csv"
    args = ["send", str(contacts), "--phone", "Телефон", "--text", "Имя", "--url", sandbox.url,
            "--login", "demo", "--password", "demo", "--yes", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "use --header-row to choose another" in captured.err and "=" not in captured.err
    printed = captured.out
    assert "row 3, 79161234567" in printed and "row 6, 79031234567" in printed  # samples
    results = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    for row, name in zip(results["row"].astype(int), results["text"]):
        assert lines[row - 1].endswith(name)  # the row an editor or Excel shows it on


def test_a_journal_of_another_plan_is_refused_in_command_line_words(tmp_path):
    from smsc_frames.errors import ValidationError
    from smsc_frames.journal import Journal
    from smsc_frames.payloads import Payload

    path = tmp_path / "x.journal"
    with Journal.open(path, [Payload("a-1", {}, ("79161234567",), 1, 10, "d1")]):
        pass
    with pytest.raises(ValidationError) as refused:
        Journal.open(path, [Payload("b-1", {}, ("79031234567",), 1, 10, "d2")]).close()
    message = refusal_message(refused.value)
    assert message.startswith("--journal: was written for a different plan")
    assert f"smsc-frames results {path} --out" in message
    for python in ("journal=", "plan[", "accepted_phones", "'x.journal'", "done ="):
        assert python not in message


def test_status_of_a_large_campaign_reads_the_history_and_says_so(sandbox, capsys, tmp_path):
    contacts = tmp_path / "big.csv"
    phones = [f"7916{n:07d}" for n in range(1_001)]  # one more than a status list request holds
    pd.DataFrame({"phone": phones}).assign(text="Скидка 10% до воскресенья").to_csv(
        contacts, index=False
    )
    out = tmp_path / "results.csv"
    login = ["--url", sandbox.url, "--login", "demo", "--password", "demo"]
    assert main(["send", str(contacts), "--phone", "phone", "--text", "text", "--yes",
                 "--out", str(out), *login]) == 0  # fmt: skip
    sent = len(sandbox.requests)
    assert main(["status", str(out), *login]) == 0  # lists would wait a minute between requests
    assert "SMSC's history of sent messages (get.php)" in capsys.readouterr().err
    endpoints = [record.endpoint for record in sandbox.requests[sent:]]
    assert "get.php" in endpoints and "status.php" not in endpoints
    refreshed = pd.read_csv(out, dtype=str, encoding="utf-8-sig", sep=";")
    assert len(refreshed) == 1_001 and refreshed["status_name"].notna().all()
