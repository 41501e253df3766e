"""The lean message store answers exactly as the store it replaced, for a chunked send.

3,000 rows in 3 chunks (magic numbers, a number repeated across chunks, three kinds of text)
go through ``send_chunks`` to a sandbox; what it stored (``messages()``), every ``get.php``
history page and ``status.php`` (``all=2``) for every 50th message are compared, less dates,
with ``fixtures/sandbox_store_golden.json.gz``, written by this module run as a script against
the store before the change (commit 1249f05)::

    PYTHONPATH=<checkout of 1249f05> python tests/test_sandbox_store.py tests/fixtures/...gz
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import requests

GOLDEN = Path(__file__).parent / "fixtures" / "sandbox_store_golden.json.gz"
ROWS, CHUNK = 3000, 1000
#: fields that hold the time of the run, not what was stored
DATES = {"last_date", "last_timestamp", "send_date", "send_timestamp"}


def _frame() -> pd.DataFrame:
    from send_helpers import contacts

    frame = contacts(ROWS)
    frame.loc["c10", "phone"] = "79990000020"  # final status 20
    frame.loc["c1500", "phone"] = "+7 999 000-00-25"  # final status 25
    frame.loc["c2999", "phone"] = "8 999 000 00 03"  # final status 3
    frame.loc["c2500", "phone"] = frame.loc["c7", "phone"]  # chunk 0's number again
    return frame


def _send(url: str, folder: Path) -> None:
    from send_helpers import FAST, FAST_LIMITS

    from smsc_frames.campaign import send_chunks
    from smsc_frames.client import Client

    frame = _frame()
    chunks = [frame.iloc[start : start + CHUNK] for start in range(0, ROWS, CHUNK)]
    send_chunks(chunks, Client("demo", "demo", url=url, environ={}), phone="phone",
                text="text", progress=False, journal=folder / "j", retry=FAST,
                limits=FAST_LIMITS)  # fmt: skip


def _ask(url: str, endpoint: str, **params: str) -> list[dict[str, object]]:
    form = {"login": "demo", "psw": "demo", "fmt": "3", **params}
    answer = requests.post(f"{url}/sys/{endpoint}", data=form, timeout=30).json()
    records = answer if isinstance(answer, list) else [answer]
    return [{k: v for k, v in record.items() if k not in DATES} for record in records]


def snapshot(sandbox: object, folder: Path) -> dict[str, object]:
    """Send the campaign to *sandbox*, then what it stored and answers about it."""
    from smsc_frames.sandbox.context import MOSCOW

    url = sandbox.url  # type: ignore[attr-defined]
    _send(url, folder)
    stored = [
        {key: str(value) if isinstance(value, Decimal) else value
         for key, value in message.items() if key != "sent_at"}
        for message in sandbox.messages()  # type: ignore[attr-defined]
    ]  # fmt: skip
    start = (datetime.now(MOSCOW) - timedelta(days=1)).strftime("%d.%m.%Y")
    history, before = [], {}
    while page := _ask(url, "get.php", get_messages="1", start=start, cnt="1000", **before):
        history += page
        before = {"prev_id": str(page[-1]["int_id"])}
    statuses = [
        _ask(url, "status.php", id=message["id"], phone=message["phone"], all="2")[0]
        for message in stored[::50]
    ]
    taken = {"stored": stored, "history": history, "statuses": statuses}
    return json.loads(json.dumps(taken))  # as the fixture reads back: tuples as lists


def _sandbox():
    from smsc_frames.sandbox import Sandbox
    from smsc_frames.sandbox.settings import Account, SandboxSettings

    settings = SandboxSettings(seconds_to_operator=0, seconds_to_final=0,
                               duplicate_window=1.5, status_list_window=0.1)  # fmt: skip
    return Sandbox(accounts=[Account("demo", "demo", balance=Decimal(100_000))], settings=settings)


def test_a_chunked_send_is_stored_and_answered_as_by_the_former_store(tmp_path):
    with _sandbox() as sandbox:
        now = snapshot(sandbox, tmp_path)
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    assert len(now["stored"]) == ROWS - 1 and len(now["history"]) == ROWS - 1
    assert now["stored"] == golden["stored"]
    assert now["history"] == golden["history"]
    assert now["statuses"] == golden["statuses"]


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    with _sandbox() as running, tempfile.TemporaryDirectory() as scratch:
        taken = snapshot(running, Path(scratch))
    data = json.dumps(taken, ensure_ascii=False, indent=0).encode("utf-8")
    Path(sys.argv[1]).write_bytes(gzip.compress(data, mtime=0))
