"""Contract tests of lab 3's two repositories (the reference solution): the files agree with each other.

The same contracts the learner runs in the notebook, held here for the solution so that
an edit of lab 2's package, a stage file or the template cannot break CI unnoticed.
"""

import ast
import importlib.util
import inspect
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import yaml
from cfnlint.decode import decode_str

ROOT = Path(__file__).resolve().parents[2]
MODELBUILD = ROOT / "solutions" / "lab3-cicd" / "modelbuild"
MODELDEPLOY = ROOT / "solutions" / "lab3-cicd" / "modeldeploy"
CREDIT_PIPELINE = ROOT / "solutions" / "lab2-pipeline" / "pipelines" / "credit" / "pipeline.py"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_pipeline_kwargs() -> dict:
    commands = yaml.safe_load((MODELBUILD / "codebuild-buildspec.yml").read_text())["phases"]["build"]["commands"]
    run = next(command for command in commands if command.startswith("run-pipeline"))
    assert "--module-name pipelines.credit.pipeline" in run
    return json.loads(run.split("--kwargs", 1)[1].strip().strip('"').replace('\\"', '"'))


def test_buildspec_kwargs_are_get_pipelines_parameters():
    """Read with ast: importing the pipeline module needs the SDK and a region, which this contract does not."""
    tree = ast.parse(CREDIT_PIPELINE.read_text())
    get_pipeline = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "get_pipeline")
    assert set(run_pipeline_kwargs()) == {argument.arg for argument in get_pipeline.args.args}


def test_buildspec_kwargs_name_the_project_resources():
    kwargs = run_pipeline_kwargs()
    assert kwargs["pipeline_name"] == kwargs["model_package_group_name"] == "${SAGEMAKER_PROJECT_NAME_ID}"
    assert kwargs["default_bucket"] == "${ARTIFACT_BUCKET}" and kwargs["region"] == "${AWS_REGION}"


def extended_parameters() -> dict:
    build = load(MODELDEPLOY / "build.py", "lab3_build")
    args = SimpleNamespace(sagemaker_project_name="credit-mlops", model_execution_role="arn:role",
                           s3_bucket="sagemaker-project-p-1", sagemaker_project_id="p-1")
    staging = json.loads((MODELDEPLOY / "staging-config.json").read_text())
    return build.extend_config(args, "arn:aws:sagemaker:us-east-1:1:model-package/g/1", staging)


def test_template_parameters_are_the_stage_files_plus_what_build_py_adds():
    template, problems = decode_str((MODELDEPLOY / "endpoint-config-template.yml").read_text())
    assert problems == []
    config = extended_parameters()
    assert set(template["Parameters"]) == set(config["Parameters"])
    prod = json.loads((MODELDEPLOY / "prod-config.json").read_text())["Parameters"]
    assert set(prod) == set(json.loads((MODELDEPLOY / "staging-config.json").read_text())["Parameters"])


def test_capture_goes_to_the_stage_path_in_the_project_bucket():
    config = extended_parameters()
    assert config["Parameters"]["DataCaptureUploadPath"] == "s3://sagemaker-project-p-1/datacapture-staging"
    assert config["Tags"]["sagemaker:deployment-stage"] == "staging"
    template, _ = decode_str((MODELDEPLOY / "endpoint-config-template.yml").read_text())
    capture = template["Resources"]["EndpointConfig"]["Properties"]["DataCaptureConfig"]
    assert capture["DestinationS3Uri"] == {"Ref": "DataCaptureUploadPath"}


def test_template_passes_cfn_lint():
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(MODELDEPLOY / "endpoint-config-template.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_staging_test_row_has_the_23_features():
    test = load(MODELDEPLOY / "test" / "test.py", "lab3_staging_test")
    assert len(test.TEST_ROW.split(",")) == 23
    assert "invoke_endpoint" in inspect.getsource(test.invoke_endpoint)


def test_the_three_buildspecs_are_version_0_2_with_a_build_phase():
    for path in (MODELBUILD / "codebuild-buildspec.yml", MODELDEPLOY / "buildspec.yml", MODELDEPLOY / "test" / "buildspec.yml"):
        spec = yaml.safe_load(path.read_text())
        assert spec["version"] == 0.2 and spec["phases"]["build"]["commands"], path


def test_the_staging_check_waits_for_data_capture_to_write_the_test_row(monkeypatch):
    from mlops_kit.grading.labs import lab3

    row = "1,2,3"
    written = {"captureData": {"endpointInput": {"data": row}}}
    listings = iter([[], [], [written]])  # Data Capture writes its file a moment after the request
    monkeypatch.setattr(lab3, "capture_records", lambda ctx, endpoint: next(listings))
    monkeypatch.setattr(lab3.time, "sleep", lambda seconds: None)
    assert lab3.wait_for_captured_row(None, {}, row) == [written]


def test_the_staging_check_gives_up_when_the_row_never_comes(monkeypatch):
    from mlops_kit.grading.labs import lab3

    monkeypatch.setattr(lab3, "capture_records", lambda ctx, endpoint: [])
    monkeypatch.setattr(lab3, "CAPTURE_WAIT_SECONDS", 0)
    assert lab3.wait_for_captured_row(None, {}, "1,2,3") == []
