"""Fixtures of the failure tests: a Redis server of their own, SMTP, a closed port.

Workers on any broker come from ``celery_worker_factory`` (tests/conftest.py).

``private_redis`` (function)
    A ``redis-server`` subprocess on a free port of 127.0.0.1, without persistence, in a
    temporary directory; ``stop()`` and ``start()`` it (same port) to play an outage,
    ``freeze()`` and ``thaw()`` it (SIGSTOP, SIGCONT) to play a hung server.
``smtp_server`` (function)
    ``smtp_server(rcpt=..., data=...)`` starts an in-process SMTP server (asyncio, in a
    thread) that answers the given reply to every RCPT TO or after every DATA; see
    ``SmtpServer``.
``closed_port`` (function)
    A port of 127.0.0.1 bound by no listening socket: connecting to it is refused.
"""

import asyncio
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import missing_service

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
