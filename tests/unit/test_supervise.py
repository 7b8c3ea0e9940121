"""The supervisor's back-off: how long to wait before starting a dead child, and when to stop."""

from loket.supervise import restart_delay


def test_the_delay_doubles_with_each_recent_death_up_to_thirty_seconds() -> None:
    delays = [
        restart_delay([float(moment) for moment in range(deaths)], now=10, limit=99, window=60)
        for deaths in range(1, 9)
    ]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_deaths_outside_the_window_are_forgotten() -> None:
    assert restart_delay([0, 1, 2, 100], now=100, limit=3, window=60) == 1


def test_the_limit_of_deaths_within_the_window_means_give_up() -> None:
    assert restart_delay([50, 90, 100], now=100, limit=3, window=60) is None
    assert restart_delay([50, 90], now=100, limit=3, window=60) == 2
