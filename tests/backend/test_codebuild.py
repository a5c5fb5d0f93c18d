"""CodeBuild builds that really run their buildspec: phases, variables, the shell, logs,
artifacts and failures, over HTTP with boto3 as CodePipeline and a learner call them."""

import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest

from polling import wait_until

BUCKET = "build-sources"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "codebuild"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload(key: str, files: dict[str, str]) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=key, Body=zip_of(files))
    return f"{BUCKET}/{key}"


def project(name: str = "credit-build", variables: dict[str, str] | None = None, **source) -> str:
    role = boto3.client("iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    boto3.client("codebuild").create_project(
        name=name, source={"type": "S3", "location": f"{BUCKET}/source.zip", **source},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                     "computeType": "BUILD_GENERAL1_SMALL",
                     "environmentVariables": [{"name": k, "value": v, "type": "PLAINTEXT"}
                                              for k, v in (variables or {}).items()]})
    return name


def build(name: str, timeout: float = 60, **overrides) -> dict:
    codebuild = boto3.client("codebuild")
    build_id = codebuild.start_build(projectName=name, **overrides)["build"]["id"]
    return wait_until(lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0], "buildComplete", bool,
                      timeout, f"build {build_id}")


def log_of(record: dict) -> list[str]:
    logs = record["logs"]
    events = boto3.client("logs").get_log_events(logGroupName=logs["groupName"], logStreamName=logs["streamName"],
                                                 startFromHead=True)["events"]
    return [event["message"] for event in events]


def phases(record: dict) -> dict[str, str]:
    return {phase["phaseType"]: phase.get("phaseStatus") for phase in record["phases"]}


def test_a_build_runs_its_phases_in_one_shell_with_codebuilds_variables():
    upload("source.zip", {"buildspec.yml": (FIXTURES / "shell-buildspec.yml").read_text(), "data/a.txt": "a"})
    name = project(variables={"STAGE": "staging"})

    record = build(name)

    assert record["buildStatus"] == "SUCCEEDED", phases(record)
    assert list(phases(record)) == ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD",
                                    "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"]
    log = log_of(record)
    assert "stage=staging greeting=hello-from-buildspec" in log  # project variable and buildspec env
    assert "exported=from-install folder=data" in log  # an export and a cd from earlier phases
    assert f"build=1 id={record['id']}" in log
    assert any(line.endswith("Running command echo \"stage=$STAGE greeting=$GREETING\"") for line in log)
    assert record["logs"]["groupName"] == "/aws/codebuild/credit-build"


def test_a_failing_command_fails_its_phase_with_its_exit_status_and_post_build_still_runs():
    upload("source.zip", {"buildspec.yml": (FIXTURES / "failing-buildspec.yml").read_text()})

    record = build(project())

    assert record["buildStatus"] == "FAILED"
    failed = next(phase for phase in record["phases"] if phase["phaseType"] == "BUILD")
    assert failed["phaseStatus"] == "FAILED"
    assert failed["contexts"] == [{"statusCode": "COMMAND_EXECUTION_ERROR",
                                   "message": "Error while executing command: python -c \"import sys; "
                                              "print('about to fail'); sys.exit(3)\". Reason: exit status 3"}]
    assert phases(record)["POST_BUILD"] == "SUCCEEDED"
    log = log_of(record)
    assert "about to fail" in log and "succeeding=0" in log and "never printed" not in log, log


def test_a_yaml_error_in_the_buildspec_names_the_file_and_line():
    upload("source.zip", {"buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo a\n"
                                           "     - echo b\n"})

    record = build(project())

    download = next(phase for phase in record["phases"] if phase["phaseType"] == "DOWNLOAD_SOURCE")
    assert (record["buildStatus"], download["phaseStatus"]) == ("FAILED", "FAILED")
    assert download["contexts"][0]["statusCode"] == "YAML_FILE_ERROR"
    assert download["contexts"][0]["message"].startswith("YAML_FILE_ERROR: buildspec.yml: line 6:")


