"""HTTP for the bundled handlers: one deadline per request, one retry policy, no redirects, no proxies.

Standard library only (Python >= 3.10); shipped beside ``bridge.py`` and ``job_launcher.py`` (one
ConfigMap per chart and namespace). ``http.client`` is used directly instead of ``urllib``, so:

- a redirect is never followed (``urllib`` would resend a POST as a GET, with its Authorization header,
  to whatever host the Location names): a 3xx answer is a ``RedirectRefused`` error;
- ``HTTP(S)_PROXY`` / ``NO_PROXY`` are ignored (in-cluster calls go straight to the Service); a proxy is
  used only when the caller passes one explicitly;
- one deadline covers connect, send, the status line, the headers and the whole body: a timer shuts the
  socket down when it expires, so a server that trickles its answer cannot outlast it.

Timing model (``worst_case_seconds`` below; ``src/asya/handler-budget.ts`` computes the same number
for the actor's processing timeout, and a test compares the two):

- each attempt has the deadline ``timeout`` (never later than the whole call's deadline);
- "unavailable" answers (connection refused or reset before the request was sent, DNS failure, a connect
  timeout, HTTP 429, 502, 503, and 404 when ``retry_not_found``) are retried while the time since the
  first attempt is below ``cold_start`` seconds, and after that while fewer than ``max_retries`` retries
  were made (retries made inside the window are not counted against ``max_retries``);
- other 5xx and a connection lost after the request was sent are retried while fewer than
  ``max_retries`` retries were made;
- a read timeout (the deadline expired after the request was sent: the server may still be working on
  it) is retried at most once, and only within ``max_retries``;
- any other status is returned to the caller, never retried;
- no retry starts with less than ``MIN_ATTEMPT_SECONDS`` (or ``timeout``, if shorter) left of the deadline;
- sleeps between attempts: ``Retry-After`` seconds on 429/503 when sent, else ``backoff * 2^(n-1)``
  (n = the retry's number), each capped at ``MAX_SLEEP_SECONDS``;
- the whole call never runs past ``cold_start + timeout * (max_retries + 1) + MAX_SLEEP_SECONDS *
  max_retries`` seconds.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Mapping, Optional

MAX_SLEEP_SECONDS = 30.0
"""Longest sleep between two attempts (Retry-After and backoff are capped to it)."""

MIN_ATTEMPT_SECONDS = 1.0
"""No retry is started with less than this (or the attempt timeout, if shorter) left of the deadline."""

CHUNK_BYTES = 65536

UNAVAILABLE_STATUSES = (429, 502, 503)


class HttpFailure(Exception):
    """A call that failed for good; the message says why (never the request body)."""


class GaveUp(HttpFailure):
    """Every allowed attempt failed, or the call's deadline passed."""


class RedirectRefused(HttpFailure):
    """The server answered 3xx: redirects are never followed."""


class ResponseTooLarge(HttpFailure):
    """The body is larger than the caller's limit: not retried (the answer would be as large again)."""


class TlsFailure(HttpFailure):
    """The server's certificate could not be verified: a configuration problem, not retried."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long one call may take and what is retried (see the module docstring)."""

    timeout: float
    """Deadline of one attempt, in seconds: connect, send and the whole answer."""
    max_retries: int
    """Retries after the first attempt (beyond the cold-start window)."""
    backoff: float = 1.0
    """First sleep between attempts, in seconds; doubles with every retry."""
    cold_start: float = 0.0
    """Seconds from the first attempt during which unavailable answers keep being retried."""
    retry_not_found: bool = False
    """Count 404 as unavailable (Seldon answers 404 while the model is not scheduled)."""

    def worst_case_seconds(self) -> float:
        """The longest a call can take: its deadline, counted from the first attempt."""
        return worst_case_seconds(self.timeout, self.max_retries, self.cold_start)


def worst_case_seconds(timeout: float, max_retries: int, cold_start: float = 0.0) -> float:
    """``cold_start + timeout * (max_retries + 1) + MAX_SLEEP_SECONDS * max_retries``."""
    return cold_start + timeout * (max_retries + 1) + MAX_SLEEP_SECONDS * max_retries


