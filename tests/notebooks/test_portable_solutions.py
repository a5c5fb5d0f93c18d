"""The learner's code runs unchanged on AWS: nothing in a solution's code is local-only.

Every SageMaker and boto3 request a solution makes on the local backend is validated by
botocore against the real service's API model before it is sent, so a solution that
runs locally also sends well-formed requests to AWS; this test guards the rest: no
local endpoint, no kit internals, only the three learner-facing calls, the data loader, the
prerequisite helpers that let a lab stand alone, and lab 3's one call that creates the project.
"""

import re
from pathlib import Path

import nbformat
import pytest

from mlops_kit.project import solution_notebooks

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ONLY = re.compile(r"127\.0\.0\.1|localhost|AWS_ENDPOINT_URL|endpoint_url|mlops_kit\.local|moto")
KIT_IMPORT = re.compile(r"from mlops_kit(\.\w+)* import ([\w, ()]+)")
ALLOWED_KIT_NAMES = {"mlops_kit": {"check", "start_session", "submit"}, "mlops_kit.data": {"LABEL", "load_credit_data"},
                     "mlops_kit.prerequisites": {"approved_credit_model", "credit_pipeline_package"},
                     "mlops_kit.sagemaker_project": {"create_project"}}


@pytest.mark.parametrize("solution", solution_notebooks(ROOT), ids=lambda path: path.stem)
def test_solution_code_has_nothing_local_only(solution):
    for index, cell in enumerate(nbformat.read(solution, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        assert not LOCAL_ONLY.search(cell.source), f"cell {index} has local-only code:\n{cell.source}"
        for match in KIT_IMPORT.finditer(cell.source):
            module = match.group(0).split()[1]
            names = {name.strip(" ()") for name in match.group(2).split(",")}
            assert names <= ALLOWED_KIT_NAMES.get(module, set()), f"cell {index} imports kit internals: {match.group(0)}"
