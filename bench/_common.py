"""Shared by the benchmark scripts.

In-process (``reports.py``, ``triage.py``...): Django set-up, a throwaway database,
percentiles, a query counter. On the real stack (``http.py``, ``load.py``): a PostgreSQL
database, a ``redis-server`` and gunicorn of their own, stopped in every case, the portal's
environment, a plain HTTP client, signing in and ``wrk``.

``http`` is imported inside the functions that need it: scripts run as
``python bench/x.py`` have this folder first on sys.path, where ``bench/http.py`` would
shadow the standard library's package.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REQUEST_TIMEOUT = 60  # seconds, per request
START_TIMEOUT = 90  # seconds, for each service to come up
STOP_TIMEOUT = 20
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpts_portal.settings")
    import django

    django.setup()


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """A freshly migrated database of its own, dropped at the end.

    A temporary SQLite file (not in-memory, to measure real disk writes) or
    ``bench_<label>_<pid>`` on the configured PostgreSQL server: the configured database,
    and a concurrent pytest run's test database, are left alone.
    """
    from django.db import connection

    with tempfile.TemporaryDirectory() as tmp:
        original_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(tmp) / "bench.sqlite3")
        else:
            test_settings["NAME"] = f"bench_{label}_{os.getpid()}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            version = ".".join(map(str, connection.get_database_version()))
            print(f"Database: {connection.vendor} {version} ({connection.settings_dict['NAME']})")
            yield
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def describe_ms(values: list[float]) -> str:
    milliseconds = [value * 1000 for value in values]
    p50, p95 = statistics.median(milliseconds), percentile(milliseconds, 0.95)
    worst, count = max(milliseconds), len(milliseconds)
    return f"p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {worst:6.2f} ms   (n={count})"


class QueryCounter:
    """``with connection.execute_wrapper(counter := QueryCounter()):`` counts the queries.

    Counted through the connection: Django's ``CaptureQueriesContext`` loses a request's
    queries, as ``request_started`` empties the connection's log.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# --- Services (http.py, load.py) -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Stack:
    """What was started, stopped in reverse order whatever happens."""

    def __init__(self) -> None:
        self.cleanups: list[tuple[str, Callable[[], None]]] = []

    def push(self, what: str, cleanup: Callable[[], None]) -> None:
        self.cleanups.append((what, cleanup))

    def close(self) -> None:
        while self.cleanups:
            what, cleanup = self.cleanups.pop()
            try:
                cleanup()
            except Exception as error:  # keep stopping the rest
                print(f"  could not stop {what}: {error!r}", file=sys.stderr)

    def process(self, what: str, command: list[str], log_path: Path, env: dict) -> subprocess.Popen:
        with log_path.open("ab") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopped with its children
            )
        self.push(what, lambda: stop_process(process))
        return process


@contextmanager
def stack_and_folder(prefix: str) -> Iterator[tuple[Stack, Path]]:
    """A ``Stack`` and a temporary folder, both gone at the end, SIGTERM included."""
    stack = Stack()
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    stack.push("temporary folder", lambda: shutil.rmtree(tmp, ignore_errors=True))
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        yield stack, tmp
    finally:
        log("stopping what the benchmark started")
        stack.close()
        signal.signal(signal.SIGTERM, previous_sigterm)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(condition: Callable[[], bool], timeout: float, what: str, process=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {timeout}s")
        time.sleep(0.2)


def run(command: list[str], env: dict, what: str) -> str:
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode:
        raise RuntimeError(f"{what} failed:\n{result.stdout}\n{result.stderr}")
    log(f"{what}: {time.monotonic() - started:.1f} s")
    return result.stdout


def manage(env: dict, *arguments: str, what: str) -> str:
    return run([sys.executable, "manage.py", *arguments], env, what)


def add_postgres_option(parser) -> None:
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a PostgreSQL server where the bench may create and drop its own database",
    )


def create_database(stack: Stack, postgres: str, name: str) -> tuple[dict, str]:
    """Database ``name`` created on the server of the URL ``postgres`` and dropped at the end:
    its psycopg connection keywords and its URL."""
    import psycopg

    server = urllib.parse.urlsplit(postgres)
    admin = {
        "host": server.hostname or "127.0.0.1",
        "port": server.port or 5432,
        "user": urllib.parse.unquote(server.username or "postgres"),
        "password": urllib.parse.unquote(server.password or "") or None,
        "dbname": server.path.lstrip("/") or "postgres",
    }
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
    log(f"PostgreSQL {version}: database {name} created")
    return {**admin, "dbname": name}, f"postgres://{auth}@{admin['host']}:{admin['port']}/{name}"


def start_redis(stack: Stack, tmp: Path) -> int:
    """A ``redis-server`` without persistence on a free port: the port."""
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
    return redis_port


@dataclass
class Services:
    """A database and Redis of the bench's own, and the environment of a portal using them."""

    port: int  # where the portal is to listen
    database: dict  # psycopg connection keywords of the bench database
    env: dict
    password: str  # of the accounts the bench creates
    static_root: Path
    mail_dir: Path


def start_services(
    stack: Stack, tmp: Path, *, postgres: str, label: str, static_root: str | None
) -> Services:
    """Database ``bench_<label>_<pid>``, redis-server and the portal's environment: DEBUG=0,
    as in production except plain HTTP and no rate limits, emails written to files."""
    database, database_url = create_database(stack, postgres, f"bench_{label}_{os.getpid()}")
    redis_port = start_redis(stack, tmp)
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    static = Path(static_root) if static_root else tmp / "static"
    port = free_port()
    # Nothing inherited may send the portal elsewhere (a developer's broker, proxies...).
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "OUTBOX_", "AXES_", "RATELIMIT_", "EMAIL_"))
        and key not in {"DATABASE_CONN_MAX_AGE", "BEHIND_HTTPS_PROXY", "TRUSTED_PROXY_COUNT"}
    }
    password = secrets.token_urlsafe(16)
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
        "EMAIL_FILE_PATH": str(mail_dir),
        "VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(static),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "BENCH_PASSWORD": password,
    }
    return Services(port, database, env, password, static, mail_dir)


def collect_static(services: Services) -> None:
    if (services.static_root / "staticfiles.json").exists():
        log(f"static files reused from {services.static_root}")
    else:
        manage(services.env, "collectstatic", "--noinput", what="collectstatic")


def start_gunicorn(
    stack: Stack,
    what: str,
    *,
    app: str,
    port: int,
    workers: int,
    log_path: Path,
    env: dict,
    ready: str,
) -> subprocess.Popen:
    """gunicorn serving ``app`` with ``workers`` sync workers, once ``ready`` answers 200."""
    command = [
        str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning",
        "--bind", f"127.0.0.1:{port}", app,
    ]  # fmt: skip
    process = stack.process(what, command, log_path, env)
    wait_until(lambda: status(port, ready) == 200, START_TIMEOUT, what, process)
    return process


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: str


class Client:
    """One browser: its cookies, one connection per request (gunicorn's sync workers close)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        import http.client

        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "cpts-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return Response(response.status, response.headers, content)


def status(port: int, path: str, cookie: str | None = None) -> int | None:
    """The HTTP status of GET ``path`` (None when the server does not answer)."""
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


# --- wrk -------------------------------------------------------------------------------------

WRK = shutil.which("wrk")
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
