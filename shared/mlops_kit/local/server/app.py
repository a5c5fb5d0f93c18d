"""The local backend's server process: ``python -m mlops_kit.local.server.app --port N``.

Verifies moto's seams, installs the kit's extensions in this process (the plain
``moto_server`` command could not load them), then serves moto's WSGI app with werkzeug's
threaded server on 127.0.0.1 only. A small kit route, ``STATUS_PATH``, tells clients that
this is the kit's server and which process it is; moto's own routes are untouched.
"""

import argparse
import json
import logging
import os
import signal
import sys
import time
from importlib.metadata import version

import psutil
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from .. import clock
from ..environment import DEFAULT_REGION, local_environment
from ..rooms import install_all
from ..seams import SeamError
from .detached import (
    EXIT_PORT_IN_USE, HOST, SERVICE_NAME, STATUS_PATH, code_fingerprint, configured_port, forget_state, record_state,
)

EXIT_SEAMS = 2


def prepare_process(port: int) -> None:
    """Point this process's own boto3 at itself, then check moto's seams and install every room."""
    os.environ.pop("AWS_PROFILE", None)
    region = os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    os.environ.update(local_environment(f"http://{HOST}:{port}", region))
    install_all()


def make_kit_server(port: int) -> BaseWSGIServer:
    """Bind moto's app plus the kit's status route on 127.0.0.1:port (threaded)."""
    identity = {
        "service": SERVICE_NAME,
        "pid": os.getpid(),
        "port": port,
        "url": f"http://{HOST}:{port}",
        "version": version("mlops-kit"),
        "moto_version": version("moto"),
        "started_at": time.time(),
        "code": code_fingerprint(),
    }

    def describe() -> dict:
        return identity | {"rss_bytes": psutil.Process().memory_info().rss}

    app = _with_status_route(DomainDispatcherApplication(create_backend_app), describe)
    server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler)
    server.describe = describe
    return server


def _with_status_route(app, describe):
    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(clock.CLOCK_PATH):  # the backend clock's routes (clock.py)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            code, answer = clock.handle_request(environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                                environ["wsgi.input"].read(length) if length else b"")
            body = json.dumps(answer).encode()
            start_response(f"{code} {'OK' if code == 200 else 'Error'}",
                           [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO") != STATUS_PATH:
            return app(environ, start_response)
        body = json.dumps(describe()).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return application


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_kit.local.server.app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: MLOPS_KIT_PORT or 4599)")
    port = parser.parse_args(argv).port or configured_port()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    log = logging.getLogger("mlops_kit.local.server.app")
    try:
        prepare_process(port)
    except SeamError as error:
        log.error("%s", error)
        return EXIT_SEAMS
    try:
        server = make_kit_server(port)
    except (OSError, SystemExit):  # werkzeug prints the OS's reason and exits when it cannot bind
        log.error("Cannot listen on %s:%s: another program holds the port. Stop it, or choose another port "
                  "with MLOPS_KIT_PORT or `mlops-kit server start --port N`.", HOST, port)
        return EXIT_PORT_IN_USE

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    state = server.describe()
    record_state(state)
    log.info("Serving on %s (pid %s, mlops-kit %s, moto %s)", state["url"], state["pid"], state["version"], state["moto_version"])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        forget_state(state["pid"])
        log.info("Stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
