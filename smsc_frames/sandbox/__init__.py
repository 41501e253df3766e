"""An SMSC-compatible sandbox server for demos and tests (never imports the client side).

``docs/sandbox.md`` documents the price table, magic numbers, settings and fault injection.

Examples
--------
>>> from smsc_frames.sandbox import Sandbox
>>> with Sandbox() as sandbox:
...     sandbox.balance("demo")
Decimal('1000.00')
"""

from smsc_frames.sandbox.handlers import MAGIC_FINAL, MAGIC_UNDELIVERABLE
from smsc_frames.sandbox.server import FAULTS, Sandbox, serve
from smsc_frames.sandbox.settings import READINGS, Account, Reading, SandboxSettings

__all__ = [
    "FAULTS",
    "MAGIC_FINAL",
    "MAGIC_UNDELIVERABLE",
    "READINGS",
    "Account",
    "Reading",
    "Sandbox",
    "SandboxSettings",
    "serve",
]
