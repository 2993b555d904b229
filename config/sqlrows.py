"""Rows that PostgreSQL counts and slices, for Django's Paginator or a plain slice.

A Paginator asks its list for `count()` once, then for one slice. A list built in Python
(a visit's whole history, a report's whole snapshot) would be read whole for either; a
`SqlRows` reads the count by one query (or is given it), and a slice by one query of its
rows (OFFSET/LIMIT), so a page costs its rows whatever the list's length.

A subclass says how to count (`counted`) and how to read a window (`rows`).
"""

from abc import ABC, abstractmethod


class SqlRows(ABC):
    def __init__(self, count: int | None = None):
        self._count = count

    @abstractmethod
    def counted(self) -> int:
        """The list's length, by one query."""

    @abstractmethod
    def rows(self, offset: int, limit: int | None) -> list:
        """The rows from `offset`, at most `limit` of them (all the rest when None), by one query."""

    def count(self) -> int:
        if self._count is None:
            self._count = self.counted()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("SqlRows are read by slices without a step")
        start, stop = window.start or 0, window.stop
        if self._count is not None:
            stop = self._count if stop is None else min(stop, self._count)
        if stop is not None and stop <= start:
            return []
        return self.rows(start, None if stop is None else stop - start)
