"""An extended server inside the current process, on a free loopback port (for tests).

Serves exactly what the detached server serves (moto's app, the kit's extensions and
status route), in a thread, so tests drive the same code over real HTTP.
"""

import threading
from contextlib import contextmanager

from ..rooms import install_all
from .app import make_kit_server
from .detached import free_port


@contextmanager
def threaded_server(port: int | None = None):
    """Yield the endpoint URL of a running, extended server; stop it afterwards."""
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
