"""How long a tick may go on posting what it claimed: the lease that keeps it from posting beside an instance
that took its claims over (the tick itself is exercised in test_reminders_at_scale.py)."""

from datetime import UTC, datetime, timedelta

from handlers.reminders import Lease

CLAIMED = datetime(2026, 6, 17, 9, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=5)
KEYS = {"1|deadline-7|2026-06-24T23:59:59+00:00|C1", "2|deadline-7|2026-06-24T23:59:59+00:00|C2"}


class Clock:
    def __init__(self) -> None:
        self.now = CLAIMED

    def __call__(self) -> datetime:
        return self.now


def test_claims_are_posted_for_two_thirds_of_the_timeout_and_not_after():
    clock = Clock()
    lease = Lease(clock, CLAIMED, TIMEOUT)
    clock.now = CLAIMED + timedelta(minutes=3, seconds=19)
    assert all(lease.holds(key) for key in KEYS)
    clock.now = CLAIMED + timedelta(minutes=3, seconds=20)
    assert not any(lease.holds(key) for key in KEYS)


def test_a_renewal_in_time_holds_every_claim_for_another_two_thirds_of_the_timeout():
    clock = Clock()
    lease = Lease(clock, CLAIMED, TIMEOUT)
    clock.now = CLAIMED + timedelta(minutes=4, seconds=59)
    lease.renewed(clock.now, set())  # the renewal found none: all were posted and recorded meanwhile
    clock.now += timedelta(minutes=3)
    assert all(lease.holds(key) for key in KEYS)


def test_a_late_renewal_holds_only_the_claims_it_found_still_ours():
    clock = Clock()
    lease = Lease(clock, CLAIMED, TIMEOUT)
    clock.now = CLAIMED + TIMEOUT  # another instance may have taken any claim over by now
    ours, taken = sorted(KEYS)
    lease.renewed(clock.now, {ours})
    assert lease.holds(ours) and not lease.holds(taken)
    clock.now += timedelta(minutes=3, seconds=19)
    assert lease.holds(ours) and not lease.holds(taken)
    clock.now += timedelta(seconds=1)
    assert not lease.holds(ours)
