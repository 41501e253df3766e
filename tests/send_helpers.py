"""Helpers shared by the campaign tests, and the child process the SIGKILL test kills.

As a script it sends a deterministic campaign through a journal, so the test can kill it at a
random point and run it again::

    python tests/send_helpers.py URL JOURNAL ROWS MAX_RECIPIENTS
"""

from __future__ import annotations

import sys
from collections import Counter

import pandas as pd

from smsc_frames.campaign import RetryPolicy, SmscLimits, send
from smsc_frames.client import Client
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.sandbox.settings import SandboxSettings

FAST = RetryPolicy(backoff=0.05, max_backoff=0.5, settle=0.3)
"""Short waits for a sandbox whose windows were shrunk accordingly (see SETTINGS)."""

FAST_LIMITS = SmscLimits(duplicate_window=1.5, status_list_interval=0.1)
"""SMSC's limits as SETTINGS shrinks them in the sandbox."""

SETTINGS = SandboxSettings(duplicate_window=1.5, status_list_window=0.1)
"""A sandbox whose duplicate window and status.php list pace match :data:`FAST_LIMITS`."""


def contacts(rows: int) -> pd.DataFrame:
    """*rows* distinct Russian mobiles with a mix of Latin, Cyrillic and two-part texts.

    Index labels are strings (``"c0"``, ``"c1"``...) so a test notices a lost index.
    """
    numbers = range(rows)
    texts = [
        f"Privet {n}: your code is {n * 7919 % 10000:04d}"
        if n % 3 == 0
        else f"Здравствуйте, {n}! Скидка {n % 50}% до пятницы."
        if n % 3 == 1
        else f"Order {n} shipped. " + "Track it in the app any time. " * 6
        for n in numbers
    ]
    return pd.DataFrame(
        {"phone": [f"+7 916 {1000000 + n:07d}" for n in numbers], "text": texts},
        index=[f"c{n}" for n in numbers],
    )


def messy_contacts() -> pd.DataFrame:
    """Six sendable rows, one invalid phone, one empty text and one exact duplicate."""
    frame = contacts(6)
    extra = pd.DataFrame(
        {
            "phone": ["12", "+7 916 1000099", frame.loc["c1", "phone"]],
            "text": ["Hello", "", frame.loc["c1", "text"]],
        },
        index=["bad_phone", "empty_text", "dup_of_c1"],
    )
    return pd.concat([frame, extra])


def plan_of(frame: pd.DataFrame) -> pd.DataFrame:
    return prepare(frame, phone="phone", text="text")


def client_for(sandbox, **kwargs) -> Client:
    return Client("demo", "demo", url=sandbox.url, environ={}, **kwargs)


def stored(sandbox) -> Counter:
    """How many times the sandbox stored each (phone, text)."""
    return Counter((message["phone"], message["text"]) for message in sandbox.messages())


def expected(plan: pd.DataFrame) -> Counter:
    """Each sendable plan row once."""
    sendable = plan[plan["sendable"]]
    return Counter(zip(sendable["phone"], sendable["text"]))


def main(argv: list[str]) -> None:
    url, journal, rows, max_recipients = argv[1], argv[2], int(argv[3]), int(argv[4])
    plan = plan_of(contacts(rows))
    requests = payloads(plan, max_recipients=max_recipients)
    client = Client("demo", "demo", url=url, environ={})
    print("ready", flush=True)
    send(
        plan,
        client,
        journal=journal,
        payloads=requests,
        progress=False,
        max_workers=3,
        retry=FAST,
        limits=FAST_LIMITS,
    )
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv)
