"""A plan's send options travel explicitly or with the plan, and are never silently dropped.

pandas drops ``DataFrame.attrs`` on merge and join (and on concat of frames whose attrs
differ): a scheduled campaign (``time=``) or a capped one (``maxsms=``) must then be refused
before any request, never sent at once without its options.
"""

from __future__ import annotations

import io
import pickle
import warnings

import pandas as pd
import pytest

from smsc_frames.campaign import estimate, send
from smsc_frames.client import Client
from smsc_frames.errors import ValidationError
from smsc_frames.options import Options
from smsc_frames.payloads import payloads
from smsc_frames.plan import prepare
from smsc_frames.planoptions import plan_options

CONTACTS = pd.DataFrame(
    {"phone": ["+7 916 123-45-67", "+7 903 765-43-21"], "name": ["Anna", "Boris"]},
    index=["a", "b"],
)
EXTRA = pd.DataFrame({"segment": ["vip", "new"]}, index=["a", "b"])


def scheduled_plan() -> pd.DataFrame:
    return prepare(CONTACTS, phone="phone", template="Hi {name}", time="+60", maxsms=1)


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs = {}
    return frame


LOSING_ATTRS = {
    "merge": lambda plan: plan.merge(EXTRA, left_index=True, right_index=True),
    "join": lambda plan: plan.join(EXTRA),
    "concat with a frame without attrs": lambda plan: pd.concat(
        [plan.iloc[:1], without_attrs(plan.iloc[1:])]
    ),
}


def parquet_round_trip(plan: pd.DataFrame) -> pd.DataFrame:
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # pandas calls the fastparquet engine deprecated
        warnings.simplefilter("ignore")
        plan.to_parquet(buffer, engine="fastparquet")
        return pd.read_parquet(io.BytesIO(buffer.getvalue()), engine="fastparquet")


KEEPING_ATTRS = {
    "copy": lambda plan: plan.copy(),
    "pickle": lambda plan: pickle.loads(pickle.dumps(plan)),
    "parquet": parquet_round_trip,
    "concat of plans": lambda plan: pd.concat([plan.iloc[:1], plan.iloc[1:]]),
    "filter": lambda plan: plan[plan["sendable"]],
}


@pytest.mark.parametrize("change", LOSING_ATTRS.values(), ids=LOSING_ATTRS.keys())
def test_a_plan_that_lost_its_options_is_refused_before_any_request(sandbox, change):
    plan = change(scheduled_plan())
    client = Client("demo", "demo", url=sandbox.url, environ={})
    for action in (
        lambda: payloads(plan),
        lambda: estimate(plan, client),
        lambda: send(plan, client, progress=False),
    ):
        with pytest.raises(ValidationError, match="merge, join and concat") as caught:
            action()
        assert caught.value.parameter == "options"
    assert sandbox.requests == []  # nothing reached the server
    assert sandbox.messages() == []


@pytest.mark.parametrize("change", LOSING_ATTRS.values(), ids=LOSING_ATTRS.keys())
def test_passing_the_options_sends_the_merged_plan_as_scheduled(sandbox, change):
    original = scheduled_plan()
    plan = change(original)
    client = Client("demo", "demo", url=sandbox.url, environ={})
    results = send(plan, client, options=plan_options(original), progress=False)
    assert results["outcome"].astype(str).tolist() == ["sent", "sent"]
    [post] = [r for r in sandbox.requests if r.endpoint == "send.php"]
    assert (post.params["time"], post.params["maxsms"]) == ("+60", "1")


@pytest.mark.parametrize("change", KEEPING_ATTRS.values(), ids=KEEPING_ATTRS.keys())
def test_operations_that_keep_attrs_keep_the_options(change):
    [request] = payloads(change(scheduled_plan()))
    assert (request.params["time"], request.params["maxsms"]) == ("+60", "1")


def test_options_must_be_options():
    with pytest.raises(ValidationError, match="must be a smsc_frames.Options"):
        payloads(scheduled_plan(), {"time": "+60"})  # type: ignore[arg-type]


def test_explicit_options_win_over_the_plans_own():
    [request] = payloads(scheduled_plan(), Options(valid="01:00"))
    assert "time" not in request.params and request.params["valid"] == "01:00"
