"""A sending process killed with SIGKILL at random points resumes without double sends."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from send_helpers import (
    FAST,
    FAST_LIMITS,
    SETTINGS,
    client_for,
    contacts,
    expected,
    plan_of,
    stored,
)

from smsc_frames.campaign import send
from smsc_frames.journal import Journal
from smsc_frames.payloads import payloads
from smsc_frames.sandbox import Sandbox
from smsc_frames.sandbox.settings import Account

ROWS = 240
MAX_RECIPIENTS = 4
HELPER = Path(__file__).with_name("send_helpers.py")


def start_child(url: str, journal: Path) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, str(HELPER), url, str(journal), str(ROWS), str(MAX_RECIPIENTS)],
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(HELPER.parent), os.environ.get("PYTHONPATH")])
            ),
        },
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def kill_when_stored(child: subprocess.Popen, sandbox, target: int) -> int:
    """SIGKILL *child* once the sandbox holds *target* messages; return how many it held."""
    deadline = time.monotonic() + 20
    while len(sandbox.messages()) < target and child.poll() is None:
        assert time.monotonic() < deadline, "the child made no progress"
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return len(sandbox.messages())


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_killed_twice_then_resumed_every_row_is_sent_exactly_once(tmp_path, seed):
    rng = random.Random(seed)
    plan = plan_of(contacts(ROWS))
    total = int(plan["sendable"].sum())
    journal = tmp_path / "campaign.journal"
    rich = Account("demo", "demo", balance=Decimal("100000"))
    with Sandbox(accounts=[rich], settings=SETTINGS) as sandbox:
        sandbox.inject("slow", count=10_000, delay=0.004)  # so a kill lands mid-campaign
        first = kill_when_stored(
            start_child(sandbox.url, journal), sandbox, rng.randrange(1, total // 2)
        )
        second = kill_when_stored(
            start_child(sandbox.url, journal), sandbox, rng.randrange(total // 2, total - 40)
        )
        assert 0 < first < total and first <= second < total  # both kills landed mid-way
        assert max(stored(sandbox).values()) == 1
        requests = payloads(plan, max_recipients=MAX_RECIPIENTS)
        with Journal.open(journal, requests) as left:
            states = Counter(entry.state for entry in left.entries())
        assert states["in_flight"] > 0  # killed mid-request: the resume must reconcile

        results = send(
            plan,
            client_for(sandbox),
            journal=journal,
            progress=False,
            retry=FAST,
            limits=FAST_LIMITS,
            payloads=requests,
        )

        assert stored(sandbox) == expected(plan)
        assert len(sandbox.messages()) == total
    assert results["outcome"].eq("sent").all()
    ids = {(m["id"], m["phone"]) for m in sandbox.messages()}
    assert ids == set(zip(results["sms_id"], results["phone"]))
