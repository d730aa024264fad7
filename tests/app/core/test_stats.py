import pytest

from app.core.stats import percentile


@pytest.mark.parametrize("values, fraction, expected", [
    ([7.0], 0.95, 7.0),
    ([1.0, 2.0], 0.5, 1.5),
    ([10.0, 20.0, 30.0, 40.0], 0.95, 38.5),
    ([1, 2, 3, 4], 0.5, 2.5),
    (list(range(1, 101)), 0.95, 95.05),
])
def test_percentile_interpolates_between_ranks(values, fraction, expected):
    assert percentile(values, fraction) == pytest.approx(expected)


def test_percentile_of_nothing_is_none():
    assert percentile([], 0.5) is None
