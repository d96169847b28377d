#!/usr/bin/env python
"""HTTP throughput of the portal's pages against a bare Django view, measured with ``wrk``.

    .venv/bin/python bench/http.py                       # the full run (about 10 minutes)
    .venv/bin/python bench/http.py --static-root var/bench-static   # reuse collected files
    .venv/bin/python bench/http.py --quick               # 1,000 answers, 3 s per page, 1 round

It starts, all on 127.0.0.1, and stops and removes in every case: a database of its own
``bench_http_<pid>`` on the PostgreSQL server of ``--postgres`` (default
``postgres://postgres@127.0.0.1:5432/postgres``), a ``redis-server`` of its own on a free
port (cache and broker), the migrations, the reference geography (all of France), the
static files, realistic data (``bench/_http_seed.py``: 10,000 answers with actors and
référents, 300 projects at every stage with their territories), gunicorn on
``cpts_portal.wsgi`` (``--workers`` sync workers, DEBUG=0, as in production except plain
HTTP and no rate limits) and, under the same gunicorn settings, a bare Django application
(``bench/bare_wsgi.py``: one ``HttpResponse``, Django's default middleware).

It signs in one user per role through ``/connexion/``, then runs ``wrk`` (a C load
generator, ``-t2 -c20``, ``--duration`` s) on the bare view and on each page, ``--rounds``
times, interleaved (bare view, every page, bare view, every page...), and prints one table:
req/s of each round, p50 and p99 latency, the ratio to the bare view of the same round,
queries and in-process milliseconds per request (Django's test client on the same
database), and each goal next to its figure, met or not; with the load average.

Exit status: 0 when every goal is met, 1 when one is not, 2 when the stack could not start.
"""

import sys

# Run as ``python bench/http.py``, this folder comes first on sys.path, where this very file
# would shadow the standard library's ``http`` package: put the folder last.
sys.path.append(sys.path.pop(0))

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from load import (
    BIN,
    CSRF_INPUT,
    START_TIMEOUT,
    Client,
    Stack,
    free_port,
    log,
    port_open,
    run,
    wait_until,
)

ROOT = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk")
CAMPAIGN = "ami-cpts-banc"
SEARCH = "/territoires/communes/recherche/"


@dataclass
class Page:
    name: str
    path: str
    role: str | None  # who is signed in (None: anonymous)
    goal: float | None = None  # minimal ratio to the bare view
    rates: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0
    queries: int | None = None
    in_process_ms: float | None = None
    skipped: str = ""


def pages(ids: dict) -> list[Page]:
    return [
        Page("robots.txt (portal middleware)", "/robots.txt", None),
        Page("home", "/", None, 0.3),
        Page("AMI form", f"/ami/{CAMPAIGN}/", None, 0.2),
        Page(
            "commune search ?q=st malo", "/territoires/communes/recherche/?q=st%20malo", None, 0.4
        ),
        Page("dashboard (ARS)", "/tableau-de-bord/", "ARS", 0.05),
        Page("dashboard (URPS)", "/tableau-de-bord/", "URPS"),
        Page("answer page (ARS)", f"/tableau-de-bord/reponses/{ids['answer']}/", "ARS", 0.05),
        Page("projects list (coordinator)", "/projets/", "Coordinateur", 0.05),
        Page("project page (ARS)", f"/projets/{ids['project']}/", "ARS"),
        Page("board /projets/ (ARS)", "/projets/", "ARS", 0.05),
        Page("territories list (ARS)", "/territoires/", "ARS"),
        Page("territory page (ARS)", f"/territoires/{ids['territory']}/", "ARS"),
        Page("statistics (ARS)", "/tableau-de-bord/statistiques/", "ARS", 0.02),
        Page("admin answers list (ARS)", "/admin/ami/submission/", "ARS"),
    ]


# --- wrk ----------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass
class WrkResult:
    rate: float
    p50: float  # ms
    p99: float  # ms
    errors: int


