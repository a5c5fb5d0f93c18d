"""Put AWS service events on the local EventBridge, as the real services do on their own.

Real SageMaker emits events such as "SageMaker Model Package State Change" to the account's
default bus; moto's SageMaker emits none. Extensions call :func:`put_service_event` from
inside the server process. It uses moto's own events backend (not boto3 over HTTP) because
the caller already runs inside a request of the same server, and because EventBridge
rejects ``aws.*`` sources from ``PutEvents`` callers.
"""

import json
import logging
from datetime import datetime, timezone
from typing import Any

from moto.events.models import events_backends


logger = logging.getLogger(__name__)


def _as_utc(moment: datetime) -> datetime:
    """moto keeps naive datetimes in UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def event_time(moment: datetime) -> str:
    """Format a time as SageMaker event details carry it: ISO 8601, UTC, whole seconds, 'Z'."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return event_time(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable in an event detail")


def put_service_event(
    account_id: str,
    region: str,
    *,
    source: str,
    detail_type: str,
    resources: list[str],
    detail: dict[str, Any],
    time: datetime,
) -> None:
    """Deliver one service event to the default bus's matching rules.

    Delivery problems (for example a rule whose target moto cannot reach, such as a
    Lambda function) are logged, never raised: on AWS a failed delivery does not fail the
    API call that caused the event.
    """
    entry = {
        "Source": source,
        "DetailType": detail_type,
        "Resources": resources,
        "Detail": json.dumps(detail, default=_json_default),
        "Time": _as_utc(time).timestamp(),  # moto's convention: its targets format it
    }
    try:
        results = events_backends[account_id][region].put_events([entry])
    except Exception:  # noqa: BLE001 - a broken target must not break the SageMaker call
        logger.exception("Could not deliver the %r event for %s", detail_type, resources)
        return
    for result in results:
        if "ErrorCode" in result:
            logger.warning("EventBridge refused the %r event: %s", detail_type, result)
