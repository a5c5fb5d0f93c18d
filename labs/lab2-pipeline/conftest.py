"""Makes this project's `pipelines` package importable in its tests, from any working directory.

pytest puts the folder of this file on `sys.path` when it loads it (its default
"prepend" import mode), as `pip install -e .` would for an installed project.
"""
