"""Benchmark: read -> prepare -> payloads on a 1,000,000-row personalised campaign.

Builds a synthetic contact CSV in a temporary directory (phones in mixed formats, a sprinkle
of invalid numbers and duplicates, first names and promo codes for a template, so there are
hundreds of thousands of distinct texts), then, in the same run:

* times smsc_frames (``read_contacts`` -> ``prepare(template=...)`` -> ``payloads``) in a
  child process, which also reports its peak resident memory (``VmHWM``);
* times a naive per-row baseline on a sample of the same file (``csv`` reader, one
  ``phonenumbers.parse`` per phone, a per-character loop to count each text, one request
  string built by concatenation per row, as the official SMSC library does) and scales it
  linearly to the full row count;
* compares the payloads' form bytes with the minimum: every recipient's phone plus one
  separator, and each distinct text once (urlencoded, as on the wire).

Each side runs ``--rounds`` times (5), interleaved so both meet the same background load, and
the fastest run of each is compared (as ``timeit`` does: noise only ever adds time).

Shapes (``--shape``, default all, one after the other, each against its own baseline): the
personalised ``template`` above; ``distinct``, one text per row; ``shared``, one text for every
row; ``emoji``, distinct Cyrillic texts with emoji near UCS-2 part boundaries; ``long``,
distinct GSM-7 texts of two to four parts near part boundaries, with extension characters.

``--before DIR`` also runs the pipeline of another copy of the package (a directory holding
``smsc_frames``, e.g. ``git archive <commit> smsc_frames | tar -x -C DIR``) in each round, so
a change is measured against the code before it under the same load.

Usage: ``python benchmarks/prepare.py [--shape all] [--rows 1000000] [--baseline-rows 20000]
[--rounds 5] [--before DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
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


def synthetic_phones(rows: int, rng: np.random.Generator) -> pd.Series:
    """*rows* phones written in eight styles, about 1% of them garbage (empty, short,
    landline, toll-free, words)."""
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
    return phone


def _template_columns(rows: int, rng: np.random.Generator) -> dict:
    promo = "P" + pd.Series(rng.integers(0, PROMO_CODES, rows)).astype(str).str.zfill(5)
    return {
        "name": np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), rows)],
        "promo": promo,
        "discount": np.array(DISCOUNTS)[rng.integers(0, len(DISCOUNTS), rows)],
    }


def _names(rows: int, rng: np.random.Generator) -> list[str]:
    return np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), rows)].tolist()


def _distinct_texts(rows: int, rng: np.random.Generator) -> dict:
    """One text per row: an order number, an amount and a date (half of them in Latin)."""
    amounts = rng.integers(100, 100_000, rows).tolist()
    days = rng.integers(1, 29, rows).tolist()
    latin = (rng.random(rows) < 0.5).tolist()
    latin_names = np.array(LATIN_NAMES)[rng.integers(0, len(LATIN_NAMES), rows)].tolist()
    texts = [
        f"{latin_name}, order #{number:07d} for {amount} RUB ships on {day:02d}.12. Track: sms.ru/t"
        if in_latin
        else f"{name}, заказ №{number:07d} на {amount} руб. доставим {day:02d}.12. Трек: sms.ru/t"
        for number, (name, latin_name, amount, day, in_latin) in enumerate(
            zip(_names(rows, rng), latin_names, amounts, days, latin)
        )
    ]
    return {"text": texts}


def _shared_text(rows: int, rng: np.random.Generator) -> dict:
    return {"text": [SHARED_TEXT] * rows}


def _near(boundaries: list[int], rows: int, rng: np.random.Generator) -> np.ndarray:
    """Sizes within 3 units of one of *boundaries* (a part's capacity times k)."""
    return np.array(boundaries)[rng.integers(0, len(boundaries), rows)] + rng.integers(-3, 4, rows)


def _filled(prefixes: list[str], cost: np.ndarray, filler: str, targets: np.ndarray) -> list:
    """Each prefix followed by as much of *filler* as brings its units nearest the target
    (*cost*: each filler character's units)."""
    running = np.concatenate(([0], np.cumsum(cost)))
    used = np.array([len(prefix) for prefix in prefixes])  # prefixes: one unit per character
    take = np.searchsorted(running, np.maximum(targets - used, 0), side="right") - 1
    return [prefix + filler[:n] for prefix, n in zip(prefixes, take.tolist())]


def _emoji_texts(rows: int, rng: np.random.Generator) -> dict:
    """Distinct Cyrillic texts with emoji (two UTF-16 units each, some at part boundaries),
    sized near one, two and three UCS-2 parts."""
    filler = "".join(
        word + (EMOJI[i % len(EMOJI)] if i % 3 == 0 else "") + " "
        for i, word in enumerate(FILLER_WORDS * 40)
    )
    cost = np.array([2 if ord(char) > 0xFFFF else 1 for char in filler])
    prefixes = [f"{name} 🎉 №{n} " for n, name in enumerate(_names(rows, rng))]
    return {"text": _filled(prefixes, cost, filler, _near([70, 134, 201], rows, rng))}


def _long_texts(rows: int, rng: np.random.Generator) -> dict:
    """Distinct GSM-7 texts of two to four parts, within 3 septets of a part boundary, with
    extension characters (two septets) among them."""
    filler = "".join(
        word + ("{" if i % 4 == 0 else "") + ("[x]" if i % 7 == 0 else "") + " "
        for i, word in enumerate(LATIN_WORDS * 60)
    )
    cost = np.array([2 if char in "{}[]" else 1 for char in filler])
    prefixes = [f"Dear client #{n}: " for n in range(rows)]
    return {"text": _filled(prefixes, cost, filler, _near([306, 459, 612], rows, rng))}


SHARED_TEXT = "Распродажа до конца недели: скидки до 50% на всё! Подробности на shop.ru/sale"
LATIN_NAMES = ["Alexander", "Dmitry", "Maxim", "Anna", "Maria", "Elena", "Olga", "Ivan"]
EMOJI = ["😀", "🎁", "👍", "🔥", "❤️", "✨"]
FILLER_WORDS = "скидка бонус подарок заказ доставка неделя кэшбэк акция".split()
LATIN_WORDS = "sale bonus gift order delivery week cashback offer today only".split()

SHAPES = {
    "template": (_template_columns, TEMPLATE),
    "distinct": (_distinct_texts, None),
    "shared": (_shared_text, None),
    "emoji": (_emoji_texts, None),
    "long": (_long_texts, None),
}
"""Each campaign shape: its text columns, and its template (``None``: a ``text`` column)."""


def synthetic_contacts(rows: int, seed: int = 7, shape: str = "template") -> pd.DataFrame:
    """A campaign of *rows* contacts of the given *shape* (:data:`SHAPES`), phones written in
    eight styles.

    About 1% of the phones are garbage (empty, short, landline, toll-free, words) and about
    1% of the rows exact duplicates of the row above.
    """
    rng = np.random.default_rng(seed)
    phone = synthetic_phones(rows, rng)
    columns, _ = SHAPES[shape]
    contacts = pd.DataFrame({"phone": phone, **columns(rows, rng)})
    source = np.arange(rows)
    source[1:][rng.random(rows - 1) < 0.01] -= 1  # about 1% exact duplicates of the row above
    return contacts.iloc[source].reset_index(drop=True)


def run_smsc_frames(path: Path, shape: str) -> dict:
    """Time read -> prepare -> payloads in this process; report sizes and peak memory."""
    from smsc_frames.contacts import read_contacts
    from smsc_frames.payloads import payloads
    from smsc_frames.plan import prepare

    template = SHAPES[shape][1]
    texts = {"template": template} if template else {"text": "text"}
    started = time.perf_counter()
    contacts = read_contacts(path)
    read_done = time.perf_counter()
    plan = prepare(contacts, phone="phone", **texts)
    prepare_done = time.perf_counter()
    batches = payloads(plan)
    payloads_done = time.perf_counter()
    peak_mb = peak_rss_mb()  # the pipeline's, before the minimum below is worked out

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
        "parts": int(sendable["parts"].sum()),
        "requests": len(batches),
        "body_bytes": sum(batch.body_bytes for batch in batches),
        "minimum_bytes": minimum_bytes,
        "read_s": read_done - started,
        "prepare_s": prepare_done - read_done,
        "payloads_s": payloads_done - prepare_done,
        "total_s": payloads_done - started,
        "peak_rss_mb": peak_mb,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` where Linux gives it, else
    ``ru_maxrss``, which Linux carries over ``exec`` from the parent (a child started by
    this script, which holds the generated campaign, would report the parent's size)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


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


def run_naive_baseline(path: Path, rows: int, shape: str) -> dict:
    """The per-row loop: parse, count and build one request per contact."""
    import phonenumbers

    template = SHAPES[shape][1]
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
            text = template.format(**row) if template else row["text"]
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


TARGET_SPEEDUP = 25
TARGET_SECONDS_PER_MILLION = 3.0
TARGET_RSS_MB = 1024


def run_child(path: Path, shape: str, package_dir: Path | None = None) -> dict:
    """:func:`run_smsc_frames` in a fresh process, with *package_dir* (holding another copy
    of ``smsc_frames``) first on its path if given."""
    env = dict(os.environ)
    if package_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(package_dir), env.get("PYTHONPATH", "")])
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--shape", shape],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def _split(run: dict) -> str:
    return (
        f"{run['total_s']:.2f} s (read {run['read_s']:.2f} + prepare {run['prepare_s']:.2f} + "
        f"payloads {run['payloads_s']:.2f})"
    )


def measure_shape(shape: str, args: argparse.Namespace, tmp: str) -> dict:
    """Write the shape's CSV, run both sides ``args.rounds`` times interleaved, print and
    return the fastest of each."""
    path = Path(tmp) / f"{shape}.csv"
    started = time.perf_counter()
    synthetic_contacts(args.rows, shape=shape).to_csv(path, index=False)
    print(
        f"\n[{shape}] generated {args.rows:,} contacts in {time.perf_counter() - started:.1f} s "
        f"({path.stat().st_size / 2**20:.0f} MiB CSV, not timed below)"
    )
    runs, before_runs, naive_runs = [], [], []
    for round_number in range(1, args.rounds + 1):  # interleaved: all see the same noise
        runs.append(run_child(path, shape))
        if args.before:
            before_runs.append(run_child(path, shape, args.before))
            print(f"  round {round_number}: before {_split(before_runs[-1])}")
        naive_runs.append(run_naive_baseline(path, min(args.baseline_rows, args.rows), shape))
        print(
            f"  round {round_number}: smsc_frames {_split(runs[-1])}, baseline "
            f"{naive_runs[-1]['elapsed_s']:.2f} s on {naive_runs[-1]['rows']:,} rows"
        )
    ours = min(runs, key=lambda run: run["total_s"])
    ours["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    naive = min(naive_runs, key=lambda run: run["elapsed_s"])
    if before_runs:
        before = min(before_runs, key=lambda run: run["total_s"])
        before["peak_rss_mb"] = max(run["peak_rss_mb"] for run in before_runs)
        before["speedup"] = naive["elapsed_s"] * before["rows"] / naive["rows"] / before["total_s"]
        ours["before"] = before
        print(
            f"  fastest before: {_split(before)}; {before['speedup']:.1f}x; peak RSS "
            f"{before['peak_rss_mb']:.0f} MiB"
        )
    ours["baseline_s"] = naive["elapsed_s"] * ours["rows"] / naive["rows"]
    ours["speedup"] = ours["baseline_s"] / ours["total_s"]
    ours["bytes_ratio"] = ours["body_bytes"] / ours["minimum_bytes"]
    ours["met"] = (
        ours["speedup"] >= TARGET_SPEEDUP
        and ours["total_s"] < TARGET_SECONDS_PER_MILLION * ours["rows"] / 1e6
        and ours["peak_rss_mb"] < TARGET_RSS_MB
        and ours["bytes_ratio"] <= 1.05
    )
    print(
        f"  fastest: read {ours['read_s']:.2f} + prepare {ours['prepare_s']:.2f} + "
        f"payloads {ours['payloads_s']:.2f} = {ours['total_s']:.2f} s; baseline "
        f"{naive['elapsed_s']:.2f} s on {naive['rows']:,} rows -> {ours['baseline_s']:.1f} s "
        f"scaled; {ours['speedup']:.1f}x; peak RSS {ours['peak_rss_mb']:.0f} MiB; "
        f"{ours['distinct_texts']:,} distinct texts, {ours['parts']:,} parts, "
        f"{ours['requests']:,} requests, bytes / minimum {ours['bytes_ratio']:.3f}"
    )
    return ours


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
    parser.add_argument(
        "--shape",
        choices=[*SHAPES, "all"],
        default="all",
        help="which campaign to measure (default: every shape, one after the other)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a directory holding another copy of smsc_frames, run in each round too",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_smsc_frames(args.child, args.shape)))
        return 0

    shapes = list(SHAPES) if args.shape == "all" else [args.shape]
    with tempfile.TemporaryDirectory() as tmp:
        results = {shape: measure_shape(shape, args, tmp) for shape in shapes}

    print(
        f"\nfastest of {args.rounds} interleaved rounds per side; targets: >= "
        f"{TARGET_SPEEDUP}x, < {TARGET_SECONDS_PER_MILLION:.0f} s per 1M rows, peak RSS < "
        f"{TARGET_RSS_MB} MiB, payload bytes <= 1.05 x minimum"
    )
    print(f"{'shape':<10}{'total s':>9}{'baseline s':>12}{'speed-up':>10}{'RSS MiB':>9}  met")
    for shape, ours in results.items():
        print(
            f"{shape:<10}{ours['total_s']:>9.2f}{ours['baseline_s']:>12.1f}"
            f"{ours['speedup']:>9.1f}x{ours['peak_rss_mb']:>9.0f}  "
            f"{'yes' if ours['met'] else 'NO'}"
        )
    if args.before:
        print(f"\nbefore ({args.before}):")
        for shape, ours in results.items():
            before = ours["before"]
            print(
                f"{shape:<10}{before['total_s']:>9.2f}{'':>12}{before['speedup']:>9.1f}x"
                f"{before['peak_rss_mb']:>9.0f}"
            )
    met = all(ours["met"] for ours in results.values())
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
