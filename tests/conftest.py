"""Root test configuration: service checks, the browser fixtures and a real Celery worker.

Markers (declared in pyproject.toml):

``@pytest.mark.browser``
    The test drives Debian's chromium (``/usr/bin/chromium``) through Playwright; it skips
    with a reason when chromium is not installed (``apt-get install chromium``).
``@pytest.mark.integration``
    The test talks to PostgreSQL and Redis over real connections, usually through a Celery
    worker (``celery_worker_process``); it skips with a reason when DATABASE_URL is not a
    PostgreSQL URL, or REDIS_URL is unset or does not answer PING.

With ``CPTS_REQUIRE_SERVICES=1`` in the environment (``.ci/run`` sets it) a missing service
fails the test instead of skipping it, so nothing is skipped in CI. The fixtures below apply
the same rule when a test uses them without the marker.

Fixtures:

``chromium`` (session)
    A Playwright ``Browser`` on Debian's chromium, one per xdist worker.
``page`` (function)
    A fresh French ``Page`` (new browser context, locale fr-FR, 1280x900) whose
    ``base_url`` is pytest-django's ``live_server``, so ``page.goto("/admin/")`` works.
    Using it makes the test transactional (``live_server`` does) and serves static files,
    django-dsfr's included, from the finders. When the test fails, a screenshot and the
    page's HTML are written to ``test-results/<test id>/`` at the repository root.
``celery_worker_factory`` (function)
    ``celery_worker_factory(broker_url=..., env={...})`` starts a real ``celery worker``
    subprocess on the test database and the broker given, consuming a queue of its own,
    sending emails to files; see ``CeleryWorker``.
``celery_worker_process`` (function)
    The same, started on the configured broker (Redis).

Celery tasks run in-process (``task_always_eager``) in every test, whether or not REDIS_URL
is set, except while ``celery_worker_process`` runs a real worker.

Playwright's sync API keeps an asyncio loop running in the main thread, so from the first
browser test on, Django would raise ``SynchronousOnlyOperation`` for any ORM call made by the
test itself: the ``chromium`` fixture sets ``DJANGO_ALLOW_ASYNC_UNSAFE=true`` for as long as
the browser lives (the ORM calls really are synchronous, in the main thread).
"""

import contextlib
import email
import email.policy
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlencode, urlunsplit

import pytest

T = TypeVar("T")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No network here but loopback: without these chromium keeps dialling Google's hosts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORKER_START_TIMEOUT = 60  # seconds; two cores shared with xdist and chromium in CI
WORKER_STOP_TIMEOUT = 20


# --- Service checks --------------------------------------------------------------------


def services_required() -> bool:
    return os.environ.get("CPTS_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def missing_service(reason: str) -> None:
    """Skip the current test, or fail it when CPTS_REQUIRE_SERVICES=1."""
    if services_required():
        pytest.fail(f"{reason} (CPTS_REQUIRE_SERVICES=1: failing instead of skipping)", False)
    pytest.skip(reason)


@functools.cache
def chromium_problem() -> str | None:
    if shutil.which("chromium") is None:
        return "browser test: chromium is not installed (apt-get install chromium)"
    return None


@functools.cache
def integration_problem() -> str | None:
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "integration test: needs PostgreSQL (DATABASE_URL=postgres://...)"
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        return "integration test: needs Redis (REDIS_URL=redis://...)"
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"integration test: Redis at {redis_url} does not answer PING ({error})"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or fail) marked tests whose services are absent, before any fixture runs."""
    checks = {"browser": chromium_problem, "integration": integration_problem}
    for marker, problem in checks.items():
        if item.get_closest_marker(marker) and (reason := problem()):
            missing_service(reason)


# --- Celery: tasks run in-process unless a test starts a worker -------------------------


@pytest.fixture(autouse=True)
def _cache_of_its_own(request, settings):
    """A private in-memory cache for each test, except those that test the real services.

    With REDIS_URL set (as in CI) every xdist worker would share one Redis database, where
    the Celery broker also lives: a test clearing the cache (rate limits) would wipe the
    other workers' counters and queues.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{request.node.nodeid}",
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fragments-{request.node.nodeid}",
        },
    }
    yield


@pytest.fixture(autouse=True)
def _fragment_cache_not_paused(monkeypatch):
    """Each test starts with the fragment versions' cache trusted (an outage test pauses it
    for ``CACHE_PAUSE_SECONDS`` in its process: cpts_portal.fragments)."""
    from cpts_portal import fragments

    monkeypatch.setattr(fragments, "_paused_until", 0.0)
    monkeypatch.setattr(fragments, "_missed", set())


@pytest.fixture(autouse=True)
def _no_background_threads(settings):
    """Tasks run inline, in the test's transaction (``cpts_portal.background``); the tests of
    the background threads turn them back on."""
    settings.BACKGROUND_TASKS_IN_THREADS = False


