"""The moto internals the kit relies on, checked before any room patches moto.

moto has no plugin API: each room of the local backend patches moto's own classes (see
docs/extending-moto.md). If an upgrade of moto renames or reshapes one of those
internals, the server refuses to start and names every missing piece, instead of failing
later on a learner's request. ``SEAMS`` here are the ones the server itself relies on;
each room's ``patch.py`` lists its own beside the code that uses them, and installs
itself with :func:`install_once`.

Each entry of a ``SEAMS`` list is ``(dotted path, kind)`` or ``(dotted path, kind, parameter
names)``. Kinds:

- ``"module"``, ``"class"``, ``"attribute"``: the path resolves (to a class for "class");
- ``"callable"``: the path resolves to something callable whose signature has at least the
  given parameter names (seen through ``functools.wraps`` when the kit wrapped it);
- ``"backend_attribute"``: ``module.BackendClass.attr`` exists on a freshly built backend
  (for attributes set in ``__init__``, such as ``SageMakerModelBackend._models``);
- ``"kit_action"``: an action the kit adds to a response class (snake_case name) that
  moto must not implement already; if it does, ``verify_seams`` warns and the extension
  should keep moto's (``add_action`` does exactly that).
"""

import importlib
import inspect
import threading
import warnings
from collections.abc import Callable
from functools import cache
from importlib.metadata import version

PINNED_MOTO_VERSION = "5.2.5"
KIT_MODULE_PREFIX = "mlops_kit."

SEAMS: list[tuple] = [
    # The server process: moto's WSGI app and request handler, served by werkzeug.
    ("moto.moto_server.werkzeug_app.DomainDispatcherApplication", "callable", ("create_app",)),
    ("moto.moto_server.werkzeug_app.create_backend_app", "callable", ("service",)),
    ("moto.moto_server.werkzeug_app.MotoRequestHandler", "class"),
    # Adding actions: dispatch by name among a response class's plain functions.
    ("moto.core.utils.method_names_from_class", "callable", ("clazz",)),
    ("moto.core.responses.BaseResponse.call_action", "callable"),
    ("moto.core.responses.BaseResponse._get_param", "callable", ("param_name", "if_none")),
    ("moto.core.responses.ActionResult", "callable", ("result",)),
    ("moto.sagemaker.responses.SageMakerResponse", "class"),
    ("moto.sagemaker.exceptions.ValidationError", "class"),
    # Backends reached from inside the server.
    ("moto.sagemaker.models.sagemaker_backends", "attribute"),
    ("moto.s3.models.s3_backends", "attribute"),
]


class SeamError(RuntimeError):
    """The installed moto lacks internals the kit's extensions patch or call."""


class MotoAlreadyImplementsWarning(UserWarning):
    """moto now implements an action the kit adds; the kit keeps moto's."""


def moto_version() -> str:
    return version("moto")


_installed_rooms: set[str] = set()
_install_lock = threading.RLock()  # re-entrant: one room's install may install another first


def install_once(room: str, seams: list[tuple], patch_moto: Callable[[], None]) -> None:
    """Check ``room``'s seams, then run its ``patch_moto`` once per process.

    Why one helper: a patch run twice would wrap moto's methods twice, and the server, the
    threaded test server and the suite may all install; a seam that moved must stop the
    install with a SeamError that names it, before any learner request meets the change.
    """
    with _install_lock:
        if room in _installed_rooms:
            return
        verify_seams(seams)
        patch_moto()
        _installed_rooms.add(room)


def installed_rooms() -> frozenset[str]:
    """The rooms installed in this process (the server's own tests ask)."""
    return frozenset(_installed_rooms)


def verify_seams(seams: list[tuple]) -> None:
    """Raise SeamError naming every missing seam; warn about actions moto now implements."""
    for path in already_implemented_actions(seams):
        warnings.warn(
            f"moto {moto_version()} already implements {path}, an action the kit adds; "
            "the kit keeps moto's. Compare its answers with the kit's tests before relying on it.",
            MotoAlreadyImplementsWarning,
            stacklevel=2,
        )
    problems = missing_seams(seams)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise SeamError(
            f"The installed moto {moto_version()} lacks what the kit's local backend relies on "
            f"(the kit is built and tested with moto {PINNED_MOTO_VERSION}):\n{listing}\n"
            f"Install the pinned version (moto=={PINNED_MOTO_VERSION} with the extras the kit needs): "
            "pip install -r requirements.txt -c constraints.txt in the workshop's directory."
        )


def missing_seams(seams: list[tuple]) -> list[str]:
    """One line per seam that does not hold, saying what was expected."""
    problems = []
    for seam in seams:
        if seam[1] != "kit_action":
            problem = _check(*seam)
            if problem:
                problems.append(f"{seam[0]} ({seam[1]}): {problem}")
    return problems


def already_implemented_actions(seams: list[tuple]) -> list[str]:
    """Paths of "kit_action" seams that moto itself now defines."""
    found = []
    for path, kind, *_ in seams:
        if kind == "kit_action":
            owner_path, name = path.rsplit(".", 1)
            owner = _resolve(owner_path)
            existing = inspect.getattr_static(owner, name, None)
            if existing is not None and not _is_kit_code(existing):
                found.append(path)
    return found


def add_action(response_class: type, action: str, function) -> bool:
    """Add ``function`` as the snake_case ``action`` unless moto implements it already.

    Returns True when the kit's function is in place (also on a repeated install).
    """
    existing = inspect.getattr_static(response_class, action, None)
    if existing is not None and not _is_kit_code(existing):
        warnings.warn(
            f"moto {moto_version()} already implements {response_class.__name__}.{action}; "
            "the kit keeps moto's and does not add its own.",
            MotoAlreadyImplementsWarning,
            stacklevel=2,
        )
        return False
    setattr(response_class, action, function)
    return True


def _check(path: str, kind: str, parameters: tuple = ()) -> str | None:
    owner_path, name = path.rsplit(".", 1)
    try:
        if kind == "backend_attribute":
            return None if hasattr(_fresh_backend(owner_path), name) else "missing on a new backend"
        target = _resolve(path)
    except (ImportError, AttributeError, TypeError) as error:
        return f"not found ({error})"
    if kind == "module":
        return None if inspect.ismodule(target) else "is not a module"
    if kind == "class":
        return None if inspect.isclass(target) else "is not a class"
    if kind == "attribute":
        return None
    if kind == "callable":
        return _check_signature(target, parameters)
    return f"unknown seam kind {kind!r}"


def _check_signature(target, parameters: tuple) -> str | None:
    if not callable(target):
        return "is not callable"
    if _is_kit_code(target) and not hasattr(target, "__wrapped__"):
        return "was replaced by a kit wrapper without functools.wraps, so moto's signature is hidden"
    try:
        names = set(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        names = set()
    absent = [name for name in parameters if name not in names]
    return f"expected parameters {absent} not in {sorted(names)}" if absent else None


def _resolve(path: str):
    """Import the longest module prefix of ``path`` and walk the remaining attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return target
    raise ImportError(f"no module in {path}")


@cache
def _fresh_backend(class_path: str):
    backend_class = _resolve(class_path)
    return backend_class(region_name="us-east-1", account_id="123456789012")


def _is_kit_code(obj) -> bool:
    function = getattr(obj, "__func__", obj)
    return getattr(function, "__module__", "").startswith(KIT_MODULE_PREFIX)
