"""A chunked send killed with SIGKILL mid-file resumes: everyone reached once, no row lost.

As a script it sends the CSV chunk by chunk, so the test can kill it::

    python tests/test_chunked_kill.py URL CSV JOURNAL RESULTS
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

ROWS = 200
CHUNK = 25
HERE = Path(__file__)


def _send(url: str, csv: Path, journal: Path, results: Path):
    from send_helpers import FAST, FAST_LIMITS

    from smsc_frames.campaign import send_chunks
    from smsc_frames.client import Client
    from smsc_frames.contacts import read_contacts

    return send_chunks(
        read_contacts(csv, chunksize=CHUNK),
        Client("demo", "demo", url=url, environ={}),
        journal=journal,
        results=results,
        phone="phone",
        text="text",
        progress=False,
        max_workers=2,
        retry=FAST,
        limits=FAST_LIMITS,
    )


def _start_child(url: str, csv: Path, journal: Path, results: Path) -> subprocess.Popen:
    path = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, str(HERE), url, str(csv), str(journal), str(results)],
        env={**os.environ, "PYTHONPATH": path},
    )


@pytest.mark.slow
def test_killed_mid_file_then_rerun_reaches_everyone_once(tmp_path):
    from send_helpers import SETTINGS, contacts, stored

    from smsc_frames.sandbox import Sandbox
    from smsc_frames.sandbox.settings import Account

    frame = contacts(ROWS)
    csv = tmp_path / "contacts.csv"
    frame.to_csv(csv, index=False)
    journal, results = tmp_path / "campaign.journal", tmp_path / "results.csv"
    rich = Account("demo", "demo", balance=Decimal("100000"))
    with Sandbox(accounts=[rich], settings=SETTINGS) as sandbox:
        sandbox.inject("slow", count=10_000, delay=0.05)  # so the kill lands mid-file
        child = _start_child(sandbox.url, csv, journal, results)
        deadline = time.monotonic() + 60
        while len(sandbox.messages()) < 3 * CHUNK and child.poll() is None:
            assert time.monotonic() < deadline, "the child made no progress"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        reached = len(sandbox.messages())
        assert 0 < reached < ROWS and not results.exists()  # killed mid-file

        totals = _send(sandbox.url, csv, journal, results)

        counts = stored(sandbox)
        assert len(counts) == ROWS and max(counts.values()) == 1
    written = pd.read_csv(results, dtype=str)
    assert len(written) == ROWS and written["outcome"].eq("sent").all()
    assert totals.outcomes["sent"] == ROWS and totals.chunks == ROWS // CHUNK


if __name__ == "__main__":
    _send(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