def settle(port: int, path: str, timeout: float = 60) -> None:
    """Wait until the server has worked off the requests wrk left queued when it stopped
    (gunicorn still serves them): the next measure must start on an idle server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        if status(port, path) == 200 and time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def wrk(url: str, seconds: float, cookie: str | None, threads: int, connections: int) -> WrkResult:
    # A 10 s timeout (wrk's default is 2 s): on a loaded machine slow answers are measured,
    # not dropped as socket timeouts.
    command = [
        WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency"
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    latencies = {p: float(v) * UNITS[unit] for p, v, unit in LATENCY.findall(output)}
    errors = int(match.group(1)) if (match := NON_2XX.search(output)) else 0
    if match := SOCKET_ERRORS.search(output):
        # Read errors are gunicorn's sync workers closing kept-alive connections: not errors.
        errors += int(match.group(1)) + int(match.group(4))
    return WrkResult(float(RATE.search(output).group(1)), latencies["50"], latencies["99"], errors)


# --- Stack --------------------------------------------------------------------------------


@dataclass
class Servers:
    port: int
    bare_port: int
    env: dict
    password: str


def start(args: argparse.Namespace, stack: Stack, tmp: Path) -> Servers:
    import psycopg

    server = urllib.parse.urlsplit(args.postgres)
    admin = {
        "host": server.hostname or "127.0.0.1",
        "port": server.port or 5432,
        "user": urllib.parse.unquote(server.username or "postgres"),
        "password": urllib.parse.unquote(server.password or "") or None,
        "dbname": server.path.lstrip("/") or "postgres",
    }
    name = f"bench_http_{os.getpid()}"
    with psycopg.connect(**admin, autocommit=True) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop_database() -> None:
        with psycopg.connect(**admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"database {name} dropped")

    stack.push(f"database {name}", drop_database)
    auth = urllib.parse.quote(admin["user"], safe="")
    if admin["password"]:
        auth += ":" + urllib.parse.quote(admin["password"], safe="")
    database_url = f"postgres://{auth}@{admin['host']}:{admin['port']}/{name}"
    log(f"PostgreSQL {version}: database {name} created")

    redis_port = free_port()
    redis_dir = tmp / "redis"
    redis_dir.mkdir()
    command = [
        shutil.which("redis-server") or "redis-server",
        "--port", str(redis_port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", str(redis_dir),
    ]  # fmt: skip
    redis = stack.process("redis-server", command, tmp / "redis.log", dict(os.environ))
    wait_until(lambda: port_open(redis_port), START_TIMEOUT, "redis-server", redis)
    log(f"redis-server on port {redis_port}")

    static_root = Path(args.static_root) if args.static_root else tmp / "static"
    password = secrets.token_urlsafe(16)
    port, bare_port = free_port(), free_port()
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "OUTBOX_", "AXES_", "RATELIMIT_", "EMAIL_"))
        and key not in {"DATABASE_CONN_MAX_AGE", "BEHIND_HTTPS_PROXY", "TRUSTED_PROXY_COUNT"}
    }
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "cpts_portal.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "RATELIMIT_ENABLED": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "BENCH_PASSWORD": password,
        "BENCH_ANSWERS": str(args.answers),
        "BENCH_PROJECTS": str(args.projects),
    }
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput"], env, "migrate")
    run([*manage, "load_geography"], env, "load_geography (all of France)")
    if (static_root / "staticfiles.json").exists():
        log(f"static files reused from {static_root}")
    else:
        run([*manage, "collectstatic", "--noinput"], env, "collectstatic")
    seeded = run(
        [sys.executable, "-m", "bench._http_seed"],
        env,
        f"seed: {args.answers} answers, {args.projects} projects",
    )
    env["BENCH_IDS"] = seeded.strip().splitlines()[-1]

    gunicorn = [
        str(BIN / "gunicorn"), "--workers", str(args.workers), "--worker-class", "sync",
        "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning",
    ]  # fmt: skip
    portal = stack.process(
        "gunicorn (portal)",
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "cpts_portal.wsgi"],
        tmp / "gunicorn.log",
        env,
    )
    bare = stack.process(
        "gunicorn (bare view)",
        [*gunicorn, "--bind", f"127.0.0.1:{bare_port}", "bench.bare_wsgi"],
        tmp / "gunicorn-bare.log",
        {**env, "DJANGO_SETTINGS_MODULE": ""},
    )
    wait_until(lambda: status(port, "/sante/") == 200, START_TIMEOUT, "gunicorn", portal)
    wait_until(lambda: status(bare_port, "/") == 200, START_TIMEOUT, "gunicorn (bare)", bare)
    log(f"gunicorn: portal on {port}, bare view on {bare_port}, {args.workers} sync workers each")
    return Servers(port, bare_port, env, password)


def status(port: int, path: str, cookie: str | None = None) -> int | None:
    client = Client(port)
    if cookie:
        name, _, value = cookie.partition("=")
        client.cookies[name] = value
    try:
        return client.request("GET", path).status
    except OSError:
        return None


def sign_in(port: int, username: str, password: str) -> str:
    """The session cookie of ``username``, signed in through the portal's login page."""
    client = Client(port)
    page = client.request("GET", "/connexion/")
    csrf = CSRF_INPUT.search(page.body)
    if csrf is None:
        raise RuntimeError("no CSRF token on /connexion/")
    form = {"csrfmiddlewaretoken": csrf.group(1), "username": username, "password": password}
    done = client.request("POST", "/connexion/", form)
    if done.status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"{username} could not sign in (HTTP {done.status})")
    return f"sessionid={client.cookies['sessionid']}"


