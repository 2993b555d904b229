"""`make load` briefly: scripts/load.py starts `make run`'s server (gunicorn, DEBUG off) over a
throwaway database of its own, five simulated inspectors sign in and, for five seconds, open
their route sheet and visit and save answers through the phone's API — with no error."""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^load: clients=(\d+) requests=(\d+) errors=(\d+) p50_ms=(\d+) p95_ms=(\d+) rps=([\d.]+)$",
                  re.MULTILINE)


def load_databases() -> list[str]:
    with psycopg.connect(os.environ["DATABASE_URL"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'pccovid_load_%'")
        return [name for (name,) in cursor.fetchall()]


def test_the_load_script_runs_simulated_inspectors_against_the_served_app_without_errors():
    before = load_databases()

    result = subprocess.run([sys.executable, "scripts/load.py", "--clients", "5", "--seconds", "5", "--think", "1"],
                            cwd=BASE_DIR, capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, result.stdout + result.stderr
    clients, requests, errors, p50, p95, _rps = LINE.search(result.stdout).groups()
    assert (int(clients), int(errors)) == (5, 0)
    # Each client acts every second for five seconds (the first at a random moment of the first).
    assert 20 <= int(requests) <= 30
    assert 0 < int(p50) <= int(p95)
    assert load_databases() == before  # its throwaway database is dropped
    # The machine's speed beside the times: a fixed loop's CPU before and after the run (scripts/calibrate.py).
    before_ms, after_ms = re.search(r"^load: machine: a fixed loop took (\d+) ms of CPU before the run, (\d+) ms after",
                                    result.stdout, re.MULTILINE).groups()
    assert int(before_ms) > 0 and int(after_ms) > 0
