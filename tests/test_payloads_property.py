"""Property: what the sandbox decodes from the payloads, over HTTP, is exactly the plan.

For generated plans (texts with ``:`` ``;`` ``|`` ``,``, newlines, backslashes, a literal
``\\n``, emoji, 1000-character texts; several senders; repeated phones with other texts; small
limits that force splitting) every payload is POSTed to the sandbox's ``send.php`` and the
stored messages must be the plan's sendable (phone, text, sender) rows, no more, no fewer.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pandas as pd
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsc_frames.options import Options
from smsc_frames.payloads import CLIENT_PARAMS_MARGIN, payloads
from smsc_frames.sandbox import Account, Sandbox, SandboxSettings
from smsc_frames.segments import normalize_text

PHONES = [f"7916{n:07d}" for n in range(12)]
SENDERS = [None, "Shop", "My Shop-1", "79031234567"]
TRICKY = [":", ";", "|", ",", "\n", "\\", "\\n", "😀", "я", " ", "%", "&", "=", "+", "\u00a0"]

text_pieces = st.one_of(
    st.sampled_from(TRICKY),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
)
texts = st.one_of(
    st.lists(text_pieces, min_size=1, max_size=40).map("".join),
    st.builds(
        lambda c, n: (c * n)[:1000],
        st.sampled_from(["a", "я", "😀", ":\n"]),
        st.integers(900, 1000),
    ),
    st.sampled_from(["Sale today", "Hi\nthere", "C:\\new", "x|y:z"]),
).filter(lambda text: text.strip() != "")

row = st.tuples(st.sampled_from(PHONES), texts, st.sampled_from(SENDERS))


@pytest.fixture(scope="module")
def roomy_sandbox():
    """A sandbox with a big balance and no flood or duplicate windows in the way."""
    settings_ = SandboxSettings(
        duplicate_window=0.0, flood_messages=10**6, seconds_to_operator=0.0, seconds_to_final=0.0
    )
    account = Account("demo", "demo", balance=Decimal("100000000"))
    with Sandbox(accounts=[account], settings=settings_) as sandbox:
        yield sandbox


counter = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, min_size=1, max_size=25),
    max_recipients=st.integers(1, 6),
    small_bytes=st.booleans(),
)
def test_the_sandbox_decodes_exactly_the_plan(roomy_sandbox, rows, max_recipients, small_bytes):
    plan = pd.DataFrame(rows, columns=["phone", "text", "sender"]).astype(object)
    plan["text"] = normalize_text(plan["text"])
    plan["sender"] = plan["sender"].where(plan["sender"].notna(), None)
    plan = plan.drop_duplicates(["phone", "text", "sender"]).assign(parts=1, sendable=True)
    plan.attrs["options"] = Options()
    max_bytes = 13_500 if small_bytes else 262_144  # a 1000-emoji text takes ~12 KB
    campaign = f"prop{next(counter)}"

    requests_ = payloads(
        plan, campaign_id=campaign, max_recipients=max_recipients, max_bytes=max_bytes
    )

    for payload in requests_:
        assert payload.body_bytes + CLIENT_PARAMS_MARGIN <= max_bytes
        answer = requests.post(
            roomy_sandbox.url + "/sys/send.php",
            data={**payload.params, "login": "demo", "psw": "demo", "charset": "utf-8", "fmt": "3"},
            timeout=10,
        ).json()
        assert "error" not in answer, (answer, payload.params)
        assert answer["cnt"] >= len(payload.recipients)
    stored = [m for m in roomy_sandbox.messages() if str(m["id"]).startswith(campaign + "-")]
    got = sorted(((m["phone"], m["text"], m["sender"]) for m in stored), key=repr)
    want = sorted(map(tuple, plan[["phone", "text", "sender"]].itertuples(index=False)), key=repr)
    assert got == want
    ids_and_phones = [(m["id"], m["phone"]) for m in stored]
    assert len(ids_and_phones) == len(set(ids_and_phones))