def in_process(servers: Servers, measured: list[Page], cookies: dict) -> None:
    """Queries and milliseconds per request through Django's test client (same database)."""
    request = [
        {
            "name": page.name,
            "path": page.path,
            "session": cookies[page.role].partition("=")[2] if page.role else None,
        }
        for page in measured
    ]
    result = subprocess.run(
        [sys.executable, "-m", "bench._http_queries"],
        cwd=ROOT,
        env=servers.env,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        log(f"in-process measure failed:\n{result.stderr[-2000:]}")
        return
    by_name = {page.name: page for page in measured}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            figures = json.loads(line)
            page = by_name[figures["name"]]
            page.queries, page.in_process_ms = figures["queries"], figures["ms"]


# --- Report -------------------------------------------------------------------------------


def report(bare: Page, measured: list[Page], load: tuple[float, float], args) -> bool:
    rounds = len(bare.rates)
    print()
    print("=" * 118)
    print(
        f"CPTS Portal HTTP benchmark — {os.cpu_count()} CPUs, load average (1 min) "
        f"{load[0]:.2f} before, {load[1]:.2f} after; gunicorn {args.workers} sync workers, "
        f"DEBUG=0, PostgreSQL, Redis; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s, {rounds} round(s), {args.answers} answers, {args.projects} projects"
    )
    print("=" * 118)
    rate_header = " / ".join(f"r{n + 1}" for n in range(rounds))
    print(
        f"{'page':<32}{'req/s ' + rate_header:>22}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>15}{'queries':>9}{'in-proc ms':>11}  goal"
    )
    met = True

    def figures(values: list[float], fmt: str) -> str:
        return " / ".join(format(value, fmt) for value in values)

    print(
        f"{'bare Django view':<32}{figures(bare.rates, '.0f'):>22}"
        f"{max(bare.p50):>9.1f}{max(bare.p99):>9.1f}{'1':>15}{'0':>9}{'':>11}"
    )
    for page in measured:
        if page.skipped:
            print(f"{page.name:<32}  skipped: {page.skipped}")
            continue
        ratio = min(page.ratios)
        goal = ""
        if page.goal is not None:
            ok = ratio >= page.goal and not page.errors
            met &= ok
            goal = f"≥ {page.goal:g}: {'met' if ok else 'NOT MET'}"
        if page.errors:
            goal += f" ({page.errors} errors)"
        print(
            f"{page.name:<32}{figures(page.rates, '.0f'):>22}{max(page.p50):>9.1f}"
            f"{max(page.p99):>9.1f}{figures(page.ratios, '.3f'):>15}"
            f"{'' if page.queries is None else page.queries:>9}"
            f"{'' if page.in_process_ms is None else format(page.in_process_ms, '.1f'):>11}"
            f"  {goal}"
        )
    print(
        "\nratio: req/s of the page / req/s of the bare view in the same round (the goal is "
        "checked on the lower one);\np50/p99: the worse round; queries and in-process ms: "
        "Django's test client, median of 5 requests."
    )
    print(f"\nResult: {'every goal met' if met else 'goals NOT met'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per page")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections")
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--only", help="comma-separated words: only the pages whose name has one")
    parser.add_argument("--quick", action="store_true", help="1,000 answers, 3 s, one round")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where the bench may create and drop its own database",
    )
    parser.add_argument("--static-root", help="collect static files here once and reuse them")
    args = parser.parse_args()
    if args.quick:
        args.answers, args.projects, args.duration, args.rounds = 1_000, 30, 3, 1
    if WRK is None:
        print("wrk is not installed: sudo apt-get install wrk", file=sys.stderr)
        return 2
    if shutil.which("redis-server") is None:
        print("redis-server is not installed: sudo apt-get install redis-server", file=sys.stderr)
        return 2

    stack = Stack()
    tmp = Path(tempfile.mkdtemp(prefix="cpts-bench-http-"))
    stack.push("temporary folder", lambda: shutil.rmtree(tmp, ignore_errors=True))
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bare = Page("bare Django view", "/", None)
    try:
        servers = start(args, stack, tmp)
        ids = json.loads(servers.env["BENCH_IDS"])
        log(f"seeded: {ids}")
        usernames = {
            "ARS": "banc-ars",
            "URPS": "banc-urps",
            "Assurance Maladie": "banc-am",
            "Coordinateur": "banc-coordinateur",
        }
        cookies = {
            role: sign_in(servers.port, name, servers.password) for role, name in usernames.items()
        }
        log(f"signed in: {', '.join(usernames.values())}")
        measured = pages(ids)
        if args.only:
            words = [w.strip().lower() for w in args.only.split(",")]
            measured = [p for p in measured if any(w in p.name.lower() for w in words)]
        for page in measured:
            code = status(servers.port, page.path, cookies.get(page.role))
            if code != 200:
                page.skipped = f"HTTP {code} (absent on this branch?)"
        in_process(servers, [p for p in measured if not p.skipped], cookies)
        load_before = os.getloadavg()[0]
        base = "http://127.0.0.1:{}{}"
        for number in range(args.rounds):
            log(f"round {number + 1}/{args.rounds}: bare view")
            result = wrk(
                base.format(servers.bare_port, "/"),
                args.duration,
                None,
                args.threads,
                args.connections,
            )
            settle(servers.bare_port, "/")
            bare.rates.append(result.rate)
            bare.p50.append(result.p50)
            bare.p99.append(result.p99)
            for page in measured:
                if page.skipped:
                    continue
                log(f"round {number + 1}/{args.rounds}: {page.name}")
                result = wrk(
                    base.format(servers.port, page.path),
                    args.duration,
                    cookies.get(page.role),
                    args.threads,
                    args.connections,
                )
                settle(servers.port, "/robots.txt")
                page.rates.append(result.rate)
                page.ratios.append(result.rate / bare.rates[-1])
                page.p50.append(result.p50)
                page.p99.append(result.p99)
                page.errors += result.errors
        load_after = os.getloadavg()[0]
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"\nBenchmark aborted: {error}", file=sys.stderr)
        return 2
    finally:
        log("stopping what the benchmark started")
        stack.close()
        signal.signal(signal.SIGTERM, previous_sigterm)
    return 0 if report(bare, measured, (load_before, load_after), args) else 1


if __name__ == "__main__":
    sys.exit(main())
