"""Benchmark: read -> prepare -> payloads on a 1,000,000-row personalised campaign.

Builds a synthetic contact CSV in a temporary directory (phones in mixed formats, a sprinkle
of invalid numbers and duplicates, first names and promo codes for a template, so there are
hundreds of thousands of distinct texts), then, in the same run:

* times smsc_frames (``read_contacts`` -> ``prepare(template=...)`` -> ``payloads``) in a
  child process, which also reports its peak resident memory (``ru_maxrss``);
* times a naive per-row baseline on a sample of the same file (``csv`` reader, one
  ``phonenumbers.parse`` per phone, a per-character loop to count each text, one request
  string built by concatenation per row, as the official SMSC library does) and scales it
  linearly to the full row count;
* compares the payloads' form bytes with the minimum: every recipient's phone plus one
  separator, and each distinct text once (urlencoded, as on the wire).

Each side runs ``--rounds`` times (5), interleaved so both meet the same background load, and
the fastest run of each is compared (as ``timeit`` does: noise only ever adds time).

Usage: ``python benchmarks/prepare.py [--rows 1000000] [--baseline-rows 20000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import numpy as np
import pandas as pd

from smsc_frames.segments import GSM7_BASIC, GSM7_EXTENSION

TEMPLATE = "{name}, ваш промокод {promo} даёт скидку {discount}% до конца недели!"
FIRST_NAMES = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Иван",
    "Егор",
    "Роман",
    "Павел",
    "Олег",
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
    "Светлана",
    "Юлия",
    "Дарья",
    "Ксения",
    "Полина",
    "Алёна",
    "Виктория",
    "Софья",
]
MOBILE_CODES = [
    "910",
    "912",
    "915",
    "916",
    "917",
    "919",
    "920",
    "925",
    "926",
    "929",
    "903",
    "905",
    "906",
    "909",
    "960",
    "961",
    "965",
    "900",
    "901",
    "902",
    "904",
    "950",
    "951",
    "952",
    "953",
    "958",
    "977",
    "985",
]
PROMO_CODES = 2_000
DISCOUNTS = [5, 10, 15, 20, 25, 30]
# How often each of the eight phone styles below appears (the 007 prefix is rare in practice).
STYLE_SHARES = [0.20, 0.20, 0.10, 0.20, 0.10, 0.10, 0.08, 0.02]
GARBAGE = ["", "916123", "8 (495) 123-45-67", "8 800 555-35-35", "нет", "8916abc4567"]


def synthetic_contacts(rows: int, seed: int = 7) -> pd.DataFrame:
    """A personalised campaign of *rows* contacts, phones written in eight styles.

    About 1% of the phones are garbage (empty, short, landline, toll-free, words) and about
    1% of the rows exact duplicates of the row above.
    """
    rng = np.random.default_rng(seed)
    code = pd.Series(np.array(MOBILE_CODES)[rng.integers(0, len(MOBILE_CODES), rows)])
    number = pd.Series(rng.integers(0, 10**7, rows)).astype(str).str.zfill(7)
    a, b, c = number.str[:3], number.str[3:5], number.str[5:]
    styles = [
        "8 (" + code + ") " + a + "-" + b + "-" + c,
        "+7 " + code + " " + number,
        code + number,
        "7" + code + number,
        "8-" + code + "-" + a + "-" + b + "-" + c,
        "+7(" + code + ")" + a + "-" + b + "-" + c,
        "8" + code + number,
        "007 " + code + " " + number,
    ]
    style = rng.choice(len(styles), size=rows, p=STYLE_SHARES)
    phone = styles[0].copy()
    for which in range(1, len(styles)):
        phone = phone.where(style != which, styles[which])
    garbage = rng.random(rows) < 0.01
    phone[garbage] = np.array(GARBAGE)[rng.integers(0, len(GARBAGE), int(garbage.sum()))]
    promo = "P" + pd.Series(rng.integers(0, PROMO_CODES, rows)).astype(str).str.zfill(5)
    contacts = pd.DataFrame(
        {
            "name": np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), rows)],
            "phone": phone,
            "promo": promo,
            "discount": np.array(DISCOUNTS)[rng.integers(0, len(DISCOUNTS), rows)],
        }
    )
    source = np.arange(rows)
    source[1:][rng.random(rows - 1) < 0.01] -= 1  # about 1% exact duplicates of the row above
    return contacts.iloc[source].reset_index(drop=True)


def run_smsc_frames(path: Path) -> dict:
    """Time read -> prepare -> payloads in this process; report sizes and peak memory."""
    from smsc_frames.contacts import read_contacts
    from smsc_frames.payloads import payloads
    from smsc_frames.plan import prepare

    started = time.perf_counter()
    contacts = read_contacts(path)
    read_done = time.perf_counter()
    plan = prepare(contacts, phone="phone", template=TEMPLATE)
    prepare_done = time.perf_counter()
    batches = payloads(plan)
    payloads_done = time.perf_counter()

    sendable = plan[plan["sendable"]]
    distinct_texts = sendable["text"].unique()
    # The least any encoding can send: each phone, one urlencoded separator per recipient
    # (``,`` between phones; the last one of a line stands for its ``:``), each text once.
    minimum_bytes = (
        int(sendable["phone"].str.len().sum())
        + len(sendable) * len(quote(","))
        + sum(len(quote_plus(text)) for text in distinct_texts)
    )
    return {
        "rows": len(plan),
        "sendable": len(sendable),
        "distinct_texts": len(distinct_texts),
        "requests": len(batches),
        "body_bytes": sum(batch.body_bytes for batch in batches),
        "minimum_bytes": minimum_bytes,
        "read_s": read_done - started,
        "prepare_s": prepare_done - read_done,
        "payloads_s": payloads_done - prepare_done,
        "total_s": payloads_done - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def naive_parts(text: str) -> int:
    """Count parts the obvious way: one character at a time."""
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENSION:
            septets += 2
        else:
            units = len(text.encode("utf-16-le")) // 2
            return 1 if units <= 70 else math.ceil(units / 67)
    return 1 if septets <= 160 else math.ceil(septets / 153)


def run_naive_baseline(path: Path, rows: int) -> dict:
    """The per-row loop: parse, count and build one request per contact."""
    import phonenumbers

    started = time.perf_counter()
    requests_built = []
    with open(path, encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            if index == rows:
                break
            try:
                number = phonenumbers.parse(row["phone"], "RU")
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                continue
            if phonenumbers.number_type(number) not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            ):
                continue
            phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
            text = TEMPLATE.format(**row)
            parts = naive_parts(text)
            requests_built.append(
                "cost=3&phones=" + quote(phone) + "&mes=" + quote(text) + "&parts=" + str(parts)
            )
    elapsed = time.perf_counter() - started
    return {
        "rows": rows,
        "requests": len(requests_built),
        "elapsed_s": elapsed,
        "body_bytes": sum(map(len, requests_built)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="interleaved runs of each side; the fastest of each is compared",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_smsc_frames(args.child)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "campaign.csv"
        started = time.perf_counter()
        synthetic_contacts(args.rows).to_csv(path, index=False)
        print(
            f"generated {args.rows:,} contacts in {time.perf_counter() - started:.1f} s "
            f"({path.stat().st_size / 2**20:.0f} MiB CSV, not timed below)"
        )

        runs, naive_runs = [], []
        for round_number in range(1, args.rounds + 1):  # interleaved: both see the same noise
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            naive_runs.append(run_naive_baseline(path, min(args.baseline_rows, args.rows)))
            print(
                f"round {round_number}: smsc_frames {runs[-1]['total_s']:.2f} s, "
                f"baseline {naive_runs[-1]['elapsed_s']:.2f} s on "
                f"{naive_runs[-1]['rows']:,} rows"
            )

    ours = min(runs, key=lambda run: run["total_s"])
    ours["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    naive = min(naive_runs, key=lambda run: run["elapsed_s"])
    scaled = naive["elapsed_s"] * ours["rows"] / naive["rows"]
    speedup = scaled / ours["total_s"]
    bytes_ratio = ours["body_bytes"] / ours["minimum_bytes"]
    print(
        f"\nfastest of {len(runs)} rounds each side; smsc_frames, {ours['rows']:,} rows "
        f"({ours['sendable']:,} sendable, "
        f"{ours['distinct_texts']:,} distinct texts, {ours['requests']:,} requests):"
    )
    print(
        f"  read {ours['read_s']:.2f} s + prepare {ours['prepare_s']:.2f} s + "
        f"payloads {ours['payloads_s']:.2f} s = {ours['total_s']:.2f} s   (target < 5 s)"
    )
    print(
        f"  peak RSS {ours['peak_rss_mb']:.0f} MiB (child process, highest of the rounds, "
        f"target < 1536 MiB)"
    )
    print(
        f"naive per-row baseline: {naive['elapsed_s']:.2f} s for {naive['rows']:,} rows, "
        f"scaled linearly to {ours['rows']:,} rows: {scaled:.1f} s"
    )
    print(f"\nspeed-up vs baseline: {speedup:.0f}x (target >= 20x)")
    print(
        f"payload bytes / minimum: {bytes_ratio:.3f} "
        f"({ours['body_bytes']:,} / {ours['minimum_bytes']:,}, target <= 1.05)"
    )
    met = (
        speedup >= 20 and ours["total_s"] < 5 and ours["peak_rss_mb"] < 1536 and bytes_ratio <= 1.05
    )
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