@pytest.fixture(autouse=True)
def _celery_tasks_run_in_process():
    """Run Celery tasks eagerly in every test, even when REDIS_URL is set (as in CI).

    Without this, setting REDIS_URL would send the tasks of plain unit tests to a broker
    with no worker. ``celery_worker_process`` turns it off for the tests that use it.
    """
    from cpts_portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


# --- Outcome of the current test, for teardown -------------------------------------------

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def node_failed(node: pytest.Item) -> bool:
    """True when the setup or the body of the test failed (usable in fixture teardown)."""
    return any(report.failed for report in node.stash.get(_reports, {}).values())


def results_dir(node: pytest.Item) -> Path:
    """``test-results/<test id>/`` at the repository root, created on demand."""
    name = re.sub(r"[^\w.-]+", "-", node.nodeid).strip("-")
    path = node.config.rootpath / "test-results" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright, launched once per session (xdist worker)."""
    if problem := chromium_problem():
        missing_service(problem)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium, live_server, request):
    """A page in a fresh French context on ``live_server``; screenshot on failure."""
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    try:
        yield page
    finally:
        keep_failing_page(page, request.node)
        quiet_before_closing(context)
        context.close()


def quiet_before_closing(context) -> None:
    """Closing a page fires its « on leaving » work (the draft autosave's beacon, which
    Playwright's routes do not see): stubbed, and any other request refused, so that nothing
    reaches the live server while the test database is being flushed (a deadlock in CI)."""
    no_beacon = "() => Object.defineProperty(navigator, 'sendBeacon', {value: () => true})"
    for each in context.pages:
        with contextlib.suppress(Exception):  # a closed or crashed page sends nothing more
            each.evaluate(no_beacon)
    context.route("**/*", lambda route: route.abort())


def keep_failing_page(page, node: pytest.Item) -> None:
    """When the test failed, write the page's screenshot and HTML to ``test-results/``."""
    if not node_failed(node):
        return
    folder = results_dir(node)
    try:
        page.screenshot(path=folder / "failure.png", full_page=True)
        (folder / "failure.html").write_text(page.content(), encoding="utf-8")
        print(f"Screenshot of the failing page: {folder / 'failure.png'}")
    except Exception as error:  # a closed or crashed page: keep the real failure
        print(f"No screenshot of the failing page: {error}")


# --- Celery worker ---------------------------------------------------------------------------


@dataclass
class CeleryWorker:
    """A running ``celery worker`` subprocess, as yielded by ``celery_worker_process``."""

    name: str  #: node name, for ``app.control.ping(destination=[worker.name])``
    queue: str  #: the only queue it consumes; the test process's default queue meanwhile
    mail_dir: Path  #: its EMAIL_FILE_PATH (file email backend)
    log_path: Path  #: its stdout and stderr
    database_url: str  #: the test database it uses
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def emails(self) -> list[EmailMessage]:
        """Emails the worker has sent so far, oldest file first."""
        separator = b"\n" + b"-" * 79 + b"\n"
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            # A file holds every message of one connection; the last chunk may be incomplete.
            for chunk in path.read_bytes().split(separator)[:-1]:
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return messages

    def wait_for(self, condition: Callable[[], T], timeout: float = 20, what: str = "") -> T:
        """Poll ``condition`` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            if result := condition():
                return result
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker died.\n--- worker log ---\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Timed out after {timeout}s waiting for {what or condition!r}.\n"
                    f"--- worker log ---\n{self.log()}"
                )
            time.sleep(0.1)

    def wait_for_emails(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        """Wait until at least ``count`` emails were sent; return them all."""
        return self.wait_for(
            lambda: (messages := self.emails()) and len(messages) >= count and messages,
            timeout,
            what=f"{count} email(s) in {self.mail_dir}",
        )


def database_url(db: dict) -> str:
    """A postgres:// URL for a Django DATABASES entry, as dj-database-url parses it back."""
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory
        host = quote(host, safe="")
    elif ":" in host:  # IPv6
        host = f"[{host}]"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int)}
    path = "/" + quote(db["NAME"], safe="")
    return urlunsplit(("postgres", f"{auth}{host}{port}", path, urlencode(options), ""))


