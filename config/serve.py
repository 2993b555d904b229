"""`make run`: bring the database up to date, load the reference and demo data, then
serve the app and run the background-task worker until Ctrl-C.

Started by the Makefile inside `python -m config.localdb -- ...`, which owns the
embedded PostgreSQL and stops it when this returns.
"""

import os
import signal
import subprocess
import sys
import time

import django
from django.core.management import call_command


def prepare() -> None:
    """Migrate and load the 2021 divisions and the demo data (both idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_divisions")
    call_command("load_demo")


def serve(port: str) -> int:
    manage = [sys.executable, "manage.py"]
    children = [
        subprocess.Popen([*manage, "db_worker", "--no-reload"]),
        subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]),
    ]

    def stop(_signum=None, _frame=None):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"\n  http://127.0.0.1:{port}/  (Ctrl-C to stop; demo accounts in README.md)\n", flush=True)
    try:
        # When either one ends, end the other: a server without its worker is half a product.
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return max(child.returncode or 0 for child in children)


if __name__ == "__main__":
    prepare()
    sys.exit(serve(os.environ.get("PORT", "8000")))
