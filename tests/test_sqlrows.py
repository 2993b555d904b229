"""`config.sqlrows.SqlRows`, the lists PostgreSQL counts and slices for a Paginator (a visit's
changes, a report's short list and snapshot rows; their own tests read real databases): what
a window asks of `rows`, and when the count is read."""

import pytest
from django.core.paginator import Paginator

from config.sqlrows import SqlRows


class Listed(SqlRows):
    """Twelve numbers, and what was asked of them."""

    def __init__(self, count=None):
        super().__init__(count)
        self.asked, self.counts = [], 0

    def counted(self):
        self.counts += 1
        return 12

    def rows(self, offset, limit):
        self.asked.append((offset, limit))
        return list(range(12))[offset:None if limit is None else offset + limit]


def test_a_page_is_one_window_and_the_count_is_read_once():
    rows = Listed()
    page = Paginator(rows, 5).page(3)
    assert list(page) == [10, 11]
    assert rows.asked == [(10, 2)]  # the Paginator counted first: its window past the end is cut
    assert rows.counts == 1
    assert len(rows) == 12 and rows.counts == 1


def test_a_given_count_is_not_read_and_bounds_the_window():
    rows = Listed(count=12)
    assert rows[10:20] == [10, 11]
    assert rows[12:] == [] and rows[5:5] == []
    assert rows[:] == list(range(12))
    assert rows.asked == [(10, 2), (0, 12)]  # nothing asked for an empty window
    assert rows.counts == 0


def test_without_a_count_an_open_window_reads_to_the_end():
    rows = Listed()
    assert rows[3:] == list(range(3, 12))
    assert rows.asked == [(3, None)] and rows.counts == 0


@pytest.mark.parametrize("window", [3, slice(0, 6, 2)])
def test_an_index_or_a_step_is_refused(window):
    with pytest.raises(TypeError):
        Listed()[window]


def test_a_list_that_does_not_say_how_to_read_its_rows_is_refused_when_made():
    class CountOnly(SqlRows):
        def counted(self):
            return 12

    with pytest.raises(TypeError, match="rows"):
        CountOnly()
