"""Benchmark: local server cold start (spawn to answering, median of 3), idle resident memory,
and a learner's first ``start_session()`` on a machine with no server running yet.

Run: .venv/bin/python benchmarks/server.py
Uses a temporary kit home and a free port, so a learner's running server is untouched.
"""

import os
import statistics
import tempfile
import time

from mlops_kit.local.server import detached as server
from mlops_kit.local.server.detached import free_port
from mlops_kit.session import start_session

RUNS = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["MLOPS_KIT_HOME"] = home
        os.environ["MLOPS_KIT_PORT"] = str(free_port())
        starts, memory = [], []
        for _ in range(RUNS):
            began = time.perf_counter()
            server.start()
            starts.append(time.perf_counter() - began)
            time.sleep(1.0)  # let start-up settle before reading memory
            memory.append(server.status().rss_bytes)
            server.stop()
        began = time.perf_counter()
        start_session()  # in this fresh process the SDK is not imported yet, as in a new kernel
        first_session = time.perf_counter() - began
        server.stop()
    print(f"server cold start to ready: median {statistics.median(starts):.2f} s "
          f"(runs: {', '.join(f'{seconds:.2f}' for seconds in starts)})")
    print(f"idle server resident memory: median {statistics.median(memory) / 1e6:.0f} MB")
    print(f"first start_session() with no server running (server start, SDK import, bucket, role): "
          f"{first_session:.2f} s")


if __name__ == "__main__":
    main()
