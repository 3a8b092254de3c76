"""The portal's outgoing HTTP: events, install callbacks and pay-system calls to apps.

A real portal sends events from a queue server, never from the hit that changed the data
(api-reference/events/index.md), so a slow or dead handler cannot slow the REST call down.
The emulator does the same: `submit` only puts a job on a bounded queue, one worker thread
per portal posts them in order with short timeouts, and a full queue drops the job (and
says so in the log) instead of blocking. Install callbacks and checkout calls are answered
to whoever asked for them, so `send` posts at once and returns the record.

Every attempt is kept as a `Delivery` (`portal.deliveries`) so tests can read what was
sent and what the app answered; `drain()` waits until the queue is empty, which makes
event tests deterministic without sleeping. The body of a record holds the app's tokens
as sent; the record's repr and its `params` view mask them.

Bodies are `application/x-www-form-urlencoded` with PHP-style nested keys, percent-encoded
as PHP's http_build_query does (`data%5BFIELDS%5D%5BID%5D=5`, spaces as `+`).
"""

from __future__ import annotations

import http.client
import itertools
import queue
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .protocol import encode_php_pairs

FORM = "application/x-www-form-urlencoded"
# Keys whose values are secrets of the app or of a user; masked in `params` and reprs.
SECRET_KEYS = frozenset({"access_token", "refresh_token", "application_token", "auth_id", "refresh_id", "client_secret"})
MAX_REPLY_BYTES = 1024 * 1024


def php_form(payload: Mapping[str, Any]) -> bytes:
    """A nested payload as PHP's http_build_query encodes it (RFC 1738: spaces as `+`)."""
    return "&".join(f"{_php_quote(key)}={_php_quote(value)}" for key, value in encode_php_pairs(payload)).encode()


def _php_quote(text: str) -> str:
    # PHP's urlencode leaves only letters, digits and -_. alone; Python's quote_plus also keeps ~
    return urllib.parse.quote_plus(text, safe="").replace("~", "%7E")


