"""What ``start_session`` prepares in the kernel, so the learner's cells hold no plumbing.

- The SDK's expected warnings while a pipeline definition is built (it leaves out job
  names, SageMaker names each run's jobs) stay out of the output.
- A lab whose work is a project folder (lab 2's ``lab2-pipeline/``) has that folder on
  ``sys.path``, so the notebook imports the package as CI does
  (``import pipelines.credit.pipeline``), and IPython's autoreload reloads the
  package's modules when the learner edits them, so a re-run cell uses the latest code.
"""

import logging
import sys
import warnings
from pathlib import Path

DEFINITION_LOGGERS = ("sagemaker.core.workflow.utilities", "sagemaker.mlops.workflow.model_step")
PIPELINE_SESSION_WARNING = "Running within a PipelineSession"
# Lab -> (its project folder beside the notebook, the modules learners edit and import).
LAB_PROJECTS = {
    "lab2": ("lab2-pipeline", ("pipelines.credit.pipeline",)),
}


def quiet_definition_building() -> None:
    """Keep the SDK's expected warnings about pipeline definitions out of the output."""
    for name in DEFINITION_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=PIPELINE_SESSION_WARNING)


def use_lab_project(lab: str | None, notebook_folder: Path | None = None) -> Path | None:
    """Put the lab's project folder on ``sys.path`` and reload its modules on edit; return the folder."""
    folder, modules = LAB_PROJECTS.get(lab, (None, ()))
    if folder is None:
        return None
    project = ((notebook_folder or Path.cwd()) / folder).resolve()
    if not project.is_dir():
        return None
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    _reload_on_edit(modules)
    return project


def _reload_on_edit(modules: tuple[str, ...]) -> None:
    """IPython's autoreload, for the lab's own modules only (the SDK is never reloaded)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.run_line_magic("load_ext", "autoreload")
    shell.run_line_magic("autoreload", "1")
    for module in modules:
        try:
            shell.run_line_magic("aimport", module)
        except Exception:  # noqa: BLE001 - the learner's code may not import yet: the lab's import cell shows why
            pass
