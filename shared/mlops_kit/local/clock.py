"""The local backend's clock: real time plus an offset the learner can move forward.

Why: on AWS an hourly monitoring schedule runs at the top of each hour (0-20 minutes late)
and analyses the hour before, so a lab would wait an hour per result. On the local
backend time can be advanced instead: ``advance(hours=1)`` (from a notebook) moves the
server's clock one hour on; every monitoring schedule whose cron tick was passed runs
the execution for that tick before the call returns, analysing the window before the
tick, and Data Capture stamps records (``inferenceTime`` and the hour folder) with the
clock's time, so traffic sent during simulated hour H lands in hour H's folder.
Nothing else changes: the clock only moves forward, and real time keeps flowing on top
of the offset (a tick reached by waiting runs too, within ``TICK_SECONDS``).
``/moto-api/reset`` puts the clock back to real time.

Two sides, one module (it stays light: notebooks import it):
- in the server process: ``now()``, ``advance_by()``, ``reset()``, ``add_listener()``;
- from a notebook or a test: ``advance(hours=..)`` and ``server_time()``, which call the
  server's kit routes ``POST /_mlops_kit/clock/advance`` and ``GET /_mlops_kit/clock``
  (a leading "_" cannot start an S3 bucket name, so no S3 request is shadowed).
"""

import json
import os
import threading
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

CLOCK_PATH = "/_mlops_kit/clock"
ADVANCE_PATH = "/_mlops_kit/clock/advance"
TICK_SECONDS = 1.0

_lock = threading.RLock()  # held while the clock moves and its listeners run, so each tick is seen once
_offset = timedelta(0)
_listeners: list[Callable[[datetime, bool], list]] = []


# ---- server side ----------------------------------------------------------------------


def now() -> datetime:
    """The backend's current time (UTC, timezone-aware)."""
    return datetime.now(timezone.utc) + _offset


def offset() -> timedelta:
    return _offset


def advance_by(delta: timedelta, wait: bool = True) -> tuple[datetime, list]:
    """Move the clock forward by ``delta``; return the new time and what the listeners ran."""
    global _offset
    if delta < timedelta(0):
        raise ValueError(f"The backend clock only moves forward; got {delta}. (A schedule's past executions "
                         "cannot be undone: reset the backend to start again at real time.)")
    with _lock:
        _offset += delta
        moment = now()
        ran = []
        for listener in list(_listeners):
            ran += listener(moment, wait)
    return moment, ran


def at_current_time(work: Callable[[datetime], object]):
    """``work(now())`` while the clock cannot move (how the real-time ticker looks for due ticks)."""
    with _lock:
        return work(now())


def reset() -> None:
    """Back to real time (called when moto's state is reset)."""
    global _offset
    with _lock:
        _offset = timedelta(0)


def add_listener(listener: Callable[[datetime, bool], list]) -> None:
    """Call ``listener(new_time, wait)`` after each advance; it returns a list of JSON-able summaries."""
    if listener not in _listeners:
        _listeners.append(listener)


def handle_request(method: str, path: str, body: bytes) -> tuple[int, dict]:
    """The kit routes' answers: (HTTP status, JSON body)."""
    if path == CLOCK_PATH and method == "GET":
        return 200, _state()
    if path == ADVANCE_PATH and method == "POST":
        try:
            request = json.loads(body or b"{}")
            delta = _requested_delta(request)
            moment, ran = advance_by(delta, wait=bool(request.get("wait", True)))
        except (ValueError, TypeError) as error:
            return 400, {"error": str(error)}
        return 200, _state() | {"now": moment.isoformat(), "executions": ran}
    return 405, {"error": f"{method} {path}: use GET {CLOCK_PATH} or POST {ADVANCE_PATH}"}


def _state() -> dict:
    return {"now": now().isoformat(), "offset_seconds": _offset.total_seconds()}


def _requested_delta(request: dict) -> timedelta:
    if not isinstance(request, dict):
        raise ValueError('Send a JSON object such as {"hours": 1} or {"to": "2026-01-01T10:05:00+00:00"}.')
    if request.get("to"):
        target = datetime.fromisoformat(str(request["to"]).replace("Z", "+00:00"))
        if target.tzinfo is None:
            raise ValueError(f"'to' {request['to']!r} needs a timezone (UTC), e.g. 2026-01-01T10:05:00Z.")
        delta = target - now()
        if delta < timedelta(0):
            raise ValueError(f"'to' {target.isoformat()} is before the backend's time {now().isoformat()}: the clock "
                             "only moves forward.")
        return delta
    return timedelta(hours=float(request.get("hours", 0)), minutes=float(request.get("minutes", 0)),
                     seconds=float(request.get("seconds", 0)))


# ---- client side (notebooks, tests) ---------------------------------------------------


def _server_url(url: str | None) -> str:
    if url:
        return url.rstrip("/")
    configured = os.environ.get("AWS_ENDPOINT_URL")
    if configured:
        return configured.rstrip("/")
    from .server.detached import status

    running = status()
    if running is None:
        raise RuntimeError("No local backend is running: start it with `mlops-kit server start` (or the lab's "
                           "start_session()), or pass url=.")
    return running.url


def _call(url: str, path: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url + path, data=data, method="POST" if payload is not None else "GET",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=600) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}").get("error", error.reason)
        raise ValueError(f"The backend clock refused: {detail}") from error


def advance(hours: float = 0, minutes: float = 0, seconds: float = 0, *, to: datetime | str | None = None,
            wait: bool = True, url: str | None = None) -> dict:
    """Move the local backend's clock forward (or ``to`` a UTC time); scheduled executions due run.

    Returns ``{"now": ISO time, "offset_seconds": ..., "executions": [{schedule, scheduled_time,
    status, ...}]}``. With ``wait=False`` the executions start in the background.
    """
    payload: dict = {"hours": hours, "minutes": minutes, "seconds": seconds, "wait": wait}
    if to is not None:
        payload = {"to": to.isoformat() if isinstance(to, datetime) else str(to), "wait": wait}
    return _call(_server_url(url), ADVANCE_PATH, payload)


def server_time(url: str | None = None) -> datetime:
    """The local backend's current time (what capture and schedules use)."""
    return datetime.fromisoformat(_call(_server_url(url), CLOCK_PATH)["now"])
