"""How long the follower waits between looks at the chain (api/runtime.follower_wait_s)."""

from api.runtime import AFTER_SEND_POLL_S, follower_wait_s
from api.settings import Settings


def settings(**kw) -> Settings:
    return Settings(_env_file=None, **kw)


def test_idle_when_nothing_of_ours_is_pending():
    s = settings(poll_interval_s=0.05, idle_poll_s=1.0)
    assert follower_wait_s(s, 0, 0.0) == 1.0
    assert follower_wait_s(s, 0, float("inf")) == 1.0


def test_quicker_just_after_a_send_then_the_usual_poll():
    s = settings(poll_interval_s=0.05, idle_poll_s=1.0)
    assert follower_wait_s(s, 3, 0.002) == AFTER_SEND_POLL_S < 0.05
    assert follower_wait_s(s, 3, 0.06) == 0.05
    assert follower_wait_s(s, 3, float("inf")) == 0.05  # accepted, nothing sent yet


def test_never_slower_than_the_configured_poll():
    s = settings(poll_interval_s=0.005, idle_poll_s=1.0)
    assert follower_wait_s(s, 1, 0.001) == 0.005
