"""A ``list=`` request's params are written when read: the same strings every time, equal
to and pickled as a plain dict, and no request keeps its ``list`` string."""

from __future__ import annotations

import pickle
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from smsc_frames.options import Options
from smsc_frames.payloads import decode_params, payloads
from smsc_frames.wireformat import ListParams


def tricky_plan() -> pd.DataFrame:
    """Senders, newlines, a literal backslash-n (plain), emoji, repeated phones (layers)."""
    rows = []
    for n in range(60):
        phone = f"7916{n % 23:07d}"  # repeated phones: other texts go to later layers
        text = ["Sale", "Hi\nthere", "C:\\new", "😀 x|y:z", f"code {n % 7}"][n % 5]
        rows.append((phone, text, [None, "Shop", "Bar"][n % 3]))
    plan = pd.DataFrame(rows, columns=["phone", "text", "sender"]).astype(object)
    plan = plan.drop_duplicates().assign(parts=1, sendable=True)
    plan.attrs["options"] = Options(translit=1)
    return plan


def test_list_params_are_the_same_strings_every_time_and_a_plain_dict_when_pickled():
    plan = tricky_plan()
    requests = payloads(plan, max_recipients=7, max_bytes=1200)
    lazy = [r for r in requests if isinstance(r.params, ListParams)]
    assert len(lazy) >= 3  # the plan packs into several list= requests
    for request in requests:
        params = request.params
        plain = dict(params)
        assert params == plain and plain == params
        assert list(params) == list(plain) and list(plain)[-1] in ("list", "mes")
        assert params["id"] == request.id and params["translit"] == "1"
        assert request.body_bytes == len(urllib.parse.urlencode(params))
        copy = pickle.loads(pickle.dumps(request))
        assert copy == request and type(copy.params) is dict and copy.params == plain
    for request in lazy:
        first = request.params["list"]
        assert request.params["list"] == first and request.params["list"] is not first
        assert "list" in request.params and "mes" not in request.params
        assert len(request.params) == len(dict(request.params))
    with ThreadPoolExecutor(4) as pool:  # the dispatcher reads them from threads
        again = list(pool.map(lambda r: dict(r.params), requests * 5))
    assert again == [dict(r.params) for r in requests] * 5
    decoded = pd.concat([decode_params(r.params) for r in requests])
    assert len(decoded) == len(plan)


def test_rebuilt_payloads_equal_the_first_ones():
    plan = tricky_plan()
    first = payloads(plan, max_recipients=5, max_bytes=1000)
    again = payloads(plan.sample(frac=1, random_state=3), max_recipients=5, max_bytes=1000)
    assert [(r.id, r.digest, dict(r.params), r.body_bytes) for r in first] == [
        (r.id, r.digest, dict(r.params), r.body_bytes) for r in again
    ]