def test_artifacts_are_zipped_to_the_override_location_and_secondary_sources_have_their_folder():
    upload("source.zip", {"buildspec.yml": (FIXTURES / "artifacts-buildspec.yml").read_text()})
    secondary = upload("build-output.zip", {"staging-config-export.json": '{"Parameters": {"StageName": "staging"}}'})

    record = build(project(), artifactsOverride={"type": "S3", "location": BUCKET, "path": "out", "name": "result.zip",
                                                 "packaging": "ZIP", "namespaceType": "NONE"},
                   secondarySourcesOverride=[{"type": "S3", "location": secondary,
                                              "sourceIdentifier": "BuildArtifact"}])

    assert record["buildStatus"] == "SUCCEEDED", log_of(record)
    assert record["artifacts"]["location"] == f"arn:aws:s3:::{BUCKET}/out/result.zip"
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="out/result.zip")["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["report.txt", "test-results.json"]
        assert json.loads(archive.read("test-results.json")) == {"stage": "staging"}


def test_pip_install_of_the_repository_puts_its_console_script_on_the_path():
    upload("source.zip", {
        "buildspec.yml": "version: 0.2\nphases:\n  install:\n    commands:\n      - pip install .\n"
                         "  build:\n    commands:\n      - say-hello workshop\n",
        "setup.py": "from setuptools import setup\nsetup(name='hello-build', version='1.0', py_modules=['hello'],\n"
                    "      install_requires=['boto3'], entry_points={'console_scripts': ['say-hello=hello:main']})\n",
        "hello.py": "import sys\n\ndef main():\n    print('hello', sys.argv[1])\n"})

    record = build(project(), timeout=120)

    assert record["buildStatus"] == "SUCCEEDED", log_of(record)[-20:]
    assert "hello workshop" in log_of(record)


def test_the_templates_modelbuild_install_fails_offline_with_pips_own_message():
    upload("source.zip", {"codebuild-buildspec.yml": (FIXTURES / "template-codebuild-buildspec.yml").read_text(),
                          "setup.py": "from setuptools import setup\nsetup(name='p', version='1.0')\n"})

    record = build(project(buildspec="codebuild-buildspec.yml"), timeout=120)

    install = next(phase for phase in record["phases"] if phase["phaseType"] == "INSTALL")
    assert install["phaseStatus"] == "FAILED"
    assert install["contexts"][0]["message"].endswith("Reason: exit status 1")
    assert any("No matching distribution found for awscli>1.20.30" in line for line in log_of(record)), \
        log_of(record)[-8:]
    assert "BUILD" not in phases(record)


DEPLOY_VARIABLES = {"ARTIFACT_BUCKET": BUCKET, "MODEL_EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
                    "SOURCE_MODEL_PACKAGE_GROUP_NAME": "credit", "SAGEMAKER_PROJECT_ID": "p-1",
                    "SAGEMAKER_PROJECT_NAME": "credit-mlops", "EXPORT_TEMPLATE_NAME": "template-export.yml",
                    "EXPORT_TEMPLATE_STAGING_CONFIG": "staging-config-export.json",
                    "EXPORT_TEMPLATE_PROD_CONFIG": "prod-config-export.json"}
BUILD_PY = ("import argparse, json\nparser = argparse.ArgumentParser()\n"
            "for name in ('--model-execution-role', '--model-package-group-name', '--sagemaker-project-id',\n"
            "             '--sagemaker-project-name', '--s3-bucket', '--export-staging-config',\n"
            "             '--export-prod-config'):\n    parser.add_argument(name)\nargs = parser.parse_args()\n"
            "for path in (args.export_staging_config, args.export_prod_config):\n"
            "    json.dump({'Parameters': {'SageMakerProjectName': args.sagemaker_project_name}}, open(path, 'w'))\n")


def deploy_build(buildspec: str) -> dict:
    upload("source.zip", {"buildspec.yml": buildspec, "build.py": BUILD_PY,
                          "endpoint-config-template.yml": "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"})
    return build(project(variables=DEPLOY_VARIABLES), timeout=120,
                 artifactsOverride={"type": "S3", "location": BUCKET, "path": "deploy", "name": "build.zip",
                                    "packaging": "ZIP", "namespaceType": "NONE"})


def test_the_demos_modeldeploy_buildspec_unchanged_stops_at_its_pip_upgrade_offline():
    record = deploy_build((FIXTURES / "demo-modeldeploy-buildspec.yml").read_text())

    assert phases(record)["INSTALL"] == "FAILED"
    assert any("No matching distribution found for botocore>1.21.30" in line for line in log_of(record))


def test_the_demos_modeldeploy_build_commands_run_aws_cloudformation_package():
    demo = (FIXTURES / "demo-modeldeploy-buildspec.yml").read_text()
    without_upgrade = demo.replace('      - pip install --upgrade --force-reinstall "botocore>1.21.30" "boto3>1.18.30" '
                                   '"awscli>1.20.30"\n', "")
    assert without_upgrade != demo

    record = deploy_build(without_upgrade)

    assert record["buildStatus"] == "SUCCEEDED", log_of(record)[-20:]
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="deploy/build.zip")["Body"].read()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["prod-config-export.json", "staging-config-export.json",
                                              "template-export.yml"]
        assert "AWS::S3::Bucket" in archive.read("template-export.yml").decode()


def test_a_stopped_build_ends_stopped():
    upload("source.zip", {"buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 60\n"})
    codebuild = boto3.client("codebuild")
    build_id = codebuild.start_build(projectName=project())["build"]["id"]
    wait_until(lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0], "currentPhase",
               lambda phase: phase == "BUILD", 20, "the build phase")

    codebuild.stop_build(id=build_id)

    record = wait_until(lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0], "buildComplete", bool,
                        20, "the stop")
    assert record["buildStatus"] == "STOPPED"


@pytest.mark.parametrize("source", [{"type": "CODEPIPELINE", "buildspec": "buildspec.yml"},
                                    {"type": "NO_SOURCE", "buildspec": "version: 0.2"}])
def test_projects_whose_source_has_no_location_are_accepted(source):
    role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]

    created = boto3.client("codebuild").create_project(
        name="from-pipeline", source=source, artifacts={"type": "CODEPIPELINE"}, serviceRole=role,
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                     "computeType": "BUILD_GENERAL1_SMALL"})["project"]

    assert created["source"]["type"] == source["type"]
