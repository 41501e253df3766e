"""Shared fixtures: a running SMSC sandbox per test, and helpers to build special ones.

``sandbox`` is the stable fixture every test may use: ``sandbox.url``, account ``demo`` /
``demo`` / apikey ``demo-apikey`` with balance 1000.00, SMSC's real limits, and delivery in a
fraction of a second (-1 for 0.05 s, 0 until 0.15 s, then final).

Readings (docs/sandbox.md): every sandbox a test builds, with the fixtures or with
``Sandbox(...)`` directly, answers under the test's ``reading``. The end-to-end modules of
:data:`ALL_READINGS_MODULES` run under each of ``READINGS`` (test ids end in ``[guess]``,
``[waiting]``...), every other module under the guess only. ``SMSC_FRAMES_READING=<name>``
runs every module under that one reading instead (``all``: every module under every reading),
except the sandbox's own tests (``test_sandbox_*``, ``test_official_clients``), which pin the
guess's exact answers or choose their readings themselves.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

from smsc_frames.sandbox import READINGS, Sandbox, SandboxSettings
from smsc_frames.sandbox.settings import set_default_reading

# scripts/mutation.sh runs each mutant against the property tests with few examples (a test's
# own @settings(max_examples=...) still wins): SMSC_FRAMES_HYPOTHESIS_PROFILE=mutation.
settings.register_profile("mutation", max_examples=10, deadline=None)
if os.environ.get("SMSC_FRAMES_HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["SMSC_FRAMES_HYPOTHESIS_PROFILE"])

FAST_SETTINGS = SandboxSettings(seconds_to_operator=0.05, seconds_to_final=0.15)


class FakeClock:
    """A clock the test moves by hand, so 60-second windows pass instantly."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


#: The end-to-end modules: the client against the sandbox, run under every reading.
ALL_READINGS_MODULES = frozenset({
    "test_send.py", "test_estimate.py", "test_faults.py", "test_kill_resume.py",
    "test_delivery.py", "test_widgets.py", "test_safety.py", "test_records.py", "test_chunked.py",
})  # fmt: skip


def _readings_for(module: str) -> list[str]:
    chosen = os.environ.get("SMSC_FRAMES_READING", "").strip()
    if module.startswith("test_sandbox_") or module == "test_official_clients.py":
        return ["guess"]  # they pin the exact answers of the guess, or choose readings themselves
    if chosen == "all":
        return list(READINGS)
    if chosen:
        if chosen not in READINGS:
            raise pytest.UsageError(f"SMSC_FRAMES_READING must be one of {', '.join(READINGS)}")
        return [chosen]
    return list(READINGS) if module in ALL_READINGS_MODULES else ["guess"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "reading" in metafunc.fixturenames:
        names = _readings_for(Path(str(metafunc.definition.fspath)).name)
        if names != ["guess"]:
            metafunc.parametrize("reading", names, indirect=True, ids=names)


@pytest.fixture(autouse=True)
def reading(request):
    """The :class:`~smsc_frames.sandbox.Reading` of every sandbox the test builds (see above)."""
    chosen = READINGS[getattr(request, "param", "guess")]
    previous = set_default_reading(chosen)
    yield chosen
    set_default_reading(previous)


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path_factory, monkeypatch):
    """Default journals and quote caches go to folders of the test's own, never the user's.

    The quote cache is keyed by the server's URL, and sandbox ports are reused: a cache shared
    between tests (or between pytest-xdist workers) could answer for another test's sandbox.
    """
    monkeypatch.setenv("SMSC_FRAMES_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    cache = tmp_path_factory.mktemp("quote-cache") / "smsc-frames"
    monkeypatch.setenv("SMSC_FRAMES_CACHE_DIR", str(cache))


@pytest.fixture
def sandbox(reading):
    """A fresh sandbox with the demo account and fast delivery; stopped after the test."""
    with Sandbox(settings=FAST_SETTINGS) as running:
        yield running


@pytest.fixture
def make_sandbox(reading):
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
