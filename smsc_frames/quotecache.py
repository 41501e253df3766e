"""A small file-backed cache of SMSC's ``cost=1`` answers, shared by ``smsc-frames`` runs.

SMSC refuses more than 5 identical ``cost=1`` requests within 60 seconds (error 9). The command
line starts a new process for every ``estimate`` and ``send`` (which estimates first), so the
per-client cache of :func:`smsc_frames.campaign.estimate` forgets between runs; this file keeps
the answers for :data:`DEFAULT_TTL` seconds instead, so repeating a command reuses them.

The file is ``quotes.json`` in ``$SMSC_FRAMES_CACHE_DIR``, else ``$XDG_CACHE_HOME/smsc-frames``,
else ``~/.cache/smsc-frames`` (directory ``0700``, file ``0600``). It maps a key (server URL,
login or a sha256 of the API key, payload digest; see ``campaign.quote_cache_key``) to the
answer and the time it was saved: never a password or an API key. It is written atomically
(a temporary file, then ``os.replace``); a missing, corrupt or unreadable file is an empty
cache, and a file that cannot be written only costs a warning.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     cache = QuoteCache(Path(folder) / "quotes.json", ttl=600)
...     cache["key"] = {"cnt": 1, "cost": "1.70"}
...     saved = cache.save()
...     QuoteCache(Path(folder) / "quotes.json")["key"]
{'cnt': 1, 'cost': '1.70'}
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_TTL = 600.0
"""Seconds a cached ``cost=1`` answer is reused (10 minutes)."""

CACHE_DIR_VARIABLE = "SMSC_FRAMES_CACHE_DIR"
"""Environment variable naming the cache directory (tests point it at a temporary one)."""

FILE_NAME = "quotes.json"
FORMAT_VERSION = 1


def default_cache_dir(environ: MutableMapping[str, str] | None = None) -> Path:
    """``$SMSC_FRAMES_CACHE_DIR``, else ``$XDG_CACHE_HOME/smsc-frames``, else
    ``~/.cache/smsc-frames``.

    Examples
    --------
    >>> default_cache_dir({"SMSC_FRAMES_CACHE_DIR": "/tmp/q"})
    PosixPath('/tmp/q')
    >>> default_cache_dir({"XDG_CACHE_HOME": "/var/cache/me"})
    PosixPath('/var/cache/me/smsc-frames')
    """
    environ = os.environ if environ is None else environ
    if environ.get(CACHE_DIR_VARIABLE):
        return Path(environ[CACHE_DIR_VARIABLE]).expanduser()
    base = environ.get("XDG_CACHE_HOME")
    root = Path(base).expanduser() if base else Path.home() / ".cache"
    return root / "smsc-frames"


class QuoteCache(MutableMapping[str, dict]):
    """``cost=1`` answers by cache key, kept in a JSON file for *ttl* seconds.

    A mapping for :func:`smsc_frames.campaign.estimate`'s ``cache=`` argument. Reads load the
    file once (lazily); writes stay in memory until :meth:`save`, which merges them into the
    file as it is then (another run may have added entries) and drops expired ones.

    Parameters
    ----------
    path : path-like, optional
        The cache file (default ``default_cache_dir() / "quotes.json"``).
    ttl : float
        Seconds an entry is valid (default :data:`DEFAULT_TTL`); older entries are absent.
    clock : callable
        Returns the time in seconds (``time.time``); tests move it.

    Examples
    --------
    >>> now = [1000.0]
    >>> cache = QuoteCache("/nonexistent/quotes.json", ttl=60, clock=lambda: now[0])
    >>> cache["k"] = {"cnt": 1}
    >>> "k" in cache
    True
    >>> now[0] += 61
    >>> "k" in cache, len(cache)
    (False, 0)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_dir() / FILE_NAME
        self.ttl = float(ttl)
        self.clock = clock
        self._entries: dict[str, dict[str, Any]] | None = None
        self._dirty: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- mapping protocol

    def _live(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._entries is None:
                self._entries = self._read()
            now = self.clock()
            return {key: entry for key, entry in self._entries.items() if self._fresh(entry, now)}

    def _fresh(self, entry: dict[str, Any], now: float) -> bool:
        return now - self.ttl < entry["saved_at"] <= now + 60  # a clock set back is not "fresh"

    def __getitem__(self, key: str) -> dict:
        return self._live()[key]["answer"]

    def __setitem__(self, key: str, answer: dict) -> None:
        if not isinstance(answer, dict):
            raise TypeError("a cached answer must be a dict")
        entry = {"saved_at": self.clock(), "answer": answer}
        self._live()
        with self._lock:
            assert self._entries is not None
            self._entries[key] = entry
            self._dirty[key] = entry

    def __delitem__(self, key: str) -> None:
        self._live()
        with self._lock:
            assert self._entries is not None
            del self._entries[key]
            self._dirty.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._live())

    def __len__(self) -> int:
        return len(self._live())

    def __repr__(self) -> str:
        return f"QuoteCache({str(self.path)!r}, ttl={self.ttl:g})"

    # ---------------------------------------------------------------- file

    def _read(self) -> dict[str, dict[str, Any]]:
        """The valid entries of the file; nothing when it is missing, corrupt or unsafe."""
        try:
            info = self.path.stat()
            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return {}  # others could have planted prices: do not trust it
            data = json.loads(self.path.read_text(encoding="utf-8"), parse_float=Decimal)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        valid = {}
        for key, entry in entries.items():
            if not (isinstance(key, str) and isinstance(entry, dict)):
                continue
            saved_at, answer = entry.get("saved_at"), entry.get("answer")
            if (
                isinstance(saved_at, (int, float, Decimal))
                and not isinstance(saved_at, bool)
                and isinstance(answer, dict)
            ):
                valid[key] = {"saved_at": float(saved_at), "answer": answer}
        return valid

    def save(self) -> bool:
        """Write the new entries into the file (atomically, ``0600`` in a ``0700`` directory).

        Returns True when written. A failure warns and returns False: the cache only saves
        requests, it never stops a command.
        """
        with self._lock:
            if not self._dirty:
                return True
            dirty = dict(self._dirty)
        try:
            self._write(dirty)
        except OSError as error:
            warnings.warn(
                f"could not write the quote cache {self.path}: {error.strerror or error}",
                stacklevel=2,
            )
            return False
        with self._lock:
            for key in dirty:
                self._dirty.pop(key, None)
        return True

    def _write(self, dirty: dict[str, dict[str, Any]]) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid == os.getuid() and stat.S_IMODE(folder.stat().st_mode) != 0o700:
            os.chmod(folder, 0o700)
        now = self.clock()
        merged = {key: entry for key, entry in self._read().items() if self._fresh(entry, now)}
        merged.update(dirty)
        text = json.dumps(
            {"version": FORMAT_VERSION, "entries": merged},
            default=_plain,
            ensure_ascii=False,
            sort_keys=True,
        )
        handle, temporary = tempfile.mkstemp(prefix=".quotes-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                os.fchmod(stream.fileno(), 0o600)
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise


def _plain(value: object) -> object:
    """JSON for the ``Decimal`` values of a parsed answer (read back as ``Decimal``; money has
    few digits, so the shortest float spelling gives the same value back)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
