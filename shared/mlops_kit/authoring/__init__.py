"""Lab authoring: generate the student labs in labs/ from the solutions in solutions/, and check them.

solutions/<lab>.ipynb (plus an optional support folder solutions/<lab>/) is the source of
truth; labs/ is generated and never edited by hand. Conventions for solution authors:

- code cells and .py files: ``### BEGIN SOLUTION: <hint>`` ... ``### END SOLUTION`` becomes
  ``# TODO: <hint>`` and ``raise NotImplementedError("<hint>")`` at the marker's indentation;
  ``### BEGIN HIDDEN`` ... ``### END HIDDEN`` is removed;
- markdown cells: ``<!-- BEGIN SOLUTION -->`` ... ``<!-- END SOLUTION -->`` is removed;
- cells tagged ``solution-only`` are removed; outputs, execution counts and run metadata
  are cleared; cell ids and the ``workshop`` metadata are kept, with ``"kind": "lab"``.

Markers never nest; an unbalanced, nested or misspelt marker is an AuthoringError naming
the file, cell index and line.
"""

from .errors import AuthoringError
from .generate import find_stale_labs, generate_labs

__all__ = ["AuthoringError", "find_stale_labs", "generate_labs"]
