"""Shared fixtures: a running SMSC sandbox per test, and helpers to build special ones.

``sandbox`` is the stable fixture every test may use: ``sandbox.url``, account ``demo`` /
``demo`` / apikey ``demo-apikey`` with balance 1000.00, SMSC's real limits, and delivery in a
fraction of a second (-1 for 0.05 s, 0 until 0.15 s, then final).
"""

from __future__ import annotations

import time

import pytest

from smsc_frames.sandbox import Sandbox, SandboxSettings

FAST_SETTINGS = SandboxSettings(seconds_to_operator=0.05, seconds_to_final=0.15)


class FakeClock:
    """A clock the test moves by hand, so 60-second windows pass instantly."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path_factory, monkeypatch):
    """Default journals go to a folder of the test's own, never the user's state directory."""
    monkeypatch.setenv("SMSC_FRAMES_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def sandbox():
    """A fresh sandbox with the demo account and fast delivery; stopped after the test."""
    with Sandbox(settings=FAST_SETTINGS) as running:
        yield running


@pytest.fixture
def make_sandbox():
    """Factory ``make_sandbox(accounts=..., settings=..., clock=...)``; stopped after the test."""
    started: list[Sandbox] = []

    def factory(**kwargs) -> Sandbox:
        kwargs.setdefault("settings", FAST_SETTINGS)
        running = Sandbox(**kwargs).start()
        started.append(running)
        return running

    yield factory
    for running in started:
        running.stop()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A :class:`FakeClock` starting now."""
    return FakeClock()


def call_sandbox(
    running: Sandbox,
    endpoint: str = "send.php",
    *,
    auth: bool = True,
    method: str = "POST",
    **params: str,
):
    """One request with ``requests`` (not our client); ``demo``/``demo`` unless ``auth=False``."""
    import requests

    form = {"login": "demo", "psw": "demo", **params} if auth else dict(params)
    url = f"{running.url}/sys/{endpoint}"
    if method == "GET":
        return requests.get(url, params=form, timeout=10)
    return requests.post(url, data=form, timeout=10)


@pytest.fixture
def smsc():
    """``smsc(sandbox, endpoint="send.php", auth=True, method="POST", **params)`` -> Response."""
    return call_sandbox
