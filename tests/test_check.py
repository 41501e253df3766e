"""``smsc-frames check`` under every reading of SMSC's page the sandbox offers.

The check must pass against the sandbox whatever reading it answers in, name that reading, and
save a capture with no credential and no whole phone number; a capture replays through the
parsers as one more reading.
"""

from __future__ import annotations

import json

import pytest

from smsc_frames.check import check
from smsc_frames.cli import main, matching_readings
from smsc_frames.client import Client
from smsc_frames.responses import parse_balance, parse_send, parse_status, phone_rows
from smsc_frames.sandbox import READINGS, Sandbox, SandboxSettings


@pytest.mark.parametrize("name", list(READINGS))
def test_the_check_passes_under_every_reading_and_names_it(name, tmp_path, capsys):
    settings = SandboxSettings(reading=READINGS[name])
    with Sandbox(settings=settings) as sandbox:
        report = check(Client("demo", "demo", url=sandbox.url, environ={}))
        assert report.ok, str(report)
        assert name in matching_readings(report.observed)
        capture = tmp_path / "capture.json"
        args = ["check", "--url", sandbox.url, "--login", "demo", "--password", "demo"]
        assert main([*args, "--save", str(capture)]) == 0
    printed = capsys.readouterr().out
    assert f"answers like this server: {', '.join(matching_readings(report.observed))}" in printed
    text = capture.read_text(encoding="utf-8")
    assert "demo" not in text and "79999999999" not in text  # no credential, no whole phone
    replayed = json.loads(text)  # the capture reads through the parsers as a server's answers
    parse_balance(replayed["balance"])
    quote = replayed["quote_fmt3"]
    assert parse_send({k: v for k, v in quote.items() if k != "phones"}).cnt == 1
    assert len(phone_rows(quote)) == 1
    assert parse_status(replayed["status_missing"]).loc[0, "status"] == -3


def test_a_server_that_answers_otherwise_is_told_exactly_what_differs():
    with Sandbox() as sandbox:
        report = check(Client("demo", "demo", url=sandbox.url, environ={}))
    odd = {**report.observed, "op1_status": "7"}  # no reading answers so
    assert matching_readings(odd) == []
