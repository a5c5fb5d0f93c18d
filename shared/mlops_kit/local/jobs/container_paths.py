"""Run a learner's processing script so that its `/opt/ml/...` paths land in the job's folder.

On SageMaker a processing script reads `/opt/ml/processing/input/...` and writes
`/opt/ml/processing/<output>`; the same unmodified script must run on the local backend,
where there is no container and `/opt` is not ours to write. Choices considered:

- a mount namespace (`unshare --user --mount` + bind mount) is the most faithful, but
  needs unprivileged user namespaces, which many containers, CI runners and every macOS
  or Windows laptop lack;
- rewriting the script's text is fragile (paths built with `os.path.join`, f-strings);
- chosen: a path-rewriting shim installed in the script's own interpreter before the
  script runs. It wraps `open` (builtins and io) and the `os` functions that take paths
  (stat, listdir, scandir, mkdir, remove, rename, ...). Everything built on them follows:
  `os.makedirs`, `os.path.exists`, `os.walk`, `glob`, `pathlib`, `shutil`, `tarfile`,
  pandas `read_csv`/`to_csv`, numpy, joblib, pickle files.

Native code that opens files itself is covered where the labs need it: xgboost's
``Booster.load_model``/``save_model`` are wrapped when xgboost is imported (an evaluation
step loads `/opt/ml/processing/model/xgboost-model`). Known gaps: other native readers
given an `/opt/ml` path (``xgboost.DMatrix("...?format=csv")``, pyarrow's own filesystem
API) and child processes (`os.system("ls /opt/ml")`) see the real filesystem.
Tracebacks and logs show the container paths, as on AWS.

Usage: ``python -m mlops_kit.local.jobs.container_paths ROOT SCRIPT [ARG...]`` runs SCRIPT
(a container path such as `/opt/ml/processing/input/code/preprocess.py`) with `/opt/ml`
mapped to ROOT.
"""

import builtins
import importlib.abc
import importlib.machinery
import io
import os
import sys
import types

CONTAINER_ROOT = "/opt/ml"

# os functions whose first argument (or first two) is a path.
ONE_PATH = ("stat", "lstat", "listdir", "scandir", "mkdir", "rmdir", "remove", "unlink",
            "chdir", "access", "chmod", "utime", "readlink", "truncate", "open",
            "mkfifo", "statvfs", "chown", "lchown")
TWO_PATHS = ("rename", "replace", "link", "symlink")


def to_local(path, root: str):
    """The real path of a container path under `/opt/ml`; any other argument unchanged."""
    if isinstance(path, int):
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    prefix = CONTAINER_ROOT if isinstance(text, str) else CONTAINER_ROOT.encode()
    if text == prefix or text.startswith(prefix + (b"/" if isinstance(text, bytes) else "/")):
        local_root = root if isinstance(text, str) else root.encode()
        return local_root + text[len(prefix):]
    return path


def _wrap(function, root: str, count: int):
    def wrapper(*args, **kwargs):
        args = tuple(to_local(arg, root) if index < count else arg for index, arg in enumerate(args))
        return function(*args, **kwargs)

    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__doc__ = function.__doc__
    wrapper.__wrapped__ = function
    return wrapper


class _WrapXGBoostOnImport(importlib.abc.MetaPathFinder):
    """When `xgboost.core` is imported, map the paths its Booster hands to native code."""

    def __init__(self, root: str):
        self.root = root

    def find_spec(self, name, path, target=None):
        if name != "xgboost.core":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            for method in ("load_model", "save_model"):
                setattr(module.Booster, method, _wrap(getattr(module.Booster, method), self.root, 2))

        spec.loader.exec_module = exec_module
        return spec


def install(root: str) -> None:
    """Redirect `/opt/ml` to ``root`` for every file access of this interpreter."""
    sys.meta_path.insert(0, _WrapXGBoostOnImport(root))
    builtins.open = io.open = _wrap(io.open, root, 1)
    for name in ONE_PATH:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), root, 1))
    for name in TWO_PATHS:
        if hasattr(os, name):
            setattr(os, name, _wrap(getattr(os, name), root, 2))


def run_script(root: str, script: str, arguments: list[str]) -> None:
    """Run ``script`` as `python3 script arguments...` would, with `/opt/ml` mapped to ``root``.

    The script runs as the real ``__main__`` module (its classes pickle as on AWS) and is
    compiled under its container path, so ``sys.argv[0]``, ``__file__`` and tracebacks
    name `/opt/ml/...` exactly as in the container.
    """
    install(root)
    local_script = to_local(script, root)
    with io.open(local_script, "rb") as handle:
        code = compile(handle.read(), script, "exec")
    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = [script, *arguments]
    sys.path[0] = os.path.dirname(local_script)
    exec(code, main.__dict__)


if __name__ == "__main__":
    run_script(sys.argv[1], sys.argv[2], sys.argv[3:])
