"""How fast this machine's CPU is right now, for reading a timing beside it.

On a shared machine the same work does not cost the same CPU from one minute to the next (on the
2-core development machine, idle, this loop took 134–227 ms of CPU in runs minutes apart:
docs/benchmarks.md, "Fourth round"), so `make load` and `scripts/profile_visit.py` print this
figure before and after they measure.
"""

import statistics
import time

LOOP = 3_000_000  # about 0.3 s of one core on the development machine at its fastest


def loop_ms(rounds: int = 3) -> float:
    """The median CPU time, in ms, of a fixed pure-Python loop (the interpreter's own work, no I/O)."""
    spent = []
    for _ in range(rounds):
        started = time.process_time()
        total = 0
        for number in range(LOOP):
            total += number * number
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)
