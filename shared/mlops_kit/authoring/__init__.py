"""Lab authoring: generate the student labs in labs/ from the solutions in solutions/, and check them."""

from .errors import AuthoringError
from .generate import find_stale_labs, generate_labs

__all__ = ["AuthoringError", "find_stale_labs", "generate_labs"]
