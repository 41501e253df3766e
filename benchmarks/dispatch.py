"""Benchmark: dispatching 100,000 personalised SMS through the sandbox on loopback.

The sandbox runs in a child process (its own interpreter, as SMSC is another machine), with
a balance big enough for the load. In the same run, this script sends:

* **smsc_frames**: ``send(plan, client, journal=...)``: compact ``list=`` payloads of up to
  1,000 recipients, POSTed by a few worker threads, every request journalled;
* **the usual way** (as the official SMSC Python library ``smsc_api.py`` does): one GET per
  recipient, the URL built by string concatenation, ``fmt=1``, a fresh ``urlopen`` each time;
  on a sample (2,000 recipients by default), the rate scaled to the full campaign.

For both it reports requests, bytes sent (request URL path + query + body) and received
(response body) -- HTTP headers are left out, which favours the per-recipient baseline --
and recipients per second.

Usage: ``python benchmarks/dispatch.py [--recipients 100000] [--baseline-recipients 2000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

import numpy as np
import pandas as pd
import requests
from childsandbox import LOGIN, PASSWORD, sandbox_process

TEMPLATE = "{name}, скидка 10% на всё до воскресенья по промокоду WEEKEND"
FIRST_NAMES = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
]
MOBILE_CODES = [
    "910",
    "915",
    "916",
    "920",
    "925",
    "926",
    "903",
    "905",
    "909",
    "960",
    "950",
    "952",
    "977",
    "985",
]


def distinct_phones(count: int, seed: int = 11) -> np.ndarray:
    """*count* distinct Russian mobile numbers as E.164 digit strings."""
    rng = np.random.default_rng(seed)
    serial = rng.choice(len(MOBILE_CODES) * 10**7, size=count, replace=False)
    codes = np.array(MOBILE_CODES)[serial // 10**7]
    return np.char.add(np.char.add("7", codes), np.char.zfill((serial % 10**7).astype(str), 7))


class CountingSession(requests.Session):
    """A ``requests.Session`` that counts requests and bytes sent / received (thread-safe)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0
        self.sent = 0
        self.received = 0
        self._lock = threading.Lock()

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        target = urlsplit(request.url)
        with self._lock:
            self.requests += 1
            self.sent += len(target.path) + len(target.query) + len(request.body or b"")
            self.received += len(response.content)
        return response


def run_smsc_frames(url: str, phones: np.ndarray, names: np.ndarray) -> dict:
    """Send the campaign with smsc_frames and measure it."""
    from smsc_frames.campaign import send
    from smsc_frames.client import Client
    from smsc_frames.plan import prepare

    contacts = pd.DataFrame({"phone": phones, "name": names})
    plan = prepare(contacts, phone="phone", template=TEMPLATE)
    session = CountingSession()
    client = Client(LOGIN, PASSWORD, url=url, environ={}, session=session)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        results = send(plan, client, journal=Path(folder) / "bench.journal", progress=False)
        elapsed = time.perf_counter() - started
    sent = int((results["outcome"] == "sent").sum())
    return {
        "recipients": sent,
        "requests": session.requests,
        "sent": session.sent,
        "received": session.received,
        "elapsed_s": elapsed,
    }


def run_per_recipient(url: str, phones: np.ndarray, names: np.ndarray) -> dict:
    """One GET per recipient, built the way the official ``smsc_api.py`` builds it."""
    requests_made = sent = received = accepted = 0
    started = time.perf_counter()
    for phone, name in zip(phones, names):
        message = TEMPLATE.format(name=name)
        target = (
            url
            + "/sys/send.php?login="
            + quote(LOGIN)
            + "&psw="
            + quote(PASSWORD)
            + "&fmt=1&charset=utf-8&cost=3&phones="
            + quote(str(phone))
            + "&mes="
            + quote(message)
            + "&translit=0"
        )
        with urlopen(target) as response:
            answer = response.read()
        requests_made += 1
        parts = urlsplit(target)
        sent += len(parts.path) + len(parts.query)
        received += len(answer)
        accepted += not answer.split(b",")[1].startswith(b"-")
    elapsed = time.perf_counter() - started
    return {
        "recipients": accepted,
        "requests": requests_made,
        "sent": sent,
        "received": received,
        "elapsed_s": elapsed,
    }


def mib(count: float) -> str:
    """*count* bytes in MiB, for the report."""
    return f"{count / 2**20:.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--baseline-recipients", type=int, default=2_000)
    args = parser.parse_args(argv)
    total = args.recipients + args.baseline_recipients
    phones = distinct_phones(total)
    names = np.random.default_rng(5).choice(FIRST_NAMES, size=total)
    ours_phones, naive_phones = phones[: args.recipients], phones[args.recipients :]
    ours_names, naive_names = names[: args.recipients], names[args.recipients :]

    with sandbox_process() as url:
        ours = run_smsc_frames(url, ours_phones, ours_names)
        naive = run_per_recipient(url, naive_phones, naive_names)

    ours_rate = ours["recipients"] / ours["elapsed_s"]
    naive_rate = naive["recipients"] / naive["elapsed_s"]
    scale = args.recipients / naive["recipients"]
    print(
        f"\nsmsc_frames send(): {ours['recipients']:,} recipients in {ours['elapsed_s']:.2f} s, "
        f"{ours['requests']:,} requests, sent {mib(ours['sent'])}, received "
        f"{mib(ours['received'])}, {ours_rate:,.0f} recipients/s"
    )
    print(
        f"one GET per recipient: {naive['recipients']:,} recipients in "
        f"{naive['elapsed_s']:.2f} s, {naive['requests']:,} requests, sent "
        f"{mib(naive['sent'])}, received {mib(naive['received'])}, "
        f"{naive_rate:,.0f} recipients/s"
    )
    print(
        f"  scaled linearly to {args.recipients:,} recipients: "
        f"{naive['elapsed_s'] * scale:.0f} s, {naive['requests'] * scale:,.0f} requests, "
        f"sent {mib(naive['sent'] * scale)}, received {mib(naive['received'] * scale)}"
    )
    speedup = ours_rate / naive_rate
    print(
        f"\nrecipients/s ratio: {speedup:.0f}x (target >= 50x); requests ratio "
        f"{naive['requests'] * scale / ours['requests']:.0f}x; bytes sent ratio "
        f"{naive['sent'] * scale / ours['sent']:.1f}x (the op=1 answers we ask for are "
        f"bigger than fmt=1's: received ratio {naive['received'] * scale / ours['received']:.2f}x)"
    )
    print("target met" if speedup >= 50 else "TARGET MISSED")
    return 0 if speedup >= 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
