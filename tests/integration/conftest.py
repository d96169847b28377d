"""Fixtures of the failure tests: a Redis server of their own, workers on any broker, SMTP.

``private_redis`` (function)
    A ``redis-server`` subprocess on a free port of 127.0.0.1, without persistence, in a
    temporary directory; ``stop()`` and ``start()`` it (same port) to play an outage,
    ``freeze()`` and ``thaw()`` it (SIGSTOP, SIGCONT) to play a hung server.
``celery_worker_factory`` (function)
    ``celery_worker_factory(broker_url=..., env={...})`` starts a real ``celery worker``
    subprocess like ``celery_worker_process`` (tests/conftest.py: test database, a queue of
    its own, emails to files), but on the broker given (the test process's Celery app is
    pointed at it too) and with extra environment variables (EMAIL_BACKEND=smtp,
    OUTBOX_MAX_ATTEMPTS...). Every worker started is stopped at teardown, and the app's
    broker, queue and eager mode are restored.
``smtp_server`` (function)
    ``smtp_server(rcpt=..., data=...)`` starts an in-process SMTP server (asyncio, in a
    thread) that answers the given reply to every RCPT TO or after every DATA; see
    ``SmtpServer``.
``closed_port`` (function)
    A port of 127.0.0.1 bound by no listening socket: connecting to it is refused.
"""

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import (
    WORKER_START_TIMEOUT,
    WORKER_STOP_TIMEOUT,
    CeleryWorker,
    _remove_queue_keys,
    database_url,
    integration_problem,
    missing_service,
    node_failed,
)

T = TypeVar("T")

REDIS_START_TIMEOUT = 20  # seconds


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``condition`` (exceptions count as "not yet") until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            if result := condition():
                return result
        except Exception as error:  # a service coming back raises for a while
            last_error = error
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            pytest.fail(f"Timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(0.1)


# --- Redis -------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A ``redis-server`` of the test's own; the port stays the same across restarts."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        client = redis.Redis(
            host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        assert self.process is None, "redis-server is already running"
        log = (self.directory / "redis.log").open("a", encoding="utf-8")
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}:\n{self.log()}")
            time.sleep(0.05)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing answers (a hung server)."""
        assert self.process is not None, "redis-server is not running"
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop the server (SIGTERM, nothing saved) and wait for it to exit."""
        if self.process is None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        missing_service("failure test: the redis-server binary is not installed")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(free_port(), directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- Celery workers ------------------------------------------------------------------------


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path, request):
    """Start real Celery workers on a broker of the test's choice; see the module doc.

    Only one worker at a time: the test process's Celery app follows the last one started.
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
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        with log_path.open("w", encoding="utf-8") as log:
            log.write(f"$ {' '.join(command)}\n# broker {broker_url}\n")
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
        if worker.process.poll() is not None:
            pytest.fail(f"The Celery worker died.\n--- worker log ---\n{worker.log()}")
        return bool(app.control.ping(destination=[worker.name], timeout=0.5))

    wait_until(pong, timeout, f"the Celery worker {worker.name} to answer a ping")


# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class SmtpTransaction:
    """What one SMTP client sent over one connection."""

    mail_from: str = ""
    recipients: list[str] = field(default_factory=list)
    data_sent: bool = False


@dataclass
class SmtpServer:
    """A minimal SMTP server on 127.0.0.1 that refuses what it is told to refuse.

    ``rcpt``: the reply to every ``RCPT TO`` (None: accept); ``data``: the reply once the
    message content has been received (None: accept). Every attempt is recorded in
    ``transactions``; ``rcpt_attempts(address)`` counts the RCPT TO of one address.
    """

    rcpt: str | None = None
    data: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    transactions: list[SmtpTransaction] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    def rcpt_attempts(self, address: str) -> int:
        return sum(t.recipients.count(address) for t in self.transactions)

    def data_attempts(self, address: str) -> int:
        return sum(1 for t in self.transactions if t.data_sent and address in t.recipients)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        transaction = SmtpTransaction()

        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        try:
            await reply("220 smtp.test ESMTP refusing test server")
            while line := (await reader.readline()).decode(errors="replace").rstrip("\r\n"):
                verb, _, argument = line.partition(" ")
                verb = verb.upper()
                if verb == "EHLO":
                    await reply("250-smtp.test\r\n250 8BITMIME")
                elif verb in {"HELO", "NOOP"}:
                    await reply("250 OK")
                elif verb == "MAIL":
                    transaction = SmtpTransaction(mail_from=argument)
                    self.transactions.append(transaction)
                    await reply("250 2.1.0 OK")
                elif verb == "RCPT":
                    address = re.sub(r"^TO:\s*<?([^>]*)>?.*$", r"\1", argument, flags=re.I)
                    transaction.recipients.append(address)
                    await reply(self.rcpt or "250 2.1.5 OK")
                elif verb == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    while (await reader.readline()) not in {b".\r\n", b".\n", b""}:
                        pass
                    transaction.data_sent = True
                    await reply(self.data or "250 2.0.0 Queued")
                elif verb == "RSET":
                    await reply("250 OK")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 5.5.2 Command not recognised")
        finally:
            writer.close()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            server = self._loop.run_until_complete(
                asyncio.start_server(self._session, self.host, 0)
            )
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                self._loop.run_forever()
            finally:
                server.close()
                self._loop.run_until_complete(server.wait_closed())
                self._loop.close()

        self._thread = threading.Thread(target=serve, name="smtp-test-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            pytest.fail("The test SMTP server did not start")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    servers: list[SmtpServer] = []

    def start(rcpt: str | None = None, data: str | None = None) -> SmtpServer:
        server = SmtpServer(rcpt=rcpt, data=data)
        server.start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


# --- Ports -------------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound without listening: every connection to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
