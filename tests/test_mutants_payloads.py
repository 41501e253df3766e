"""Tests that kill mutants of the code placing recipients in requests (docs/mutation.md).

Each test names what a surviving mutant did: a recipient put in no request, in two, or under
another text or sender. Small examples, so ``scripts/mutation.sh payloads`` stays fast.
"""

from __future__ import annotations

import pandas as pd
from test_payloads import make_plan

from smsc_frames.payloads import decode_params, payloads


def carried(requests) -> list[tuple]:
    """Every (phone, text, sender) the requests carry, decoded, in a stable order."""
    frames = [decode_params(request.params) for request in requests]
    return sorted(map(tuple, pd.concat(frames).itertuples(index=False)), key=repr)


def test_repeated_phones_under_tight_limits_each_go_once_under_their_own_text():
    rows = [(f"7916000000{n % 4}", f"text {n % 3}", None if n % 2 else "Shop") for n in range(12)]
    requests = payloads(make_plan(rows), campaign_id="c", max_recipients=2)
    assert carried(requests) == sorted(rows, key=repr)
    for request in requests:
        assert len(request.recipients) == len(set(request.recipients)) <= 2
        decoded = decode_params(request.params)
        assert list(dict.fromkeys(decoded["phone"])) == list(request.recipients)
    assert [request.id for request in requests] == [f"c-{n}" for n in range(1, len(requests) + 1)]
