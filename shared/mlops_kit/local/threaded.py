"""An extended moto server inside the current process, on a free loopback port (for tests)."""

import socket
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from .extensions import install_all


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def threaded_server(port: int | None = None):
    """Yield the endpoint URL of a running, extended server; stop it afterwards."""
    install_all()
    port = port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
