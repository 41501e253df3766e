"""Tests that kill mutants of the code placing recipients in requests (docs/mutation.md).

Each test names what a surviving mutant did: a recipient put in no request, in two, or under
another text or sender. Small examples, so ``scripts/mutation.sh payloads`` stays fast.
"""

from __future__ import annotations

import urllib.parse

import pandas as pd
from test_payloads import make_plan

from smsc_frames.errors import ValidationError
from smsc_frames.payloads import CLIENT_PARAMS_MARGIN, decode_params, payloads


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


def test_every_byte_limit_is_kept_exactly():
    """The limit is lowered to one byte under the biggest body each time, down to where one
    line no longer fits: every body fits every limit. An undercount of one byte anywhere
    (text, sender prefix, id, line overhead) packs that biggest body again, over the limit,
    and SMSC would refuse the request."""
    rows = [
        (f"79160000{n:03d}", f"Скидка {n % 3}%: код A{n % 3}!", "Shop" if n % 4 else None)
        for n in range(30)
    ]
    plan = make_plan(rows)
    max_bytes, limits = CLIENT_PARAMS_MARGIN + 4000, 0
    while True:
        try:
            requests = payloads(plan, campaign_id="c", max_bytes=max_bytes)
        except ValidationError as error:  # one line alone no longer fits
            assert error.parameter == "max_bytes"
            break
        limits += 1
        assert carried(requests) == sorted(rows, key=repr)
        for request in requests:
            assert request.body_bytes == len(urllib.parse.urlencode(request.params))
            assert request.body_bytes + CLIENT_PARAMS_MARGIN <= max_bytes
        max_bytes = max(request.body_bytes for request in requests) + CLIENT_PARAMS_MARGIN - 1
    assert limits > 10


def test_an_hlr_request_carries_no_text():
    """The page: ``mes`` is not used for HLR/ping; the one-text form must not send one."""
    from smsc_frames.plan import prepare

    contacts = pd.DataFrame({"phone": ["+7 916 123-45-67", "+7 903 765-43-21"]})
    [request] = payloads(prepare(contacts, phone="phone", hlr=1), campaign_id="c")
    assert request.params["hlr"] == "1" and "mes" not in request.params
    assert request.body_bytes == len(urllib.parse.urlencode(request.params))
