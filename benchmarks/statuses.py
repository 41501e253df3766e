"""Benchmark: the delivery statuses of 1,000,000 sent messages, history vs status lists.

The sandbox runs in a child process (its own interpreter, as SMSC is another machine), with
a balance big enough and delivery at once. In the same run, this script:

1. **sends** the campaign over HTTP: ``--recipients`` numbers, 1,000 to a ``send.php``
   request, a few worker threads (nothing is loaded into the sandbox's store directly);
2. **refreshes by the history**: ``refresh_status(results, client)``, which by its size reads
   ``get.php?get_messages=1`` pages of 1,000, and checks every row came back delivered;
3. **the list path** (the baseline, what ``refresh_status`` did before): ``status.php`` list
   requests of 1,000 pairs, at most one a minute (SMSC's limit). Its time is computed, not
   waited for: ``max(60 s, one request's time)`` per request after the first, the request time
   **measured** on ``--sample-requests`` real list requests of 1,000 pairs against the same
   sandbox (unpaced there: the child's limit is raised for the sample).

Target: the history path finishes in under 5 minutes on 1,000,000 messages.

Usage: ``python benchmarks/statuses.py [--recipients 1000000] [--sample-requests 3]``.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from childsandbox import LOGIN, PASSWORD, sandbox_process

from smsc_frames.api import SmscApi
from smsc_frames.client import Client
from smsc_frames.delivery import choose_method, list_seconds, refresh_status
from smsc_frames.policy import SmscLimits

TARGET_SECONDS = 300.0
BATCH = 1000


def peak_mib() -> float:
    """This process's peak resident memory so far (``ru_maxrss``), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def distinct_phones(count: int) -> np.ndarray:
    """*count* distinct Moscow mobile numbers, shuffled."""
    numbers = np.random.default_rng(7).permutation(count) + 79_160_000_000
    return numbers.astype(str)


def send_campaign(client: Client, phones: np.ndarray) -> pd.DataFrame:
    """Send *phones* in requests of 1,000 and return send()-shaped results."""
    batches = [phones[start : start + BATCH] for start in range(0, len(phones), BATCH)]

    def post(index: int) -> pd.DataFrame:
        batch = batches[index]
        sms_id = f"st-{index}"
        client.call("send.php", {"phones": ",".join(batch), "mes": "Статус?", "id": sms_id})
        sent_at = pd.Timestamp.now(tz="UTC")
        return pd.DataFrame({"phone": batch, "sms_id": sms_id, "sent_at": sent_at})

    with ThreadPoolExecutor(max_workers=4) as pool:
        frames = list(pool.map(post, range(len(batches))))
    return pd.concat(frames, ignore_index=True)


def time_list_requests(client: Client, results: pd.DataFrame, count: int) -> float:
    """Median seconds of *count* unpaced ``status.php`` list requests of 1,000 pairs."""
    api = SmscApi.of(client, limits=SmscLimits(status_list_interval=0))
    pairs = list(zip(results["sms_id"], results["phone"]))
    seconds = []
    for n in range(count):
        batch = pairs[n * BATCH : (n + 1) * BATCH]
        started = time.perf_counter()
        frame = api.status_list(batch)
        seconds.append(time.perf_counter() - started)
        assert (frame["status"] == 1).all()
    return float(np.median(seconds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--sample-requests", type=int, default=3)
    args = parser.parse_args(argv)
    # the sample of list requests is timed unpaced
    with sandbox_process(
        seconds_to_operator=0, seconds_to_final=0, status_lists_per_window=1000,
        request_log_size=100,
    ) as url:  # fmt: skip
        client = Client(LOGIN, PASSWORD, url=url, environ={})
        phones = distinct_phones(args.recipients)

        started = time.perf_counter()
        results = send_campaign(client, phones)
        sent_s = time.perf_counter() - started
        print(f"sent {len(results):,} messages in {math.ceil(len(results) / BATCH):,} requests: "
              f"{sent_s:.1f} s (setup, not compared); peak RSS {peak_mib():,.0f} MiB")  # fmt: skip

        limits = SmscLimits()
        method = choose_method(len(results), limits)
        started = time.perf_counter()
        refreshed = refresh_status(results, client)
        history_s = time.perf_counter() - started
        delivered = int((refreshed["status"] == 1).sum())
        print(f"refresh_status ({method}): {history_s:.1f} s, {delivered:,} rows delivered")

        request_s = time_list_requests(client, results, args.sample_requests)

    requests = math.ceil(len(results) / limits.status_batch_size)
    paced = list_seconds(len(results), limits)
    list_s = max(paced, (requests - 1) * request_s) + request_s
    peak = peak_mib()
    print(f"list path (baseline): {requests:,} status.php requests of {BATCH:,}, "
          f"one per {limits.status_list_interval:g} s; one request measured at {request_s:.2f} s "
          f"(median of {args.sample_requests}) -> {list_s:,.0f} s = {list_s / 3600:.1f} h "
          "(computed from the pacing, not waited for)")  # fmt: skip
    print(f"history path: {history_s:.1f} s -> {list_s / history_s:,.0f}x faster; "
          f"client peak RSS {peak:,.0f} MiB")  # fmt: skip
    met = method == "history" and delivered == len(results) and history_s < TARGET_SECONDS
    print(f"target (< {TARGET_SECONDS:g} s, every row delivered): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
