"""The pure transition table of smsc_frames.campaign.transitions, row by row; no HTTP.

Each row of the docstring tables of ``after_post`` and ``after_reconcile`` is one case here,
with the exact state, record and stop, so a change to any cell of the table fails a test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from smsc_frames.campaign.transitions import (
    NOT_FOUND,
    Transition,
    after_post,
    after_reconcile,
    lost_detail,
    reconcile_failed,
    reconcile_stopped,
)
from smsc_frames.errors import (
    AuthError,
    IpBlockedError,
    SmscApiError,
    SmscConnectionError,
    SmscTimeoutError,
    api_error,
)
from smsc_frames.records import (
    Accepted,
    Deferred,
    Lost,
    NotFound,
    RecipientStatus,
    Reconciled,
    Refused,
)

ANSWER = {"id": "c-1", "cnt": 2, "cost": "10.90", "balance": "989.10",
          "phones": [{"phone": "79161234567", "status": ""}]}  # fmt: skip
BUSY = "too many concurrent requests"
DUPLICATE = "duplicate request, wait a minute"

# outcome, sandbox, expected state, expected record, expected stop (None or a fragment), fatal
AFTER_POST = [
    pytest.param(ANSWER, True, "accepted", Accepted.from_answer(ANSWER, sandbox=True), None,
                 False, id="answer-sandbox"),
    pytest.param(ANSWER, False, "accepted", Accepted.from_answer(ANSWER, sandbox=False), None,
                 False, id="answer-real"),
    pytest.param({}, False, "accepted", Accepted(None, None, None, None, ()), None, False,
                 id="answer-empty"),
    pytest.param(api_error(9, BUSY), False, "planned", Deferred(BUSY, 9),
                 "SMSC kept refusing: too many concurrent requests", False, id="error9-busy"),
    pytest.param(api_error(9, DUPLICATE), False, "unknown",
                 Lost(f"SMSC error 9: {DUPLICATE}", duplicate=True), None, False,
                 id="error9-duplicate"),
    pytest.param(SmscConnectionError("read timed out", maybe_sent=True), False, "unknown",
                 Lost("read timed out"), None, False, id="transport-maybe-sent"),
    pytest.param(SmscTimeoutError("read timed out", maybe_sent=True), False, "unknown",
                 Lost("read timed out"), None, False, id="timeout-maybe-sent"),
    pytest.param(SmscConnectionError("connection refused", maybe_sent=False), False, "planned",
                 Deferred("connection refused"), "could not reach SMSC (connection refused)",
                 False, id="transport-never-left"),
    pytest.param(api_error(3, "no money"), False, "rejected", Refused(3, "no money"),
                 "insufficient funds", False, id="error3-money"),
    pytest.param(api_error(2, "authorise error"), False, "planned",
                 Deferred("authorise error", 2), "SMSC error 2: authorise error", True,
                 id="error2-credentials"),
    pytest.param(api_error(4, "ip is blocked"), False, "planned", Deferred("ip is blocked", 4),
                 "SMSC error 4: ip is blocked", True, id="error4-ip"),
    *[
        pytest.param(api_error(code, text), False, "rejected", Refused(code, text), None, False,
                     id=f"error{code}-other")
        for code, text in [(1, "parameters error: mes"), (5, "wrong date format"),
                           (6, "message is denied"), (7, "invalid phone"),
                           (8, "cannot deliver"), (17, "an error SMSC added later")]
    ],
]  # fmt: skip


@pytest.mark.parametrize(("outcome", "sandbox", "state", "record", "stop", "fatal"), AFTER_POST)
def test_after_post(outcome, sandbox, state, record, stop, fatal):
    transition = after_post(outcome, sandbox=sandbox)
    assert transition == Transition(state, record, stop, fatal)


def test_after_post_covers_every_api_error_class():
    """No SMSC error code falls through to a state the table does not name."""
    for code in range(1, 12):
        transition = after_post(api_error(code, DUPLICATE if code == 9 else "x"), sandbox=False)
        assert transition.state in {"accepted", "planned", "unknown", "rejected"}
        # only these may be posted again without reconciling: nothing was done on SMSC's side
        if transition.state == "planned":
            assert code in {2, 4, 9}
        assert transition.state != "accepted"


def test_only_a_transport_fault_that_may_have_arrived_becomes_unknown():
    maybe = after_post(SmscConnectionError("lost", maybe_sent=True), sandbox=False)
    never = after_post(SmscConnectionError("lost", maybe_sent=False), sandbox=False)
    assert (maybe.state, maybe.stop, maybe.record.maybe_sent) == ("unknown", None, True)
    assert (never.state, never.fatal) == ("planned", False)


def test_after_post_fatal_is_raised_only_for_credentials_and_ip():
    assert after_post(AuthError(2, "authorise error"), sandbox=False).fatal
    assert after_post(IpBlockedError(4, "ip is blocked"), sandbox=False).fatal
    assert not after_post(SmscApiError(3, "no money"), sandbox=False).fatal


# -- after_reconcile ------------------------------------------------------------------------------

A, B, C = "79161000000", "79161000001", "79161000002"
POSTED = "2026-01-01T10:00:00+00:00"


def status(phone, code, err=0, cost=None, sent_at=None):
    return RecipientStatus(phone, code, err, None if cost is None else Decimal(cost), sent_at)


AFTER_RECONCILE = [
    # some recipient not reported: unknown, the Lost record kept
    pytest.param("unknown", Lost("answer lost"), [A, B], {A: status(A, 1)},
                 Transition("unknown", Lost("answer lost", True, False,
                                            "status.php did not report every recipient")),
                 id="one-missing"),
    pytest.param("in_flight", None, [A, B, C], {},
                 Transition("unknown", Lost(
                     "the run stopped while the request was in flight (no answer recorded)",
                     True, False, "status.php did not report every recipient")),
                 id="none-reported-in-flight"),
    pytest.param("unknown", Lost("x", duplicate=True), [A, B], {B: status(B, NOT_FOUND)},
                 Transition("unknown", Lost("x", True, True,
                                            "status.php did not report every recipient")),
                 id="missing-keeps-duplicate-flag"),
    # every recipient not found: planned again
    pytest.param("unknown", Lost("answer lost"), [A, B, C],
                 {p: status(p, NOT_FOUND) for p in (A, B, C)}, Transition("planned", NotFound()),
                 id="all-not-found"),
    pytest.param("in_flight", None, [A], {A: status(A, NOT_FOUND)},
                 Transition("planned", NotFound()), id="single-not-found"),
    # any recipient found: accepted, every recipient's own status
    pytest.param("unknown", Lost("answer lost"), [A, B, C],
                 {A: status(A, NOT_FOUND), B: status(B, -1), C: status(C, NOT_FOUND)},
                 Transition("accepted", Reconciled(
                     (status(A, NOT_FOUND), status(B, -1), status(C, NOT_FOUND)), POSTED, False)),
                 id="found-only-in-the-middle"),
    pytest.param("unknown", Lost("answer lost"), [A, B],
                 {A: status(A, 22, 249), B: status(B, 1, 0, "5.45", 1767261000)},
                 Transition("accepted", Reconciled(
                     (status(A, 22, 249), status(B, 1, 0, "5.45", 1767261000)), POSTED, False)),
                 id="refused-and-delivered"),
    pytest.param("unknown", Lost("answer lost"), [A, B],
                 {A: status(A, 20, 248), B: status(B, -1)},
                 Transition("accepted", Reconciled(
                     (status(A, 20, 248), status(B, -1)), POSTED, False)),
                 id="undeliverable-found"),
    # posted_at: the journal's stamp, unless SMSC called the post a duplicate
    pytest.param("unknown", Lost("dup", duplicate=True), [A, B],
                 {A: status(A, 1, sent_at=1767261600), B: status(B, 1, sent_at=1767261000)},
                 Transition("accepted", Reconciled(
                     (status(A, 1, sent_at=1767261600), status(B, 1, sent_at=1767261000)),
                     "2026-01-01T09:50:00+00:00", False)),
                 id="duplicate-takes-smsc-earliest-send-time"),
    pytest.param("unknown", Lost("dup", duplicate=True), [A], {A: status(A, 1)},
                 Transition("accepted", Reconciled((status(A, 1),), None, False)),
                 id="duplicate-without-send-time-is-unknown-time"),
]  # fmt: skip


@pytest.mark.parametrize(("state", "record", "recipients", "statuses", "expected"), AFTER_RECONCILE)
def test_after_reconcile(state, record, recipients, statuses, expected):
    assert after_reconcile(state, record, recipients, statuses, posted_at=POSTED,
                           sandbox=False) == expected  # fmt: skip


def test_after_reconcile_sandbox_flag_and_repeated_recipients():
    statuses = {A: status(A, 1), B: status(B, NOT_FOUND)}
    transition = after_reconcile("unknown", None, [A, B, A], statuses, posted_at=None, sandbox=True)
    assert transition == Transition("accepted", Reconciled((status(A, 1), status(B, -3)), None,
                                                           True))  # fmt: skip
    assert transition.record.refused_phones() == {B}


def test_after_reconcile_without_posted_at_falls_back_to_smsc_time():
    statuses = {A: status(A, 1, sent_at=1767261000)}
    transition = after_reconcile("in_flight", None, [A], statuses, posted_at=None, sandbox=False)
    assert transition.record.posted_at == "2026-01-01T09:50:00+00:00"


def test_a_found_request_never_plans_a_repost_and_never_drops_a_recipient():
    """Over every mix of found / not found among three recipients."""
    codes = [NOT_FOUND, -1, 1, 22, 20]
    for a in codes:
        for b in codes:
            for c in codes:
                statuses = {A: status(A, a), B: status(B, b), C: status(C, c)}
                t = after_reconcile("unknown", Lost("x"), [A, B, C], statuses, posted_at=POSTED,
                                    sandbox=False)  # fmt: skip
                if (a, b, c) == (NOT_FOUND,) * 3:
                    assert t == Transition("planned", NotFound())
                else:
                    assert t.state == "accepted" and t.stop is None
                    assert [s.phone for s in t.record.statuses] == [A, B, C]
                    assert [s.status for s in t.record.statuses] == [a, b, c]


@pytest.mark.parametrize(
    ("state", "record", "detail"),
    [
        ("in_flight", None, "the run stopped while the request was in flight (no answer recorded)"),
        ("unknown", None, "answer lost"),
        ("unknown", Deferred("x"), "answer lost"),
        ("in_flight", Lost("kept", duplicate=True), "kept"),
    ],  # fmt: skip
)
def test_lost_detail_and_reconcile_failed(state, record, detail):
    assert lost_detail(state, record).detail == detail
    failed = reconcile_failed(state, record, ValueError("boom"))
    assert failed.state == "unknown" and failed.stop is None and not failed.fatal
    assert failed.record.detail == detail and failed.record.reconcile_error == "boom"
    assert failed.record.maybe_sent is True
    assert failed.record.duplicate == (isinstance(record, Lost) and record.duplicate)


def test_reconcile_stopped_names_the_code():
    assert reconcile_stopped(AuthError(2, "authorise error")) == "SMSC error 2: authorise error"


@pytest.mark.parametrize(
    ("code", "err", "refused"),
    [
        (NOT_FOUND, 0, True),
        (22, 249, True),
        (23, 254, True),
        (23, 251, True),
        (24, 0, True),
        (20, 248, True),
        (25, 252, True),
        (20, 1, False),
        (25, 6, False),
        (3, 6, False),
        (-1, 0, False),
        (0, 0, False),
        (1, 0, False),
        (1, None, False),
    ],  # fmt: skip
)
def test_which_reported_statuses_mean_not_sent(code, err, refused):
    """SMSC's own refusals (no trace, wrong number, forbidden, 248-254) are not sent; a number
    that was sent and then failed to deliver (20 / 1, 25 / 6, 3 / 6) was sent."""
    record = Reconciled((status(A, code, err), status(B, 1)), POSTED)
    assert status(A, code, err).refused is refused
    assert record.refused_phones() == ({A} if refused else set())
