"""EventBridge delivers whole events to targets that have no input transformer, as AWS does.

moto's default template rebuilds the event without ``account``; real targets receive the
event itself.
"""

import functools

from moto.events.utils import EventTemplateParser

from ..seams import install_once

SEAMS: list[tuple] = [  # Whole events delivered to targets; service events put on the bus.
    ("moto.events.models.events_backends", "attribute"),
    ("moto.events.models.EventsBackend.put_events", "callable", ("events",)),
    ("moto.events.utils.EventTemplateParser.parse", "callable", ("input_template", "input_paths_map", "event")),
]


def install() -> None:
    """Deliver whole events to targets, as EventBridge does."""
    install_once(__name__, SEAMS, _deliver_full_events)


def _deliver_full_events() -> None:
    original = EventTemplateParser.parse

    @functools.wraps(original)
    def parse(input_template, input_paths_map, event):
        if input_template or input_paths_map:
            return original(input_template, input_paths_map, event)
        # moto keeps "time" as a Unix number here; its SQS and Logs delivery format it.
        return {k: v for k, v in event.items() if k != "ingestion-time"}

    EventTemplateParser.parse = staticmethod(parse)
