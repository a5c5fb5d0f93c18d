"""An extended server inside the current process, on a free loopback port (for tests).

Serves exactly what the detached server serves (moto's app, the kit's extensions and
status route), in a thread, so tests drive the same code over real HTTP.
"""

import threading
from contextlib import contextmanager

from .extensions import install_all
from .seams import verify_seams
from .serve import make_kit_server
from .server import free_port


@contextmanager
def threaded_server(port: int | None = None):
    """Yield the endpoint URL of a running, extended server; stop it afterwards."""
    verify_seams()
    install_all()
    server = make_kit_server(port or free_port())
    thread = threading.Thread(target=server.serve_forever, name="mlops-kit-test-server", daemon=True)
    thread.start()
    try:
        yield server.describe()["url"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
