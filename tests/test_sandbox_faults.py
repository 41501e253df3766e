"""Fault injection: each fault's answer, whether the send was stored, order, endpoint filter."""

from __future__ import annotations

import json
import time

import pytest
import requests

SEND = {"phones": "79161234567", "mes": "Hi", "fmt": "3", "cost": "3", "id": "1"}


def test_drop_after_accept_stores_then_closes_without_answer(sandbox, smsc):
    sandbox.inject("drop_after_accept")
    with pytest.raises(requests.ConnectionError):
        smsc(sandbox, **SEND)
    assert [m["id"] for m in sandbox.messages()] == ["1"]
    assert sandbox.balance("demo") < 1000
    assert smsc(sandbox, **{**SEND, "id": "2"}).json()["id"] == 2


def test_http_500_stores_nothing(sandbox, smsc):
    sandbox.inject("http_500")
    answer = smsc(sandbox, **SEND)
    assert answer.status_code == 500 and answer.headers["X-SMSC-Sandbox"] == "1"
    assert sandbox.messages() == []


@pytest.mark.parametrize("status", [200, 502])
def test_html_error_page_stores_nothing(sandbox, smsc, status):
    sandbox.inject("html_error", status=status)
    answer = smsc(sandbox, **SEND)
    assert answer.status_code == status and answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<html>")
    assert sandbox.messages() == []


def test_slow_stores_and_answers_after_the_delay(sandbox, smsc):
    sandbox.inject("slow", delay=0.3)
    started = time.monotonic()
    answer = smsc(sandbox, **SEND)
    assert time.monotonic() - started >= 0.3
    assert answer.json()["id"] == 1 and len(sandbox.messages()) == 1


def test_slow_longer_than_the_client_timeout_still_stores(sandbox):
    sandbox.inject("slow", delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(
            sandbox.url + "/sys/send.php",
            data={"login": "demo", "psw": "demo", **SEND},
            timeout=0.2,
        )
    assert len(sandbox.messages()) == 1


def test_truncated_json_stores_and_sends_half_the_answer(sandbox, smsc):
    sandbox.inject("truncated_json")
    answer = smsc(sandbox, **SEND)
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)
    assert '{"id": 1, "cnt": 1, "cost": "5.45", "balance": "994.55"}'.startswith(answer.text)
    assert len(sandbox.messages()) == 1


def test_empty_body_stores_and_answers_nothing(sandbox, smsc):
    sandbox.inject("empty_body")
    answer = smsc(sandbox, **SEND)
    assert (answer.status_code, answer.content) == (200, b"")
    assert len(sandbox.messages()) == 1


def test_faults_are_consumed_in_order_and_only_by_their_endpoint(sandbox, smsc):
    sandbox.inject("http_500", count=2)
    sandbox.inject("empty_body", endpoint="status.php")
    sandbox.inject("empty_body")
    assert smsc(sandbox, "status.php", id="1", phone="79161234567").content == b""
    codes = [smsc(sandbox, **{**SEND, "id": str(n)}) for n in range(1, 5)]
    assert [(a.status_code, a.content[:1]) for a in codes] == [
        (500, b"I"),
        (500, b"I"),
        (200, b""),
        (200, b"{"),
    ]
    assert sandbox.pending_faults() == 0
    assert sorted(m["id"] for m in sandbox.messages()) == ["3", "4"]
    assert [(r.endpoint, r.fault) for r in sandbox.requests][:3] == [
        ("status.php", "empty_body"), ("send.php", "http_500"), ("send.php", "http_500"),
    ]  # fmt: skip


def test_the_request_log_never_holds_secrets(sandbox, smsc):
    smsc(sandbox, **SEND)
    smsc(sandbox, "balance.php", auth=False, apikey="demo-apikey")
    logged = [r.params for r in sandbox.requests]
    assert all("psw" not in params and "apikey" not in params for params in logged)
    assert logged[0]["login"] == "demo" and sandbox.requests[0].code == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fault": "explode"}, "fault must be one of"),
        ({"fault": "slow", "endpoint": "x.php"}, "endpoint"),
        ({"fault": "slow", "count": 0}, "count"),
    ],
)
def test_bad_injections_are_refused(sandbox, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sandbox.inject(kwargs.pop("fault"), **kwargs)