class Headers(Mapping[str, str]):
    """Response headers looked up case-insensitively (uvicorn/Starlette, as in vLLM, and Envoy send
    lower-case names such as ``retry-after``); a repeated header keeps its last value."""

    def __init__(self, pairs) -> None:
        self._items = {k.lower(): (k, v) for k, v in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self):
        return (k for k, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items


@dataclass(frozen=True)
class Response:
    """A final answer: any status the policy does not retry (and that is not a redirect)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str = field(default="")


class _Attempt(Exception):
    """One failed attempt; ``kind`` is unavailable, server or read_timeout."""

    def __init__(self, kind: str, detail: str, retry_after: Optional[float] = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.retry_after = retry_after


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return None  # absent, or an HTTP date: the exponential backoff applies
    return seconds if 0 <= seconds < float("inf") else None


def _excerpt(raw: bytes, limit: int = 300) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[:limit] + "..."


def _exchange(
    url: urllib.parse.SplitResult,
    method: str,
    body: Optional[bytes],
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
    context: Optional[ssl.SSLContext],
    proxy: Optional[urllib.parse.SplitResult],
) -> Response:
    """One attempt, bounded by ``deadline`` (a time.monotonic() value) from connect to the last byte."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Attempt("read_timeout", "the deadline passed before the attempt")
    https = url.scheme == "https"
    host, port = url.hostname or "", url.port or (443 if https else 80)
    target = urllib.parse.urlunsplit(("", "", url.path or "/", url.query, ""))
    if proxy is not None:
        conn_host, conn_port = proxy.hostname or "", proxy.port or 80
        if not https:
            target = urllib.parse.urlunsplit((url.scheme, url.netloc, url.path or "/", url.query, ""))
    else:
        conn_host, conn_port = host, port
    conn: http.client.HTTPConnection
    if https:
        conn = http.client.HTTPSConnection(conn_host, conn_port, timeout=remaining, context=context)
        if proxy is not None:
            conn.set_tunnel(host, port)
    else:
        conn = http.client.HTTPConnection(conn_host, conn_port, timeout=remaining)
    expired = threading.Event()

    def _expire() -> None:  # the whole-request deadline: unblock any read or write in progress
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(remaining, _expire)
    timer.daemon = True
    timer.start()
    sent = False
    try:
        try:
            conn.connect()
        except ssl.SSLCertVerificationError as err:
            raise TlsFailure(f"TLS certificate verify failed: {err.verify_message or err}") from None
        except (OSError, http.client.HTTPException) as err:
            # Refused, unreachable, DNS, connect timeout: the server never saw the request.
            raise _Attempt("unavailable", f"{type(err).__name__}: {err}") from None
        try:
            conn.request(method, target, body=body, headers=dict(headers))
            sent = True
            response = conn.getresponse()
            status = response.status
            if 300 <= status < 400:
                raise RedirectRefused(f"HTTP {status} redirect to {_excerpt(response.getheader('Location', '?').encode(), 200)} not followed")
            length = response.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise ResponseTooLarge(f"HTTP {status} answer of {int(length)} bytes exceeds the limit of {max_bytes} bytes")
            chunks, size = [], 0
            while True:
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise ResponseTooLarge(f"HTTP {status} answer exceeds the limit of {max_bytes} bytes")
                chunks.append(chunk)
            if expired.is_set():  # the shutdown may end a body early without an exception
                raise socket.timeout("the request deadline expired while reading the answer")
            raw = b"".join(chunks)
            header_map = Headers(response.getheaders())
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        except (HttpFailure, _Attempt):
            raise
        except (OSError, http.client.HTTPException) as err:
            if expired.is_set() or isinstance(err, (socket.timeout, TimeoutError)):
                if not sent:
                    raise _Attempt("unavailable", "timed out while sending the request") from None
                raise _Attempt("read_timeout", "timed out: no complete answer before the request deadline") from None
            if not sent:
                raise _Attempt("unavailable", f"{type(err).__name__}: {err}") from None
            raise _Attempt("server", f"connection lost after the request was sent: {type(err).__name__}: {err}") from None
    finally:
        timer.cancel()
        conn.close()
    return Response(status, header_map, raw, content_type)


def request(
    policy: RetryPolicy,
    method: str,
    url: str,
    body: Optional[bytes] = None,
    headers: Optional[Mapping[str, str]] = None,
    max_bytes: int = 8 * 1024 * 1024,
    context: Optional[ssl.SSLContext] = None,
    proxy: Optional[str] = None,
    deadline: Optional[float] = None,
) -> Response:
    """One call with the policy's retries; returns the first final answer (2xx, or a status not retried).

    ``deadline`` (a time.monotonic() value) bounds the whole call; by default it is the policy's worst
    case from now. Raises ``GaveUp``, ``RedirectRefused``, ``ResponseTooLarge`` or ``TlsFailure``.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    proxy_parts = urllib.parse.urlsplit(proxy) if proxy else None
    started = time.monotonic()
    end = deadline if deadline is not None else started + policy.worst_case_seconds()
    retries = cold_retries = read_timeouts = 0  # retries in the cold-start window do not count (max_retries)
    while True:
        attempt_deadline = min(time.monotonic() + policy.timeout, end)
        try:
            response = _exchange(parts, method, body, headers or {}, attempt_deadline, max_bytes, context, proxy_parts)
            status = response.status
            if status in UNAVAILABLE_STATUSES or (status == 404 and policy.retry_not_found):
                delay = _retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
                raise _Attempt("unavailable", f"HTTP {status}: {_excerpt(response.body)}", delay)
            if status >= 500:
                raise _Attempt("server", f"HTTP {status}: {_excerpt(response.body)}")
            return response
        except _Attempt as err:
            elapsed = time.monotonic() - started
            in_window = err.kind == "unavailable" and elapsed < policy.cold_start
            if in_window:
                allowed = True  # bounded by the call's deadline (cold_start is part of it)
            elif err.kind == "unavailable":
                allowed = retries < policy.max_retries
            elif err.kind == "read_timeout":
                allowed = read_timeouts == 0 and retries < policy.max_retries
                read_timeouts += 1
            else:
                allowed = retries < policy.max_retries
            attempts = retries + cold_retries + 1
            if not allowed:
                raise GaveUp(f"failed after {attempts} attempt(s) in {elapsed:.1f}s: {err}") from None
            if in_window:
                cold_retries += 1
            else:
                retries += 1
            delay = err.retry_after if err.retry_after is not None else policy.backoff * 2 ** (attempts - 1)
            delay = min(delay, MAX_SLEEP_SECONDS)
            # An attempt with less than MIN_ATTEMPT_SECONDS left could not finish: give up instead.
            if time.monotonic() + delay + min(MIN_ATTEMPT_SECONDS, policy.timeout) > end:
                raise GaveUp(f"failed after {attempts} attempt(s) in {elapsed:.1f}s (deadline reached): {err}") from None
            time.sleep(delay)
