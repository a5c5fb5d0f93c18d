"""Waiting in backend tests for a resource that the server works on in the background."""

import time
from typing import Callable

POLL_SECONDS = 0.05


def wait_until(describe: Callable[[], dict], status_key: str, settled: Callable[[str], bool],
               timeout: float, what: str) -> dict:
    """Call `describe()` until its `status_key` satisfies `settled`; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        description = describe()
        if settled(description[status_key]):
            return description
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} still {description[status_key]} after {timeout:g} s")
        time.sleep(POLL_SECONDS)
