"""The benchmarks' sandbox, in a process of its own (SMSC is another machine, not a thread).

:func:`sandbox_process` starts ``python benchmarks/childsandbox.py SETTINGS`` with one account
(:data:`LOGIN` / :data:`PASSWORD`, a balance no benchmark exhausts), reads the URL it prints,
and stops it by closing its stdin. :func:`sandbox_child` also gives the process and a way to
ask it what it stored (:meth:`ChildSandbox.stored`: a line ``stored`` on its stdin).

Example::

    with sandbox_process(seconds_to_final=0) as url:
        client = Client(LOGIN, PASSWORD, url=url, environ={})
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

LOGIN, PASSWORD = "bench", "bench-password"
BALANCE = Decimal(10**9)


@dataclass
class ChildSandbox:
    """A running child sandbox: its URL and process."""

    url: str
    process: subprocess.Popen[str]

    def stored(self) -> dict[str, float]:
        """What the sandbox stored: messages, distinct numbers, its RSS now and at peak (MiB)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stored\n")
        self.process.stdin.flush()
        answer: dict[str, float] = json.loads(self.process.stdout.readline())
        return answer


@contextmanager
def sandbox_child(**settings: object) -> Iterator[ChildSandbox]:
    """A sandbox in a child process with ``SandboxSettings(**settings)``."""
    server = subprocess.Popen(
        [sys.executable, __file__, json.dumps(settings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        print(f"sandbox (child process {server.pid}) at {url}")
        yield ChildSandbox(url, server)
    finally:
        server.stdin.close()
        server.wait(timeout=120)


@contextmanager
def sandbox_process(**settings: object) -> Iterator[str]:
    """A sandbox in a child process with ``SandboxSettings(**settings)``; yields its URL."""
    with sandbox_child(**settings) as child:
        yield child.url


def memory_mib(field: str, pid: str = "self") -> float:
    """``VmRSS`` / ``VmHWM`` (peak) of a process, in MiB, from ``/proc/<pid>/status``."""
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _stored(sandbox: object) -> dict[str, float]:
    import numpy as np

    state = sandbox.state  # type: ignore[attr-defined]
    with state.lock:
        numbers = [batch.stored_numbers() for batch in state.outbox(LOGIN).batches]
    every = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.int64)
    return {"messages": len(every), "distinct": len(np.unique(every)),
            "rss_mib": memory_mib("VmRSS"), "peak_mib": memory_mib("VmHWM")}  # fmt: skip


def _serve(settings: str) -> None:
    """Child process: run the sandbox, print its URL, serve until stdin closes."""
    from smsc_frames.sandbox import Account, Sandbox, SandboxSettings

    account = Account(LOGIN, PASSWORD, balance=BALANCE)
    with Sandbox(accounts=[account], settings=SandboxSettings(**json.loads(settings))) as sandbox:
        print(sandbox.url, flush=True)
        for line in sys.stdin:
            if line.strip() == "stored":
                print(json.dumps(_stored(sandbox)), flush=True)


if __name__ == "__main__":
    _serve(sys.argv[1])
