"""How results say that the sandbox, not SMSC, answered them.

``attrs["sandbox"]`` says it while the frame lives, but pandas drops ``attrs`` in a ``join``
with another frame and no file format keeps them. The ``reason`` of every row the sandbox
answered starts with :data:`SANDBOX_REASON`, and that column survives both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SANDBOX_REASON = "sandbox: "
"""How the reason of every row the sandbox answered starts."""


def server_name(sandbox: bool | None, *, first: bool = False) -> str:
    """Who answered, as a warning names it: ``"the sandbox"`` or ``"SMSC"``; *first* in a
    sentence, ``"The sandbox"`` (``"SMSC"`` stays as it is).

    Examples
    --------
    >>> f"{server_name(True)} would refuse it", server_name(False, first=True)
    ('the sandbox would refuse it', 'SMSC')
    """
    if not sandbox:
        return "SMSC"
    return "The sandbox" if first else "the sandbox"


def from_sandbox(results: pd.DataFrame) -> bool:
    """Whether the sandbox answered *results* (or some of them): their ``attrs``, else their
    rows' reasons.

    Examples
    --------
    >>> sent = pd.DataFrame({"reason": [None, "sandbox: accepted, no real SMS was sent"]})
    >>> from_sandbox(sent), from_sandbox(sent.iloc[:1])
    (True, False)
    """
    return bool(results.attrs.get("sandbox")) or bool(_marked(results).any())


def sandbox_note(results: pd.DataFrame) -> str:
    """What a summary's ``SANDBOX`` row says: nothing was real or, for rows of the sandbox and
    of SMSC put together (a rehearsal concatenated with the real campaign), which ones.

    Examples
    --------
    >>> both = pd.DataFrame({"outcome": ["sent", "sent"],
    ...                      "reason": ["sandbox: accepted, no real SMS was sent", None]})
    >>> sandbox_note(both)
    '1 row came from the sandbox: it reached no real phone and cost no real money'
    >>> sandbox_note(both.iloc[:1])
    'nothing here reached a real phone or cost real money'
    """
    marked = _marked(results)
    real = ~marked
    if "outcome" in results.columns:
        real &= results["outcome"].astype(object).eq("sent").to_numpy()
    if results.attrs.get("sandbox") or "outcome" not in results.columns or not real.any():
        return "nothing here reached a real phone or cost real money"
    count = int(marked.sum())
    rows, verb = ("1 row", "it") if count == 1 else (f"{count:,} rows", "they")
    return f"{rows} came from the sandbox: {verb} reached no real phone and cost no real money"


def _marked(results: pd.DataFrame) -> np.ndarray:
    """Which rows have a reason the sandbox wrote."""
    if "reason" not in results.columns:
        return np.zeros(len(results), dtype=bool)
    reasons = results["reason"].astype(object).where(results["reason"].notna(), "")
    return reasons.astype("str").str.startswith(SANDBOX_REASON).to_numpy()
