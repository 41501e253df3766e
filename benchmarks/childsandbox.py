"""The benchmarks' sandbox, in a process of its own (SMSC is another machine, not a thread).

:func:`sandbox_process` starts ``python benchmarks/childsandbox.py SETTINGS`` with one account
(:data:`LOGIN` / :data:`PASSWORD`, a balance no benchmark exhausts), reads the URL it prints,
and stops it by closing its stdin.

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
from decimal import Decimal

LOGIN, PASSWORD = "bench", "bench-password"
BALANCE = Decimal(10**9)


@contextmanager
def sandbox_process(**settings: object) -> Iterator[str]:
    """A sandbox in a child process with ``SandboxSettings(**settings)``; yields its URL."""
    server = subprocess.Popen(
        [sys.executable, __file__, json.dumps(settings)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        print(f"sandbox (child process) at {url}")
        yield url
    finally:
        server.stdin.close()
        server.wait(timeout=120)


def _serve(settings: str) -> None:
    """Child process: run the sandbox, print its URL, serve until stdin closes."""
    from smsc_frames.sandbox import Account, Sandbox, SandboxSettings

    account = Account(LOGIN, PASSWORD, balance=BALANCE)
    with Sandbox(accounts=[account], settings=SandboxSettings(**json.loads(settings))) as sandbox:
        print(sandbox.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    _serve(sys.argv[1])
