#!/usr/bin/env python
"""Load benchmark: professionals answering the AMI form while staff browse, on the real stack.

    .venv/bin/python bench/load.py              # 60 s, 50 professionals, 10 staff
    .venv/bin/python bench/load.py --quick      # 10 s, 10 professionals, 2 staff: smoke run
    .venv/bin/python bench/load.py --duration 120 --users 100 --staff 20

It starts, all on 127.0.0.1 and all its own, then stops and removes in every case:
a fresh PostgreSQL database ``bench_load_<pid>`` (created and dropped through the server of
``--postgres``, default ``postgres://postgres@127.0.0.1:5432/postgres``; no other database is
touched), a ``redis-server`` on a free port without persistence, the migrations, the static
files (collectstatic, as DEBUG=0 serves hashed names: ``--static-root`` reuses a folder), a
campaign and ARS staff accounts, gunicorn (``cpts_portal.wsgi``, ``--workers`` sync workers,
DEBUG=0, rate limits off, no HTTPS redirect) and a Celery worker (prefork, 2 processes) that
writes the emails to files (EMAIL_BACKEND=file) in a temporary folder.

Then three timed phases, each client a thread using http.client (stdlib only):

1. mixed load for ``--duration`` seconds: ``--users`` professionals loop on GET the form,
   read the CSRF and form tokens, POST a complete answer, follow the redirect to the
   confirmation page; ``--staff`` ARS agents log in through /admin/login/, then loop on the
   admin list of submissions, one submission's admin page and the staff dashboard
   (/tableau-de-bord/, when it answers 200);
2. the form page alone (GET), same number of clients, ``--ceiling`` seconds;
3. the bare view /robots.txt (no template, no query), same clients and time: the ceiling
   of this server on this machine.

It prints requests, throughput, p50/p95/p99 latency and errors per page, the counts
"stored = acknowledged = emails sent" (answers in the database, confirmation pages received,
outbox rows sent and emails written by the worker, once it has drained the outbox, within a
bound) and the ratio form page / bare view. Exit status 1 when a count differs or a request
failed. The load generator runs on the same machine: on few cores it takes its share.
"""

import sys

# bench/http.py would shadow the standard library's ``http`` package: this folder goes last.
sys.path.append(sys.path.pop(0))


import argparse
import contextlib
import http.client
import math
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    BIN,
    CSRF_INPUT,
    ROOT,
    START_TIMEOUT,
    WRK,
    Client,
    Response,
    Stack,
    add_postgres_option,
    collect_static,
    log,
    manage,
    stack_and_folder,
    start_gunicorn,
    start_services,
    wait_until,
    wrk,
)

sys.path.insert(0, str(ROOT))

from tests.ami.helpers import answer_data

CAMPAIGN = "ami-banc-de-charge"
ARS_ADDRESS = "ars-banc@ars.sante.fr"
RECIPIENTS_PER_ANSWER = 2  # the référent's acknowledgement and the ARS notification
POST_GOAL = 40  # stored answers per second, the answer POST alone, PostgreSQL (issue 15)

FORM_TOKEN_INPUT = re.compile(r'name="form_token"[^>]*?value="([^"]+)"')
CHANGE_LINK = re.compile(r'href="(/admin/ami/submission/\d+/change/)')
PHASE_1_PAGES = [
    "form (GET)", "answer (POST)", "confirmation (GET)", "admin login (GET)",
    "admin login (POST)", "admin list", "admin change", "dashboard",
]  # fmt: skip


# --- Services -----------------------------------------------------------------------------


SETUP_SCRIPT = """
import os
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from ami.models import Campaign
from territories.models import Institution, InstitutionKind, Region, StaffMembership

today = timezone.localdate()
# Campaigns and staff belong to a region (the geography is not loaded: the region alone).
region, _created = Region.objects.get_or_create(code="53", defaults={"name": "Bretagne"})
institution = Institution.objects.create(
    region=region, kind=InstitutionKind.ARS, name="Agence régionale de santé Bretagne"
)
Campaign.objects.create(
    title="AMI CPTS (banc de charge)", slug=os.environ["BENCH_CAMPAIGN"], edition="Banc",
    region=region, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=30),
    summary="Banc de charge.", intro="Banc de charge.", contact_email=os.environ["BENCH_ARS"],
)
ars = Group.objects.get(name="ARS")
for number in range(int(os.environ["BENCH_STAFF"])):
    user = get_user_model().objects.create_user(
        f"banc-agent-{number}", f"banc-agent-{number}@ars.sante.fr",
        os.environ["BENCH_PASSWORD"], is_staff=True,
    )
    user.groups.add(ars)
    StaffMembership.objects.create(user=user, institution=institution)
"""


