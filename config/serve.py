"""`make run`: serve the demo the way production runs (README, "Deployment") — gunicorn
serving config.wsgi with WhiteNoise, DEBUG off, the background-task worker beside it —
on http://127.0.0.1:PORT until Ctrl-C.

Started by the Makefile inside `python -m config.localdb -- ...`, which owns the
embedded PostgreSQL and stops it when this returns. The checkout's `.env` says DEBUG=1
for `manage.py` commands; the environment set here wins over it (settings.read_env_file).
"""

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import django
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent
# What the last collectstatic collected (beside the Makefile's other stamps, git-ignored).
STATIC_STAMP = BASE_DIR / ".make" / "collectstatic"
IGNORED = ["CVS", ".*", "*~"]  # collectstatic's default ignore patterns
# The demo's own secret key, made on the first run and kept (git-ignored), so that
# sessions survive a restart of `make run`; production sets SECRET_KEY itself.
SECRET_KEY_FILE = BASE_DIR / ".demo-secret-key"


def demo_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def demo_environment(secret_key_file: Path = SECRET_KEY_FILE) -> dict[str, str]:
    """Production's settings, except that the demo is plain HTTP on this machine only
    (LOCAL_HTTP: no HTTPS redirect, cookies without the Secure flag)."""
    return {
        "DEBUG": "0",
        "LOCAL_HTTP": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": demo_secret_key(secret_key_file),
        "DEMO_MODE": "1",
    }


def commands(port: str) -> list[list[str]]:
    """The two processes of the demo: the task worker and the app server."""
    return [
        [sys.executable, "manage.py", "db_worker"],
        # Three workers of two threads: the progress bars poll while a document is drawn, and at
        # 100 phones fewer threads per process wait less on each other's turn at the interpreter
        # (docs/benchmarks.md, "Third round": p95 181-529 ms against 516-3,000 ms for two of four).
        # No control socket: its default, ~/.gunicorn/gunicorn.ctl, is one per user, and two
        # checkouts on one machine would fight over it.
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--threads", "2", "--graceful-timeout", "5", "--access-logfile", "-",
         "--no-control-socket"],
    ]


def static_sources() -> str:
    """A fingerprint of every file collectstatic would collect: name, size, time."""
    digest = hashlib.sha256()
    found = sorted((path, storage.path(path)) for finder in get_finders() for path, storage in finder.list(IGNORED))
    for path, full_path in found:
        stat = os.stat(full_path)
        digest.update(f"{path}\0{full_path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """The hashed and compressed static files that WhiteNoise serves without DEBUG. Each
    collectstatic compresses every file again (25 s on the 2-core development machine),
    so it runs only when a source changed or the manifest is missing."""
    fingerprint = static_sources()
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and STATIC_STAMP.exists() and STATIC_STAMP.read_text(encoding="utf-8") == fingerprint:
        return
    print("Collecting the static files…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    STATIC_STAMP.parent.mkdir(exist_ok=True)
    STATIC_STAMP.write_text(fingerprint, encoding="utf-8")


def prepare() -> None:
    """Migrate, load the 2021 divisions and the demo data (both idempotent), collect the
    static files."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_divisions")
    call_command("load_demo")
    collect_static()


def serve(port: str) -> int:
    # Each child in its own process group: Ctrl-C reaches only this process, which asks
    # each child once to stop. A second signal would make the worker abandon its task.
    children = [subprocess.Popen(command, cwd=BASE_DIR, process_group=0) for command in commands(port)]
    stopping = False

    def stop(_signum=None, _frame=None):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

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
                child.wait()
    return max(child.returncode or 0 for child in children)


if __name__ == "__main__":
    os.environ.update(demo_environment())
    prepare()
    sys.exit(serve(os.environ.get("PORT", "8000")))
