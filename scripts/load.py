"""`make load`: simulated inspectors on their phones against the production-like server.

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/load.py [--clients 100] [--seconds 60] [--think 2]
    .venv/bin/python scripts/load.py --url http://127.0.0.1:8000 ...   # a server already running (`make run`)

Without --url it starts the server `make run` starts (config/serve.py: gunicorn config.wsgi, 3 workers ×
2 threads, WhiteNoise, DEBUG off, the task worker beside it) on a free loopback port, over a throwaway
database of its own (created on the PostgreSQL of DATABASE_URL, migrated, the divisions and the demo
loaded, dropped at the end) and a throwaway media folder, so the demo's data stay as they are. With --url
it talks to that server, and starts a visit of each demo inspector that has none in progress (the demo's
data change as an inspector's would).

Each client signs in (as thanhtra1, thanhtra2, totruong in turn: README, "Demo accounts"; untimed),
then every --think seconds (the first one at a random moment of the first period) makes one request
as the phone does: its route sheet (the itinerary page), a visit page, or an answer saved through the
API the phone's outbox uses (POST /api/visits/ID/answers, JSON, an Idempotency-Key, the CSRF token,
X-Visit-Status as the page showed it: static/js/outbox.js, api/writes.py) — in the turn route sheet,
visit, answer, visit, answer. Only loopback addresses are accepted. Prints

    load: clients=N requests=R errors=E p50_ms=… p95_ms=… rps=…

after a line saying how long a fixed loop took this machine's CPU before and after the run
(scripts/calibrate.py), the figure to read the times beside.

An error is a request that failed, timed out (30 s) or answered anything but 200 (an answer refused is an
error too). Exit status 0 only with no errors and at least one request per client.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

from calibrate import loop_ms

BASE_DIR = Path(__file__).resolve().parent.parent
USERS = ("thanhtra1", "thanhtra2", "totruong")  # the demo's inspectors and team leader (README)
PASSWORD = "demo12345"  # noqa: S105 (the demo accounts' published password, README)
TIMEOUT = 30  # seconds a request may take before it counts as an error
RAW_ANSWER = {"yes_no": ("yes", "no"), "number": ("12", "15"), "percentage": ("80", "95")}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Session:
    """One phone: its cookies (session, CSRF), one request at a time, a fresh connection each
    (gunicorn keeps an idle connection 2 s, the phone's pause)."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.cookies = host, port, {}

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "pccovid-load",
                    "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()), **(headers or {})}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, content.decode("utf-8", "replace")
        finally:
            connection.close()

    def sign_in(self, username: str) -> None:
        status, _headers, page = self.request("GET", "/dang-nhap/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"log-in page: {status}")
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1)}).encode()
        status, headers, _page = self.request("POST", "/dang-nhap/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"log-in of {username}: {status} (locked out, or the demo not loaded?)")

    def get(self, path: str) -> tuple[int, str]:
        status, _headers, page = self.request("GET", path)
        return status, page

    def post_json(self, path: str, payload: dict, *, seen: str | None = None) -> tuple[int, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": uuid.uuid4().hex, "X-CSRFToken": self.cookies.get("csrftoken", "")}
        if seen:
            headers["X-Visit-Status"] = seen
        status, _headers, body = self.request("POST", path, body=json.dumps(payload).encode(), headers=headers)
        return status, body


def route_of(session: Session) -> dict:
    """What one inspector works on: a route sheet, the visit in progress on it and the
    questions answered by a tap or a number. Starts a visit if none is in progress."""
    status, home = session.get("/")
    sheets = sorted(set(re.findall(r'href="(/lich-trinh/\d+/)"', home)))
    if status != 200 or not sheets:
        raise RuntimeError(f"home: {status}, {len(sheets)} route sheets")
    startable = None
    for sheet in sheets:
        _status, page = session.get(sheet)
        for visit in dict.fromkeys(re.findall(r'href="(/luot-kiem-tra/\d+/)"', page)):
            _status, visit_page = session.get(visit)
            items = [(int(pk), kind) for pk, kind in
                     re.findall(r'data-item="(\d+)" data-code="[^"]*" data-kind="([a-z_]+)"', visit_page)
                     if kind in RAW_ANSWER]
            if 'data-can-fill="1"' in visit_page and items:
                status_seen = re.search(r'data-status="([a-z_]+)"', visit_page).group(1)
                return {"sheet": sheet, "visit": visit, "items": items, "status": status_seen,
                        "api": "/api/visits/" + visit.strip("/").rsplit("/", 1)[1] + "/answers"}
            if startable is None and 'data-can-start="1"' in visit_page:
                startable = visit
    if startable is None:
        raise RuntimeError("no visit in progress and none to start")
    visit_id = startable.strip("/").rsplit("/", 1)[1]
    status, body = session.post_json(f"/api/visits/{visit_id}/start", {})
    if status != 200:
        raise RuntimeError(f"start of visit {visit_id}: {status} {body[:200]}")
    return route_of(session)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings: list[float] = []
        self.by_action: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.per_client: dict[int, int] = {}

    def add(self, client: int, action: str, milliseconds: float, error: str | None) -> None:
        with self.lock:
            self.timings.append(milliseconds)
            self.by_action.setdefault(action, []).append(milliseconds)
            self.per_client[client] = self.per_client.get(client, 0) + 1
            if error:
                self.errors.append(error)


def inspector(number: int, session: Session, route: dict, *, start: float, end: float, think: float,
              results: Results) -> None:
    """One phone's turn of actions, one every `think` seconds until `end`."""
    rng = random.Random(number)
    moment = start + rng.uniform(0, think)
    step = 0
    while True:
        wait = moment - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if time.monotonic() >= end:
            return
        action = ("sheet", "visit", "answer", "visit", "answer")[step % 5]
        began = time.perf_counter()
        error = None
        try:
            if action == "answer":
                item, kind = rng.choice(route["items"])
                status, body = session.post_json(route["api"], {"item_id": item, "value": rng.choice(
                    RAW_ANSWER[kind]), "note": ""}, seen=route["status"])
            else:
                status, body = session.get(route["sheet" if action == "sheet" else "visit"])
            if status != 200:
                error = f"{action}: {status} {body[:160]!r}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{action}: {type(exc).__name__} {exc}"
        results.add(number, action, (time.perf_counter() - began) * 1000, error)
        step += 1
        moment += think


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`make run`'s server (config/serve.py) over a throwaway database and media folder."""

    def __init__(self, port: int):
        import psycopg

        self.port, self.url = port, os.environ.get("DATABASE_URL")
        if not self.url:
            raise SystemExit("DATABASE_URL is unset: run under `python -m config.localdb --` (make load) or give --url")
        self.database = f"pccovid_load_{os.getpid()}"
        self.admin = psycopg.connect(self.url, autocommit=True)
        with self.admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.database}" ENCODING \'UTF8\' TEMPLATE template0')
        parts = urllib.parse.urlsplit(self.url)
        self.media = tempfile.mkdtemp(prefix="pccovid-load-media-")
        env = {**os.environ, "PORT": str(port), "MEDIA_ROOT": self.media,
               "DATABASE_URL": urllib.parse.urlunsplit(parts._replace(path="/" + self.database))}
        self.log = open(Path(tempfile.gettempdir()) / f"pccovid-load-server-{os.getpid()}.log", "w")  # noqa: SIM115
        # Its own process group: the server's children (gunicorn, the worker) stop with it.
        self.process = subprocess.Popen([sys.executable, "-m", "config.serve"], cwd=BASE_DIR, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, process_group=0)

    def wait_ready(self, limit: float = 600) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped (exit {self.process.returncode}); see {self.log.name}")
            try:
                status, _headers, _body = Session("127.0.0.1", self.port).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the server did not answer /healthz within {limit:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # config.serve stops gunicorn and the worker
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        with self.admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.admin.close()
        shutil.rmtree(self.media, ignore_errors=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(host: str, port: int, *, clients: int, seconds: float, think: float) -> Results:
    sessions = []
    routes: dict[str, dict] = {}
    for number in range(clients):
        username = USERS[number % len(USERS)]
        session = Session(host, port)
        session.sign_in(username)
        if username not in routes:
            routes[username] = route_of(session)
        sessions.append((session, routes[username]))
    results = Results()
    start = time.monotonic() + 0.5
    end = start + seconds
    threads = [threading.Thread(target=inspector, args=(number, session, route), daemon=True,
                                kwargs={"start": start, "end": end, "think": think, "results": results})
               for number, (session, route) in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + TIMEOUT + 10)
    results.elapsed = seconds
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between one client's requests")
    parser.add_argument("--url", help="a running server (loopback only); else one is started")
    args = parser.parse_args()
    if args.clients < 1 or not 0 < args.seconds <= 3600 or args.think <= 0:
        parser.error("--clients ≥ 1, 0 < --seconds ≤ 3600, --think > 0")

    server = None
    if args.url:
        target = urllib.parse.urlsplit(args.url)
        if target.scheme != "http" or target.hostname not in LOOPBACK:
            parser.error("--url must be http:// on this machine (127.0.0.1, localhost)")
        host, port = target.hostname, target.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        server = Server(port)
    try:
        if server:
            print(f"load: starting the server on 127.0.0.1:{port} (database {server.database})…", flush=True)
            server.wait_ready()
        before_ms = loop_ms()
        results = run(host, port, clients=args.clients, seconds=args.seconds, think=args.think)
    finally:
        if server:
            server.stop()
    timings = results.timings
    print(f"load: machine: a fixed loop took {before_ms:.0f} ms of CPU before the run, {loop_ms():.0f} ms after "
          "(scripts/calibrate.py: the same work costs more when the machine's cores are slower or shared)", flush=True)
    print(f"load: clients={args.clients} requests={len(timings)} errors={len(results.errors)} "
          f"p50_ms={statistics.median(timings) if timings else 0:.0f} "
          f"p95_ms={percentile(timings, 0.95) if timings else 0:.0f} rps={len(timings) / results.elapsed:.1f}",
          flush=True)
    for action, values in sorted(results.by_action.items()):
        print(f"load:   {action}: requests={len(values)} p50_ms={statistics.median(values):.0f} "
              f"p95_ms={percentile(values, 0.95):.0f}", flush=True)
    for error in results.errors[:10]:
        print(f"load: error: {error}", file=sys.stderr)
    every_client = len(results.per_client) == args.clients
    return 0 if not results.errors and every_client else 1


if __name__ == "__main__":
    sys.exit(main())
