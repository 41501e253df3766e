"""SmscApi over a transport: flags, one retry policy, pacing shared per account.

The transport seam: SmscApi works over anything with ``call``/``is_sandbox``/``identity``; the
tests use a recording wrapper around the real form transport, and a scripted one for the retry
decisions (no HTTP needed to say what is repeated and what never is).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest
import requests

from smsc_frames.api import SmscApi
from smsc_frames.client import Client
from smsc_frames.delivery import refresh_status
from smsc_frames.errors import (
    DuplicateRequestError,
    SmscConnectionError,
    ValidationError,
    api_error,
)
from smsc_frames.policy import RetryPolicy, SmscLimits
from smsc_frames.sandbox import Sandbox, SandboxSettings
from smsc_frames.transport import Transport

NO_WAIT = RetryPolicy(backoff=0.0, max_backoff=0.0, retries=3)


class Recording:
    """A transport that records every call before passing it on."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.url = inner.url
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    @property
    def is_sandbox(self) -> bool | None:
        return self.inner.is_sandbox

    def call(self, endpoint: str, params: Mapping[str, object]) -> Any:
        self.calls.append((endpoint, dict(params)))
        return self.inner.call(endpoint, params)

    def close(self) -> None:
        self.inner.close()


class Scripted(Recording):
    """A transport that raises or answers from a script, one entry per call."""

    def __init__(self, script: list[Any]) -> None:
        self.url, self.calls, self.script = "http://scripted", [], list(script)

    @property
    def identity(self) -> str:
        return "http://scripted login:x"

    @property
    def is_sandbox(self) -> bool | None:
        return True

    def call(self, endpoint: str, params: Mapping[str, object]) -> Any:
        self.calls.append((endpoint, dict(params)))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def test_a_recording_transport_is_a_transport_and_sees_the_flags(sandbox):
    client = Client("demo", "demo", url=sandbox.url, environ={})
    recording = Recording(client.transport)
    assert isinstance(recording, Transport) and isinstance(client, Transport)
    api = SmscApi(recording)
    request = {"id": "t-1", "phones": "79161234567", "mes": "Hi"}
    api.quote(request)
    api.submit(request)
    api.status("t-1", "79161234567")
    api.balance()
    assert [(endpoint, p.get("cost"), p.get("op")) for endpoint, p in recording.calls] == [
        ("send.php", "1", "1"),
        ("send.php", "3", "1"),
        ("status.php", None, None),
        ("balance.php", None, None),
    ]
    assert len(sandbox.messages()) == 1  # the quote sent nothing


def test_a_submission_whose_answer_was_lost_is_never_repeated():
    lost = SmscConnectionError("read timeout", maybe_sent=True)
    transport = Scripted([lost, {"id": "x", "cnt": 1}])
    with pytest.raises(SmscConnectionError):
        SmscApi(transport, retry=NO_WAIT, sleep=lambda s: None).submit({"id": "t-1"})
    assert len(transport.calls) == 1


def test_too_many_concurrent_requests_is_repeated_and_a_duplicate_is_not():
    busy = api_error(9, "too many concurrent requests")
    transport = Scripted([busy, busy, {"id": "t-1", "cnt": 1}])
    api = SmscApi(transport, retry=NO_WAIT, sleep=lambda s: None)
    assert api.submit({"id": "t-1"})["cnt"] == 1
    assert len(transport.calls) == 3
    duplicate = Scripted([api_error(9, "duplicate request, wait a minute")])
    with pytest.raises(DuplicateRequestError):
        SmscApi(duplicate, retry=NO_WAIT, sleep=lambda s: None).submit({"id": "t-1"})
    assert len(duplicate.calls) == 1


def test_an_unreadable_submission_answer_is_a_lost_answer_not_a_failure():
    transport = Scripted([{"id": "t-1", "cnt": "many"}])
    with pytest.raises(SmscConnectionError) as caught:
        SmscApi(transport, retry=NO_WAIT).submit({"id": "t-1"})
    assert caught.value.maybe_sent is True


def test_status_questions_are_repeated_after_faults_and_refusals():
    transport = Scripted(
        [SmscConnectionError("reset", maybe_sent=True), api_error(9, "too many"),
         {"id": "t-1", "phone": "7916", "status": 1, "err": 0}]
    )  # fmt: skip
    row = SmscApi(transport, retry=NO_WAIT, sleep=lambda s: None).status("t-1", "7916")
    assert row["status"] == 1 and len(transport.calls) == 3


def test_list_requests_of_one_account_are_paced_across_calls():
    window = 0.3
    settings = SandboxSettings(status_lists_per_window=1, status_list_window=window)
    with Sandbox(settings=settings) as sandbox:
        client = Client("demo", "demo", url=sandbox.url, environ={})
        client.call("send.php", {"id": "p-1", "phones": "79161234567", "mes": "Hi"})
        results = pd.DataFrame({"phone": ["79161234567"], "sms_id": ["p-1"]})
        limits = SmscLimits(status_list_interval=window + 0.05)
        # Two separate calls: the second waits for the account's next slot (the pacer belongs
        # to the client), so SMSC never answers error 9.
        refresh_status(results, client, limits=limits, retry=RetryPolicy(retries=0))
        refresh_status(results, client, limits=limits, retry=RetryPolicy(retries=0))
        codes = [r.code for r in sandbox.requests if r.endpoint == "status.php"]
    assert codes == [0, 0]


def test_the_clients_identity_names_server_and_account_never_the_secret():
    by_key = Client(apikey="very-secret", url="https://smsc.ru", environ={})
    assert by_key.identity.startswith("https://smsc.ru apikey-sha256:")
    assert "very-secret" not in by_key.identity and "very-secret" not in repr(by_key.transport)
    assert Client("shop", "pw", url="https://smsc.ru", environ={}).identity == (
        "https://smsc.ru login:shop"
    )


class AddressBook(requests.Session):
    """A session that notes the address and content type of every POST."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def post(self, url, *args, **kwargs):  # type: ignore[override]
        self.seen.append((url, kwargs.get("headers", {}).get("Content-Type", "")))
        return super().post(url, *args, **kwargs)


def test_the_json_transport_sends_through_rest_send_and_asks_the_rest_as_forms(sandbox):
    from smsc_frames.campaign import send
    from smsc_frames.plan import prepare

    contacts = pd.DataFrame({"phone": ["+79161234567", "+79031234567"], "text": ["Привет", "Hi"]})
    plan = prepare(contacts, phone="phone", text="text")
    session = AddressBook()
    client = Client("demo", "demo", url=sandbox.url, environ={}, transport="json",
                    session=session)  # fmt: skip
    results = send(plan, client, progress=False)
    assert results["outcome"].eq("sent").all()
    assert {(m["phone"], m["text"]) for m in sandbox.messages()} == {
        ("79161234567", "Привет"), ("79031234567", "Hi")
    }  # fmt: skip
    sends = [(url, kind) for url, kind in session.seen if "send" in url]
    assert sends and all(
        url.endswith("/rest/send/") and kind.startswith("application/json") for url, kind in sends
    )
    assert any(url.endswith("/sys/status.php") for url, _ in session.seen)  # the check


def test_limits_cannot_allow_what_smsc_refuses():
    assert SmscLimits(max_workers=14).max_workers == 14
    with pytest.raises(ValidationError, match="SMSC refuses 15 or more concurrent") as caught:
        SmscLimits(max_workers=15)
    assert caught.value.parameter == "max_workers"