@dataclass
class Portal:
    """The running stack, as the load phases need it."""

    port: int
    database: dict  # psycopg connection keywords of the bench database
    mail_dir: Path
    staff_password: str
    env: dict


def start_stack(args: argparse.Namespace, stack: Stack, tmp: Path) -> Portal:
    services = start_services(
        stack, tmp, postgres=args.postgres, label="load", static_root=args.static_root
    )
    env = services.env
    env.update(BENCH_CAMPAIGN=CAMPAIGN, BENCH_ARS=ARS_ADDRESS, BENCH_STAFF=str(args.staff))
    if args.conn_max_age is not None:
        env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    manage(env, "migrate", "--noinput", what="migrate")
    collect_static(services)
    manage(env, "shell", "-c", SETUP_SCRIPT, what=f"campaign and {args.staff} ARS agents")

    port = services.port
    start_gunicorn(
        stack, "gunicorn", app="cpts_portal.wsgi", port=port, workers=args.workers,
        log_path=tmp / "gunicorn.log", env=env, ready="/sante/",
    )  # fmt: skip
    log(f"gunicorn on port {port}, {args.workers} sync workers")

    worker_log = tmp / "celery-worker.log"
    command = [
        str(BIN / "celery"), "-A", "cpts_portal", "worker", "-l", "info",
        "--concurrency", "2", "--without-mingle", "--without-gossip",
        "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    worker = stack.process("celery worker", command, worker_log, env)
    wait_until(
        lambda: b" ready." in worker_log.read_bytes(), START_TIMEOUT, "celery worker", worker
    )
    log("Celery worker ready (prefork, 2 processes)")
    return Portal(port, services.database, services.mail_dir, services.password, env)


# --- HTTP clients ---------------------------------------------------------------------------


@dataclass
class Recorder:
    """Latencies and errors of one client thread, merged at the end."""

    requests: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    acknowledged: int = 0

    def timed(self, page: str, call: Callable[[], Response], expect: int) -> Response | None:
        """Make one request; its latency counts when a response came back, whatever it was."""
        self.requests[page] += 1
        started = time.perf_counter()
        try:
            response = call()
        except (OSError, http.client.HTTPException) as error:
            self.errors[page][type(error).__name__] += 1
            return None
        self.latencies[page].append(time.perf_counter() - started)
        if response.status != expect:
            self.errors[page][f"HTTP {response.status}"] += 1
            return None
        return response

    def merge(self, other: "Recorder") -> None:
        self.requests.update(other.requests)
        for page, values in other.latencies.items():
            self.latencies[page].extend(values)
        for page, counter in other.errors.items():
            self.errors[page].update(counter)
        self.acknowledged += other.acknowledged


def answer_once(port: int, referent_email: str, recorder: Recorder) -> None:
    """A new visitor opens the form, sends a complete answer and reads the confirmation."""
    url = f"/ami/{CAMPAIGN}/"
    client = Client(port)
    page = recorder.timed("form (GET)", lambda: client.request("GET", url), 200)
    if page is None:
        return
    csrf, token = CSRF_INPUT.search(page.body), FORM_TOKEN_INPUT.search(page.body)
    if not (csrf and token):
        recorder.errors["form (GET)"]["tokens missing"] += 1
        return
    data = answer_data(**{"referents-0-email": referent_email})
    data.update(csrfmiddlewaretoken=csrf.group(1), form_token=token.group(1))
    sent = recorder.timed("answer (POST)", lambda: client.request("POST", url, data), 302)
    if sent is None:
        return
    location = sent.headers.get("Location", "")
    confirmation = recorder.timed(
        "confirmation (GET)", lambda: client.request("GET", location), 200
    )
    if confirmation is not None:
        if "a bien été reçue" in confirmation.body:
            recorder.acknowledged += 1
        else:
            recorder.errors["confirmation (GET)"]["not a confirmation"] += 1


def poster(port: int, number: int, deadline: float, recorder: Recorder) -> None:
    """The answer POST alone: one form page read for its CSRF token, then answers sent again
    and again, each with a fresh ``form_token`` (a UUID, as the form page would give)."""
    url = f"/ami/{CAMPAIGN}/"
    client = Client(port)
    page = recorder.timed("form (GET)", lambda: client.request("GET", url), 200)
    csrf = CSRF_INPUT.search(page.body) if page else None
    if csrf is None:
        return
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        data = answer_data(**{"referents-0-email": f"post{number}-{iteration}@example.org"})
        data.update(csrfmiddlewaretoken=csrf.group(1), form_token=str(uuid.uuid4()))
        sent = recorder.timed("answer (POST)", lambda d=data: client.request("POST", url, d), 302)
        if sent is not None:
            recorder.acknowledged += 1


def professional(port: int, number: int, deadline: float, recorder: Recorder) -> None:
    """Answer the form again and again until the deadline."""
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        answer_once(port, f"pro{number}-{iteration}@example.org", recorder)


def log_in(port: int, username: str, password: str, recorder: Recorder) -> Client | None:
    client = Client(port)
    page = recorder.timed("admin login (GET)", lambda: client.request("GET", "/admin/login/"), 200)
    csrf = CSRF_INPUT.search(page.body) if page else None
    if csrf is None:
        return None
    form = {
        "csrfmiddlewaretoken": csrf.group(1),
        "username": username,
        "password": password,
        "next": "/admin/",
    }
    done = recorder.timed(
        "admin login (POST)", lambda: client.request("POST", "/admin/login/", form), 302
    )
    return client if done is not None else None


def staff(
    port: int, number: int, password: str, dashboard: bool, deadline: float, recorder: Recorder
) -> None:
    """Log in once, then browse the answers until the deadline."""
    client = log_in(port, f"banc-agent-{number}", password, recorder)
    if client is None:
        return
    while time.monotonic() < deadline:
        listing = recorder.timed(
            "admin list", lambda: client.request("GET", "/admin/ami/submission/"), 200
        )
        links = CHANGE_LINK.findall(listing.body) if listing else []
        if links:
            link = random.choice(links)
            recorder.timed("admin change", lambda link=link: client.request("GET", link), 200)
        if dashboard:
            recorder.timed("dashboard", lambda: client.request("GET", "/tableau-de-bord/"), 200)


def hammer(port: int, path: str, page: str, deadline: float, recorder: Recorder) -> None:
    client = Client(port)
    while time.monotonic() < deadline:
        recorder.timed(page, lambda: client.request("GET", path), 200)


def run_threads(targets: list[Callable[[Recorder], None]]) -> tuple[Recorder, float]:
    recorders = [Recorder() for _ in targets]
    threads = [
        threading.Thread(target=target, args=(recorder,), daemon=True)
        for target, recorder in zip(targets, recorders, strict=True)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = Recorder()
    for recorder in recorders:
        total.merge(recorder)
    return total, elapsed


# --- Counting ------------------------------------------------------------------------------


def outbox(portal: Portal) -> tuple[int, Counter]:
    import psycopg

    with psycopg.connect(**portal.database, autocommit=True) as connection:
        stored = connection.execute("SELECT count(*) FROM ami_submission").fetchone()[0]
        rows = connection.execute(
            "SELECT status, count(*) FROM notifications_outgoingemail GROUP BY status"
        ).fetchall()
    return stored, Counter(dict(rows))


def emails_written(mail_dir: Path) -> int:
    separator = b"\n" + b"-" * 79 + b"\n"  # written after each message by the file backend
    return sum(path.read_bytes().count(separator) for path in mail_dir.glob("*.log"))


def drain(portal: Portal, timeout: float) -> tuple[int, Counter, int]:
    """Wait for the worker to empty the outbox (at most ``timeout`` s); sweep once if stuck."""
    deadline = time.monotonic() + timeout
    swept = 0
    last, last_change = None, time.monotonic()
    while True:
        stored, statuses = outbox(portal)
        waiting = statuses["pending"] + statuses["sending"]
        if waiting == 0 or time.monotonic() > deadline:
            return stored, statuses, swept
        if waiting != last:
            last, last_change = waiting, time.monotonic()
        elif time.monotonic() - last_change > 10 and not swept:
            # What Celery beat would do: re-dispatch rows left pending.
            sweep = "from notifications.tasks import requeue_pending_emails as r; print(r())"
            output = manage(portal.env, "shell", "-c", sweep, what="sweep of the outbox")
            swept = int(output.strip().splitlines()[-1])
        time.sleep(0.5)


# --- Report -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def table(recorder: Recorder, elapsed: float, order: list[str]) -> tuple[int, int]:
    pages = [page for page in order if page in recorder.requests]
    pages += sorted(set(recorder.requests) - set(order))
    header = f"  {'page':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(header + f"{'errors':>8}")
    requests = errors = 0
    for page in pages:
        values = sorted(recorder.latencies.get(page, []))
        failed = sum(recorder.errors.get(page, Counter()).values())
        count = recorder.requests[page]
        requests += count
        errors += failed
        print(
            f"  {page:<22}{count:>9}{count / elapsed:>9.1f}"
            f"{percentile(values, 0.50) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
            f"{percentile(values, 0.99) * 1000:>9.0f}{failed:>8}"
        )
    print(f"  {'all pages':<22}{requests:>9}{requests / elapsed:>9.1f}{'':>27}{errors:>8}")
    for page in pages:
        for reason, count in recorder.errors.get(page, Counter()).most_common():
            print(f"    error on {page}: {reason} × {count}")
    return requests, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="mixed load, seconds")
    parser.add_argument("--users", type=int, default=50, help="concurrent professionals")
    parser.add_argument("--staff", type=int, default=10, help="concurrent ARS agents")
    parser.add_argument("--ceiling", type=float, default=15, help="seconds of phases 2 and 3")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--quick", action="store_true", help="10 s, 10 users, 2 staff, 5 s")
    add_postgres_option(parser)
    parser.add_argument(
        "--static-root",
        help="collect static files here and reuse them next time (default: a temporary folder)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="DATABASE_CONN_MAX_AGE for gunicorn (default: unset, the portal's 60 s)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.users, args.staff, args.ceiling = 10, 10, 2, 5
    if shutil.which("redis-server") is None:
        print("redis-server is not installed (apt-get install redis-server).", file=sys.stderr)
        return 2

    load_before = os.getloadavg()[0]
    with stack_and_folder("cpts-bench-") as (stack, tmp):
        try:
            portal = start_stack(args, stack, tmp)
            port = portal.port

            # Warm-up: every gunicorn worker loads its templates; finds out about the dashboard.
            warm = Recorder()
            for number in range(args.workers * 2):
                answer_once(port, f"warm-up-{number}@example.org", warm)
            agent = log_in(port, "banc-agent-0", portal.staff_password, warm)
            dashboard = (
                agent is not None and agent.request("GET", "/tableau-de-bord/").status == 200
            )
            if warm.errors:
                raise RuntimeError(f"warm-up failed: {dict(warm.errors)}")
            log(f"warm-up: {warm.acknowledged} answers; dashboard {'on' if dashboard else 'off'}")

            log(f"phase 1: {args.users} professionals + {args.staff} staff for {args.duration:g} s")
            deadline = time.monotonic() + args.duration
            targets = [
                lambda rec, n=n: professional(port, n, deadline, rec) for n in range(args.users)
            ] + [
                lambda rec, n=n: staff(port, n, portal.staff_password, dashboard, deadline, rec)
                for n in range(args.staff)
            ]
            mixed, mixed_elapsed = run_threads(targets)

            log("waiting for the worker to send every email")
            drain_started = time.monotonic()
            stored, statuses, swept = drain(portal, timeout=max(60.0, args.duration))
            drain_seconds = time.monotonic() - drain_started
            written = emails_written(portal.mail_dir)

            clients = args.users + args.staff
            stored_before = outbox(portal)[0]
            log(f"answer POST alone: {args.users} clients for {args.ceiling:g} s")
            deadline = time.monotonic() + args.ceiling
            posts, posts_elapsed = run_threads(
                [lambda rec, n=n: poster(port, n, deadline, rec) for n in range(args.users)]
            )
            posts_stored = outbox(portal)[0] - stored_before
            log(f"phase 2: the form page alone, {clients} clients for {args.ceiling:g} s")
            deadline = time.monotonic() + args.ceiling
            form_only, form_elapsed = run_threads(
                [
                    lambda rec: hammer(port, f"/ami/{CAMPAIGN}/", "form page", deadline, rec)
                    for _ in range(clients)
                ]
            )
            log(f"phase 3: /robots.txt, {clients} clients for {args.ceiling:g} s")
            deadline = time.monotonic() + args.ceiling
            bare, bare_elapsed = run_threads(
                [
                    lambda rec: hammer(port, "/robots.txt", "robots.txt", deadline, rec)
                    for _ in range(clients)
                ]
            )
            wrk_rate = None
            if WRK:
                log(
                    f"wrk on /robots.txt for {args.ceiling:g} s: the ceiling of this load generator"
                )
                url = f"http://127.0.0.1:{port}/robots.txt"
                with contextlib.suppress(subprocess.SubprocessError):  # then no figure
                    wrk_rate = wrk(url, args.ceiling, None, threads=2, connections=clients).rate
        except RuntimeError as error:
            print(f"\nBenchmark aborted: {error}", file=sys.stderr)
            return 2

    load_after = os.getloadavg()[0]
    print()
    print("=" * 78)
    print(
        f"CPTS Portal load benchmark — {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before, {load_after:.1f} after; gunicorn {args.workers} sync "
        f"workers, DEBUG=0"
    )
    print("=" * 78)
    print(
        f"\nPhase 1 — {args.users} professionals and {args.staff} staff, "
        f"{mixed_elapsed:.1f} s (until the last flow ended)"
    )
    _, errors = table(mixed, mixed_elapsed, PHASE_1_PAGES)
    warm_answers = warm.acknowledged
    acknowledged = mixed.acknowledged + warm_answers
    sent = statuses["sent"]
    expected_emails = stored * RECIPIENTS_PER_ANSWER
    print(
        f"\n  answers: {mixed.acknowledged / mixed_elapsed:.1f} per second "
        f"({mixed.acknowledged} in phase 1, + {warm_answers} in the warm-up)"
    )
    print(
        f"  stored {stored} = acknowledged {acknowledged} = emails sent {sent} / "
        f"{RECIPIENTS_PER_ANSWER} per answer (rows sent {sent}, files {written}, "
        f"expected {expected_emails})"
    )
    print(
        f"  outbox after {drain_seconds:.1f} s of draining: "
        + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
        + (f"; {swept} re-dispatched by one sweep" if swept else "")
    )
    consistent = stored == acknowledged and sent == written == expected_emails
    print(f"  counts {'CONSISTENT' if consistent else 'DIFFER'}")

    print(f"\nPhase 2 — the form page alone, {clients} clients, {form_elapsed:.1f} s")
    form_requests, form_errors = table(form_only, form_elapsed, ["form page"])
    print(f"\nPhase 3 — the bare view /robots.txt, {clients} clients, {bare_elapsed:.1f} s")
    bare_requests, bare_errors = table(bare, bare_elapsed, ["robots.txt"])
    form_rate, bare_rate = form_requests / form_elapsed, bare_requests / bare_elapsed
    form_p50 = percentile(sorted(form_only.latencies["form page"]), 0.5)
    bare_p50 = percentile(sorted(bare.latencies["robots.txt"]), 0.5)
    print(
        f"\nRatio form page / bare view: {form_rate:.1f} / {bare_rate:.1f} req/s = "
        f"{form_rate / bare_rate:.1%} of the ceiling (p50 {form_p50 * 1000:.0f} ms vs "
        f"{bare_p50 * 1000:.0f} ms)"
    )
    generator = (
        f"the generator's ceiling: {bare_rate:.1f} req/s with these Python threads on "
        f"/robots.txt, against {wrk_rate:.1f} req/s with wrk (C)"
        if wrk_rate
        else f"the generator's ceiling: {bare_rate:.1f} req/s on /robots.txt (wrk not installed: "
        "apt-get install wrk to compare)"
    )
    print(f"  {generator}")
    if wrk_rate and bare_rate < 0.8 * wrk_rate:
        print(
            "  -> the Python generator is the bottleneck: the ratio above measures it; use "
            "bench/http.py (wrk) for page ratios"
        )

    print(f"\nAnswer POST alone — {args.users} clients, {posts_elapsed:.1f} s")
    _, post_errors = table(posts, posts_elapsed, ["form (GET)", "answer (POST)"])
    post_rate = posts_stored / posts_elapsed
    lost = posts.acknowledged - posts_stored
    posts_ok = post_rate >= POST_GOAL and lost == 0 and not post_errors
    print(
        f"  stored {posts_stored} answers = {post_rate:.1f} per second (goal ≥ {POST_GOAL}: "
        f"{'met' if post_rate >= POST_GOAL else 'NOT MET'}); acknowledged {posts.acknowledged}, "
        f"lost {lost}"
    )

    failed = errors + form_errors + bare_errors + post_errors
    problems = [f"{failed} errors"] if failed else []
    problems += [] if consistent else ["counts inconsistent"]
    problems += [] if posts_ok else ["answer POST goal not met"]
    print(f"\nResult: {'PROBLEMS (' + ', '.join(problems) + ')' if problems else 'OK'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
