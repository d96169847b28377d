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
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    ROOT,
    WRK,
    Services,
    Stack,
    add_postgres_option,
    collect_static,
    free_port,
    log,
    manage,
    run,
    sign_in,
    stack_and_folder,
    start_gunicorn,
    start_services,
    status,
    wrk,
)

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
        Page("dashboard (national)", "/tableau-de-bord/", "National"),
        Page("board /projets/ (national)", "/projets/", "National"),
        Page("statistics (national)", "/tableau-de-bord/statistiques/", "National"),
    ]


# --- wrk ----------------------------------------------------------------------------------


def settle(port: int, path: str, timeout: float = 60) -> None:
    """Wait until the server has worked off the requests wrk left queued when it stopped
    (gunicorn still serves them): the next measure must start on an idle server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        if status(port, path) == 200 and time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


# --- Stack --------------------------------------------------------------------------------


@dataclass
class Servers:
    port: int
    bare_port: int
    env: dict
    password: str


def start(args: argparse.Namespace, services: Services, stack: Stack, tmp: Path) -> Servers:
    env = services.env
    env["BENCH_ANSWERS"] = str(args.answers)
    env["BENCH_PROJECTS"] = str(args.projects)
    env["BENCH_REGIONS"] = str(args.regions)
    if args.answers_per_region:
        env["BENCH_ANSWERS_PER_REGION"] = str(args.answers_per_region)
    manage(env, "migrate", "--noinput", what="migrate")
    manage(env, "load_geography", what="load_geography (all of France)")
    collect_static(services)
    seeded = run(
        [sys.executable, "-m", "bench._http_seed"],
        env,
        f"seed: {args.regions} region(s), {answers_of(args)} answers, {args.projects} projects",
    )
    env["BENCH_IDS"] = seeded.strip().splitlines()[-1]

    port, bare_port = services.port, free_port()
    start_gunicorn(
        stack, "gunicorn (portal)", app="cpts_portal.wsgi", port=port, workers=args.workers,
        log_path=tmp / "gunicorn.log", env=env, ready="/sante/",
    )  # fmt: skip
    start_gunicorn(
        stack, "gunicorn (bare view)", app="bench.bare_wsgi", port=bare_port,
        workers=args.workers, log_path=tmp / "gunicorn-bare.log",
        env={**env, "DJANGO_SETTINGS_MODULE": ""}, ready="/",
    )  # fmt: skip
    log(f"gunicorn: portal on {port}, bare view on {bare_port}, {args.workers} sync workers each")
    return Servers(port, bare_port, env, services.password)


def answers_of(args: argparse.Namespace) -> int:
    """How many answers the seed writes (every region gets the same number)."""
    per_region = args.answers_per_region or args.answers // args.regions
    return per_region * args.regions


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
        f"-d{args.duration:g}s, {rounds} round(s), {args.regions} region(s), {answers_of(args)} "
        f"answers, {args.projects} projects"
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


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> tuple[Page, list[Page], tuple]:
    """Start the stack, sign in, measure: the bare view, the pages, the load averages."""
    bare = Page("bare Django view", "/", None)
    services = start_services(
        stack, tmp, postgres=args.postgres, label="http", static_root=args.static_root
    )
    servers = start(args, services, stack, tmp)
    ids = json.loads(servers.env["BENCH_IDS"])
    log(f"seeded: {ids}")
    usernames = {
        "ARS": "banc-ars",
        "URPS": "banc-urps",
        "Assurance Maladie": "banc-am",
        "Coordinateur": "banc-coordinateur",
        "National": "banc-national",
    }
    cookies = {}
    for role, name in usernames.items():
        try:
            cookies[role] = sign_in(servers.port, name, servers.password)
        except RuntimeError as error:  # e.g. a role this branch does not know yet
            log(f"{error}: its pages are skipped")
    log(f"signed in: {', '.join(usernames.values())}")
    measured = pages(ids)
    if args.only:
        words = [w.strip().lower() for w in args.only.split(",")]
        measured = [p for p in measured if any(w in p.name.lower() for w in words)]
    for page in measured:
        if page.role and page.role not in cookies:
            page.skipped = f"{usernames[page.role]} could not sign in"
            continue
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
    return bare, measured, (load_before, load_after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per page")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections")
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument(
        "--regions", type=int, default=1, help="served regions (1 to 18; default Bretagne)"
    )
    parser.add_argument(
        "--answers-per-region",
        type=int,
        help="answers in each region (default: --answers / --regions)",
    )
    parser.add_argument("--only", help="comma-separated words: only the pages whose name has one")
    parser.add_argument("--quick", action="store_true", help="1,000 answers, 3 s, one round")
    add_postgres_option(parser)
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

    with stack_and_folder("cpts-bench-http-") as (stack, tmp):
        try:
            bare, measured, load = benchmark(args, stack, tmp)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            print(f"\nBenchmark aborted: {error}", file=sys.stderr)
            return 2
    return 0 if report(bare, measured, load, args) else 1


if __name__ == "__main__":
    sys.exit(main())
