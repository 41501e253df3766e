"""The duplicate keys of a chunked campaign's earlier chunks: a log on disk, hashes in memory.

Each key (the phone, or phone + text + sender under ``duplicates="phone+text"``) first seen in
chunk ``n`` is appended once to a SQLite table ``seen_keys(key, chunk, label)`` in the order
it came; memory holds only each key's 64-bit hash and row number, sorted (16 bytes a key:
320 MB for 20,000,000). A chunk's keys are hashed and bisected; the few whose hash is known
are read back by row number and compared as text. Appending keeps every chunk's cost flat: a
table keyed by the text itself (the former design) rewrote pages all over its B-tree for each
chunk of random numbers, 2.4 s a chunk of 100,000 at 3,000,000 keys and growing.

Examples
--------
>>> import pandas as pd, tempfile
>>> from pathlib import Path
>>> plan = lambda phones, start: pd.DataFrame(
...     {"phone": phones, "sendable": True, "duplicate_of": None},
...     index=range(start, start + len(phones)))
>>> with tempfile.TemporaryDirectory() as folder:
...     seen = SeenKeys(Path(folder) / "seen")
...     _ = seen.mark(plan(["79161234567", "79261234567"], 0), 0)
...     again = seen.mark(plan(["79031234567", "79161234567"], 2), 1)
...     seen.close()
>>> again["duplicate_of"].tolist(), again["sendable"].tolist()
([None, 0], [True, False])
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SeenKeys"]

#: rows read or looked up per SQLite statement
_BATCH = 100_000


class SeenKeys:
    """The keys of earlier chunks: ``key -> (chunk, label)`` on disk, hashes in memory.

    A key first seen in chunk ``n`` stays chunk ``n``'s, so reading chunk ``n`` again after
    a crash marks the same rows as before. Opening an existing file reads its hashes back.
    """

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)
        # no sync per chunk: a rerun marks every chunk again in order, so the log only has to
        # stay intact (WAL does), not hold the last chunk
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = NORMAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS seen_keys (key TEXT, chunk INTEGER, label)"
        )
        self.connection.execute("CREATE TEMP TABLE wanted (row INTEGER PRIMARY KEY)")
        self.hashes, self.rows = self._read_back()

    def _read_back(self) -> tuple[np.ndarray, np.ndarray]:
        """The hashes and row numbers of the keys already logged, sorted by hash."""
        hashes, rows = [], []
        cursor = self.connection.execute("SELECT rowid, key FROM seen_keys ORDER BY rowid")
        while batch := cursor.fetchmany(_BATCH):
            numbers, keys = zip(*batch, strict=True)
            hashes.append(_hash(np.array(keys, dtype=object)))
            rows.append(np.array(numbers, dtype=np.int64))
        if not hashes:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        every, numbered = np.concatenate(hashes), np.concatenate(rows)
        order = np.argsort(every, kind="stable")
        return every[order], numbered[order]

    def mark(self, plan: pd.DataFrame, chunk: int) -> pd.DataFrame:
        """*plan* with its rows whose key an earlier chunk holds made duplicates of that row."""
        keys = _duplicate_keys(plan)
        if keys is None:
            return plan
        sendable = plan["sendable"].to_numpy(dtype=bool)
        positions = np.flatnonzero(sendable)
        positions = positions[~pd.Index(keys[positions]).duplicated()]  # first of each key
        hashes = _hash(keys[positions])
        logged = self._logged(keys[positions], hashes)  # position among *positions* -> row
        earlier = {index: row for index, (row_chunk, row) in logged.items() if row_chunk < chunk}
        fresh = np.array([index not in logged for index in range(len(positions))], dtype=bool)
        self._append(keys[positions[fresh]], hashes[fresh], plan.index[positions[fresh]], chunk)
        if not earlier:
            return plan
        first = pd.Series([None] * len(plan), index=plan.index, dtype=object)
        first.iloc[positions[list(earlier)]] = list(earlier.values())
        repeated = first.notna().to_numpy()
        marked = plan.copy()
        marked["duplicate_of"] = plan["duplicate_of"].where(~repeated, first)
        marked["sendable"] = sendable & ~repeated
        return marked

    def _logged(self, keys: np.ndarray, hashes: np.ndarray) -> dict[int, tuple[int, object]]:
        """``index -> (chunk, label)`` of the *keys* already logged."""
        order = np.argsort(hashes)  # bisecting in order: the array is walked, not jumped over
        low, high = np.empty(len(hashes), np.int64), np.empty(len(hashes), np.int64)
        low[order] = np.searchsorted(self.hashes, hashes[order], side="left")
        high[order] = np.searchsorted(self.hashes, hashes[order], side="right")
        candidates = np.flatnonzero(high > low)
        if not len(candidates):
            return {}
        rows = self._rows(
            [int(row) for index in candidates for row in self.rows[low[index] : high[index]]]
        )
        found = {}
        for index in candidates.tolist():
            for row in self.rows[low[index] : high[index]].tolist():
                key, row_chunk, label = rows[row]
                if key == keys[index]:
                    found[index] = (row_chunk, label)
        return found

    def _rows(self, numbers: list[int]) -> dict[int, tuple[str, int, object]]:
        """``row -> (key, chunk, label)`` read from the log."""
        cursor = self.connection
        cursor.execute("DELETE FROM wanted")
        cursor.executemany("INSERT INTO wanted VALUES (?)", ((n,) for n in sorted(numbers)))
        answer = cursor.execute(
            "SELECT seen_keys.rowid, key, chunk, label FROM wanted "
            "JOIN seen_keys ON seen_keys.rowid = wanted.row"
        )
        return {row: (key, chunk, label) for row, key, chunk, label in answer}

    def _append(self, keys: np.ndarray, hashes: np.ndarray, labels: pd.Index, chunk: int) -> None:
        """Log the new *keys* of *chunk* (one transaction) and add their hashes in order."""
        start = int(self.rows.max()) + 1 if len(self.rows) else 1
        numbers = np.arange(start, start + len(keys), dtype=np.int64)
        stored = labels.tolist() if labels.dtype != object else map(_storable, labels)
        self.connection.executemany(
            f"INSERT INTO seen_keys (rowid, key, chunk, label) VALUES (?, ?, {int(chunk)}, ?)",
            zip(numbers.tolist(), keys.tolist(), stored, strict=True),
        )
        self.connection.commit()
        order = np.argsort(hashes, kind="stable")
        at = np.searchsorted(self.hashes, hashes[order], side="right")
        self.hashes = np.insert(self.hashes, at, hashes[order])
        self.rows = np.insert(self.rows, at, numbers[order])

    def close(self) -> None:
        self.connection.close()


def _hash(keys: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each key (pandas' SipHash, the same in every process)."""
    return pd.util.hash_array(keys, categorize=False)


def _storable(label: object) -> object:
    return int(label) if isinstance(label, np.integer) else label


def _duplicate_keys(plan: pd.DataFrame) -> np.ndarray | None:
    """The key prepare's ``duplicates`` rule compares rows by, or None for ``"keep"``."""
    rule = plan.attrs.get("duplicates", "phone")
    if rule == "keep":
        return None
    phones = plan["phone"].astype(object).fillna("").astype(str)
    if rule == "phone+text":
        texts = plan["text"].astype(object).fillna("").astype(str)
        senders = plan["sender"].astype(object).fillna("").astype(str)
        phones = phones + "\x00" + texts + "\x00" + senders
    return phones.to_numpy(dtype=object)
