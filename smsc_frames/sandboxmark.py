"""How results say that the sandbox, not SMSC, answered them.

``attrs["sandbox"]`` says it while the frame lives, but pandas drops ``attrs`` in a ``join``
with another frame and no file format keeps them. The ``reason`` of every row the sandbox
answered starts with :data:`SANDBOX_REASON`, and that column survives both.
"""

from __future__ import annotations

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
    """Whether the sandbox answered *results*: their ``attrs``, else their rows' reasons.

    Examples
    --------
    >>> sent = pd.DataFrame({"reason": [None, "sandbox: accepted, no real SMS was sent"]})
    >>> from_sandbox(sent), from_sandbox(sent.iloc[:1])
    (True, False)
    """
    if results.attrs.get("sandbox"):
        return True
    if "reason" not in results.columns:
        return False
    reasons = results["reason"].dropna().astype("str")
    return bool(reasons.str.startswith(SANDBOX_REASON).any())