def masked(payload: Any) -> Any:
    """A copy of a payload with every secret value replaced by `***`."""
    if isinstance(payload, Mapping):
        return {key: "***" if str(key).lower() in SECRET_KEYS and value else masked(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [masked(item) for item in payload]
    return payload


@dataclass
class Job:
    """One outgoing request: where, what, and what it is for (kind, event, app, handler)."""

    kind: str  # "event", "install", "checkout"
    url: str
    payload: dict[str, Any] = field(repr=False)
    http_method: str = "POST"
    event: str | None = None
    client_id: str | None = None
    handler_id: int | None = None
    queued_at: float = field(default_factory=time.time)


@dataclass
class Delivery:
    """One attempt, as the app received it and as it answered; `status` 0 means no answer."""

    seq: int
    kind: str
    url: str
    http_method: str
    event: str | None
    client_id: str | None
    handler_id: int | None
    content_type: str
    body: bytes = field(repr=False)  # exactly as sent: contains the app's tokens
    params: dict[str, Any]  # the payload with secrets masked
    status: int = 0
    reply: bytes = field(default=b"", repr=False)
    reply_content_type: str = ""
    error: str | None = None  # "dropped: queue full", "timeout", "connection refused", ...
    queued_at: float = 0.0
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def to_json(self) -> dict[str, Any]:
        """For /_emulator/deliveries: everything but the raw body (it holds the app's tokens)."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "url": self.url,
            "http_method": self.http_method,
            "event": self.event,
            "client_id": self.client_id,
            "handler_id": self.handler_id,
            "content_type": self.content_type,
            "params": self.params,
            "status": self.status,
            "reply": self.reply.decode("utf-8", "replace"),
            "reply_content_type": self.reply_content_type,
            "error": self.error,
            "queued_at": self.queued_at,
            "duration": self.duration,
        }


def _send(job: Job, body: bytes, timeout: float) -> tuple[int, bytes, str, str | None]:
    """POST (or GET, with the payload in the query) one request; never raises."""
    try:
        parts = urllib.parse.urlsplit(job.url)
        port = parts.port  # raises for a port out of range, which event.bind does not check
    except ValueError as exc:
        return 0, b"", "", f"not a usable URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return 0, b"", "", f"not an http(s) URL: {job.url!r}"
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname, port, timeout=timeout)
    target = parts.path or "/"
    query = parts.query
    headers = {"User-Agent": "Bitrix24 Emulator", "Connection": "close"}
    if job.http_method == "GET":
        query = "&".join(filter(None, [query, body.decode()]))
        payload: bytes | None = None
    else:
        payload = body
        headers["Content-Type"] = FORM
    try:
        connection.request(job.http_method, target + (f"?{query}" if query else ""), body=payload, headers=headers)
        response = connection.getresponse()
        reply = response.read(MAX_REPLY_BYTES)
        return response.status, reply, response.getheader("Content-Type") or "", None
    except TimeoutError:
        return 0, b"", "", "timeout"
    except (OSError, http.client.HTTPException) as exc:
        return 0, b"", "", f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


class Deliverer:
    """The outgoing queue of one portal: a worker thread, a bounded queue, a log of attempts."""

    def __init__(self, timeout: float = 3.0, capacity: int = 1000, max_records: int = 10_000) -> None:
        self.timeout = timeout
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=capacity)
        self._records: list[Delivery] = []
        self._max_records = max_records
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._worker: threading.Thread | None = None
        self._stopped = False

    def __repr__(self) -> str:
        return f"Deliverer(pending={self._pending}, records={len(self._records)})"

    # --- submitting -----------------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue a job for the worker; never blocks (a full queue records the job as dropped)."""
        with self._lock:
            if self._stopped:
                self._record(job, php_form(job.payload), error="dropped: portal stopped")
                return
            self._ensure_worker()
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self._record(job, php_form(job.payload), error="dropped: queue full")
                return
            self._pending += 1

    def send(self, job: Job) -> Delivery:
        """Post a job now, on the caller's thread, and return its record."""
        return self._attempt(job)

    def _ensure_worker(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="b24-emulator-events", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._attempt(job)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.notify_all()

    def _attempt(self, job: Job) -> Delivery:
        body = php_form(job.payload)
        started = time.time()
        status, reply, reply_type, error = _send(job, body, self.timeout)
        with self._lock:
            return self._record(job, body, status, reply, reply_type, error, time.time() - started)

    def _record(
        self,
        job: Job,
        body: bytes,
        status: int = 0,
        reply: bytes = b"",
        reply_type: str = "",
        error: str | None = None,
        duration: float = 0.0,
    ) -> Delivery:
        delivery = Delivery(
            seq=next(self._seq),
            kind=job.kind,
            url=job.url,
            http_method=job.http_method,
            event=job.event,
            client_id=job.client_id,
            handler_id=job.handler_id,
            content_type=FORM,
            body=body,
            params=masked(job.payload),
            status=status,
            reply=reply,
            reply_content_type=reply_type,
            error=error,
            queued_at=job.queued_at,
            duration=duration,
        )
        self._records.append(delivery)
        del self._records[: max(0, len(self._records) - self._max_records)]
        return delivery

    # --- reading --------------------------------------------------------------------------------

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued job was attempted; TimeoutError if that takes over `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or (not self._idle.wait(left) and self._pending):
                    raise TimeoutError(f"{self._pending} deliveries still pending after {timeout} s")

    def summary(self) -> dict[str, int]:
        """Counts for introspection: attempts that the app answered 2xx, the other attempts, the
        dropped jobs, and the jobs still waiting."""
        with self._lock:
            dropped = sum(1 for d in self._records if (d.error or "").startswith("dropped"))
            ok = sum(1 for d in self._records if d.ok)
            return {"ok": ok, "failed": len(self._records) - ok - dropped, "dropped": dropped, "pending": self._pending}

    def records(self) -> list[Delivery]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def stop(self) -> None:
        """Stop the worker: the job it is sending finishes, jobs still queued are recorded as
        dropped (the portal is going away). A later submit starts a new worker."""
        with self._lock:
            self._stopped = True
            worker, self._worker = self._worker, None
            while True:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    self._record(job, php_form(job.payload), error="dropped: portal stopped")
                    self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()
        if worker is not None:
            self._queue.put(None)  # the queue is empty now: this cannot block
            worker.join(timeout=self.timeout + 1)
        with self._lock:
            self._stopped = False