def _remove_queue_keys(redis_url: str, queue: str) -> None:
    """Best effort: drop the Redis keys of a test queue (messages and exchange binding)."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        keys = [
            *client.scan_iter(match=f"{queue}*"),  # messages, one list per priority
            f"_kombu.binding.{queue}",
            f"_kombu.binding_permanent.{queue}",
        ]
        client.delete(*keys)
    except redis.RedisError:
        pass


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path, request):
    """Start a real ``celery worker`` subprocess: ``start(broker_url=None, env=None)``.

    The test is transactional (this fixture requests ``transactional_db``): the worker is
    another process with its own connection, so it only sees committed rows. It runs
    ``celery -A cpts_portal worker --pool=solo`` from this virtualenv with:

    - DATABASE_URL pointing at the test database of this xdist worker (read from
      ``settings.DATABASES`` once pytest-django has created it);
    - the broker given (default: the configured one, else REDIS_URL), which the test
      process's Celery app is pointed at too;
    - a queue of its own (``-Q``, also CELERY_TASK_DEFAULT_QUEUE): meanwhile this process's
      Celery app sends to that queue by default and with ``task_always_eager`` off, so
      ``task.delay()`` in the test or in the code under test reaches this worker only;
    - EMAIL_BACKEND=file into ``worker.mail_dir`` (read them with ``worker.emails()``), and
      the extra environment variables given (EMAIL_BACKEND=smtp, OUTBOX_MAX_ATTEMPTS...).

    It is ready when it answers a ping; it gets SIGTERM (warm shutdown) at teardown, before
    the database is flushed, and the app's broker, queue and eager mode are restored. Its
    log is printed when the test fails. One worker per test: the app follows the last one.
    """
    if problem := integration_problem():
        missing_service(problem)
    from django.conf import settings

    from cpts_portal.celery import app

    db = settings.DATABASES["default"]
    if not db["NAME"].startswith("test_"):
        pytest.fail(f"Refusing to start a worker on {db['NAME']!r}: not a test database.")
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_default_queue", "task_always_eager")
    }
    started: list[tuple[CeleryWorker, str]] = []

    def start(broker_url: str | None = None, env: dict[str, str] | None = None) -> CeleryWorker:
        assert not started, "one worker per test"
        broker_url = broker_url or saved["broker_url"] or os.environ["REDIS_URL"]
        xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        queue = f"cpts-test-{xdist_worker}-{uuid.uuid4().hex[:8]}"
        name = f"{queue}@{socket.gethostname()}"
        mail_dir = tmp_path / "mail"
        mail_dir.mkdir()
        log_path = tmp_path / "celery-worker.log"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "cpts_portal.settings"
            ),
            "DATABASE_URL": database_url(db),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "cpts_portal", "worker",
            "--pool=solo", "--concurrency=1", "-l", "info", "-Q", queue, "-n", name,
            # Faster start, and no chatter with the workers of other xdist processes.
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        with log_path.open("w", encoding="utf-8") as log:
            log.write(f"$ {' '.join(command)}\n# broker {broker_url}\n")
            log.write(f"# DATABASE_URL={worker_env['DATABASE_URL']}\n")
            log.flush()
            process = subprocess.Popen(
                command,
                cwd=request.config.rootpath,
                env=worker_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = CeleryWorker(name, queue, mail_dir, log_path, worker_env["DATABASE_URL"], process)
        started.append((worker, broker_url))

        # The test process publishes to the same broker and queue, for real.
        app.conf.broker_url = broker_url
        app.conf.task_default_queue = queue
        app.conf.task_always_eager = False
        forget_broker_connections(app)
        worker.wait_for(
            lambda: re.search(r"\bready\.", worker.log()),
            timeout=WORKER_START_TIMEOUT,
            what="the Celery worker to start",
        )
        # "ready" can precede the broadcast subscription by a moment: wait for a pong.
        wait_for_pong(worker)
        return worker

    try:
        yield start
    finally:
        app.conf.update(saved)
        forget_broker_connections(app)
        for worker, broker_url in started:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=WORKER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            _remove_queue_keys(broker_url, worker.queue)
            if node_failed(request.node):
                print(f"--- Celery worker log ({worker.log_path}) ---\n{worker.log()}")


@pytest.fixture
def celery_worker_process(celery_worker_factory) -> CeleryWorker:
    """A real worker on the configured broker (Redis): ``celery_worker_factory()``."""
    return celery_worker_factory()


def forget_broker_connections(app) -> None:
    """Make the Celery app read ``broker_url`` again at its next connection.

    Celery keeps a connection pool, a producer pool and the control mailbox's producer pool
    once created, and ``app.close()`` forgets only the first; this forgets the three, as
    Celery itself does after a fork. They are not closed: kombu registers them per broker
    URL and would hand the closed ones back when the URL is used again.
    """
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    control = app.__dict__.get("control")
    if control is not None:
        control.mailbox.__dict__.pop("producer_pool", None)


def wait_for_pong(worker: CeleryWorker, timeout: float = WORKER_START_TIMEOUT) -> None:
    """Wait until the worker answers a ping: it is connected and consuming its queue."""
    from cpts_portal.celery import app

    def pong() -> bool:
        try:
            return bool(app.control.ping(destination=[worker.name], timeout=0.5))
        except Exception:  # a broker coming back raises for a while: not yet
            return False

    worker.wait_for(pong, timeout, what=f"the Celery worker {worker.name} to answer a ping")
