"""Checks for lab 3 (CI/CD with a SageMaker Project).

The repository checks read the learner's files (the buildspec, the template) and call
their functions (build.py, test/test.py); the deployment checks read what the project's
pipelines really did, through boto3: CodePipeline's executions and actions, the stacks,
the endpoints and what Data Capture recorded. The same checks grade either backend.
"""

import json
import time
import types

import yaml
from botocore.exceptions import ClientError

from mlops_kit.grading import CheckFailed, graded
from mlops_kit.grading.checks import s3_location
from mlops_kit.grading.handin import HandIn

LAB = "lab3"
# Exercise -> the earlier exercises whose results it uses (see grading.grader).
BUILDS_ON = {"modelbuild": ("buildspec",), "staging": ("modelbuild", "build_script", "template", "staging_test"),
             "prod": ("staging",), "new_versions": ("prod",), "cleanup": ("staging",)}
# The learner edits the two repositories: every file of both is handed in with the notebook.
HAND_IN = HandIn("lab3-cicd", ("modelbuild/*", "modeldeploy/*"))
CREDIT_MODULE = "pipelines.credit.pipeline"
CAPTURE_WAIT_SECONDS = 20
TEST_ROW_HINT = "Send TEST_ROW with sm_runtime.invoke_endpoint(EndpointName=..., ContentType=\"text/csv\", Body=TEST_ROW)."
FINISHED_STACK = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


def run_pipeline_command(ctx) -> str:
    """The buildspec's run-pipeline command, as the shell receives it."""
    path = ctx.get("modelbuild") / "codebuild-buildspec.yml"
    try:
        buildspec = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise CheckFailed(f"{path} is not valid YAML{where}: {getattr(error, 'problem', error)}.",
                          hint="Indent the list items of `commands:` alike; quote a command containing ': '.")
    commands = ((buildspec or {}).get("phases", {}).get("build") or {}).get("commands") or []
    run = next((command for command in commands if isinstance(command, str) and "run-pipeline" in command), None)
    if run is None:
        raise CheckFailed(f"The build phase of {path.name} does not call run-pipeline, so a commit builds no model.",
                          hint="Add `run-pipeline --module-name ... --role-arn ... --tags ... --kwargs ...` "
                               "to phases.build.commands.")
    return run


@graded(LAB, exercise="buildspec", points=2, success="The build runs the credit pipeline with the project's role.")
def buildspec_runs_the_credit_pipeline(ctx):
    run = run_pipeline_command(ctx)
    if "pipelines.abalone" in run:
        raise CheckFailed("The buildspec still runs the template's pipelines.abalone.pipeline, which this "
                          "repository does not have: the build would fail with ModuleNotFoundError.",
                          hint=f"Use --module-name {CREDIT_MODULE}.")
    if f"--module-name {CREDIT_MODULE}" not in run:
        raise CheckFailed(f"run-pipeline is not given --module-name {CREDIT_MODULE}.")
    if "--role-arn" not in run or "SAGEMAKER_PIPELINE_ROLE_ARN" not in run:
        raise CheckFailed("run-pipeline is not given --role-arn $SAGEMAKER_PIPELINE_ROLE_ARN, "
                          "the role CodeBuild passes for the pipeline's steps.")


@graded(LAB, exercise="buildspec", points=2, success="--kwargs gives exactly get_pipeline's parameters.")
def buildspec_kwargs_match_get_pipeline(ctx):
    run_pipeline_command(ctx)
    contract = ctx.get("contract")
    given, expected = set(contract["buildspec --kwargs"] or ()), set(contract["get_pipeline parameters"])
    if given != expected:
        details = []
        if expected - given:
            details.append(f"missing {sorted(expected - given)}")
        if given - expected:
            details.append(f"not parameters of get_pipeline: {sorted(given - expected)}")
        raise CheckFailed(f"The buildspec's --kwargs do not match get_pipeline: {'; '.join(details)}.",
                          hint="Each key of the --kwargs JSON is a keyword argument of get_pipeline; "
                               "run the contract cell again after editing the buildspec.")


def latest_execution(ctx, repository: str) -> dict:
    project = ctx.get("project")
    name = project.pipeline(repository)
    executions = ctx.client("codepipeline").list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"]
    if not executions:
        raise CheckFailed(f"The {repository} pipeline {name} has not run yet.",
                          hint=f"Run the push cell: uploading the {repository} zip starts it.")
    return executions[0]


def failed_actions(ctx, repository: str) -> list[str]:
    """'stage/action: message' for each failed action of the pipeline's latest execution."""
    state = ctx.client("codepipeline").get_pipeline_state(name=ctx.get("project").pipeline(repository))
    return [f"{stage['stageName']}/{action['actionName']}: "
            f"{action['latestExecution'].get('errorDetails', {}).get('message', 'failed')}"
            for stage in state["stageStates"] for action in stage.get("actionStates", [])
            if action.get("latestExecution", {}).get("status") == "Failed"]


@graded(LAB, exercise="modelbuild", points=3,
        success="The commit's build created the SageMaker Pipeline, ran it, and registered a model version.")
def modelbuild_ran_the_pipeline(ctx):
    project, sagemaker = ctx.get("project"), ctx.client("sagemaker")
    execution = latest_execution(ctx, "modelbuild")
    if execution["status"] != "Succeeded":
        reasons = "; ".join(failed_actions(ctx, "modelbuild")) or execution["status"]
        raise CheckFailed(f"The modelbuild pipeline's latest execution is {execution['status']}: {reasons}",
                          hint="The build log (build_log cell) shows the failing command's output.")
    runs = sagemaker.list_pipeline_executions(PipelineName=project.name_id).get("PipelineExecutionSummaries", []) \
        if _exists(lambda: sagemaker.describe_pipeline(PipelineName=project.name_id)) else []
    if not any(run["PipelineExecutionStatus"] == "Succeeded" for run in runs):
        raise CheckFailed(f"No successful execution of the SageMaker Pipeline {project.name_id}: the build must "
                          "name the pipeline after the project (pipeline_name ${SAGEMAKER_PROJECT_NAME_ID}).")
    packages = sagemaker.list_model_packages(ModelPackageGroupName=project.model_package_group)
    if not packages["ModelPackageSummaryList"]:
        raise CheckFailed(f"The pipeline registered no model in {project.model_package_group}: the deploy "
                          "pipeline only listens to that group.",
                          hint="model_package_group_name must be ${SAGEMAKER_PROJECT_NAME_ID} in --kwargs.")



@graded(LAB, exercise="modelbuild", points=1, hidden=True,
        success="The SageMaker Pipeline carries the project's tags, so Studio lists it under the project.")
def pipeline_tagged_with_the_project(ctx):
    project, sagemaker = ctx.get("project"), ctx.client("sagemaker")
    if not _exists(lambda: sagemaker.describe_pipeline(PipelineName=project.name_id)):
        raise CheckFailed(f"There is no SageMaker Pipeline {project.name_id} to read the tags of.")
    arn = sagemaker.describe_pipeline(PipelineName=project.name_id)["PipelineArn"]
    tags = {tag["Key"]: tag["Value"] for tag in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    expected = {"sagemaker:project-name": project.name, "sagemaker:project-id": project.project_id}
    wrong = {key: tags.get(key) for key, value in expected.items() if tags.get(key) != value}
    if wrong:
        raise CheckFailed(f"The pipeline {project.name_id} has {wrong} instead of {expected}.",
                          hint="--tags in the buildspec gives sagemaker:project-name and sagemaker:project-id "
                               "from ${SAGEMAKER_PROJECT_NAME} and ${SAGEMAKER_PROJECT_ID}.")


def _exists(describe) -> bool:
    try:
        describe()
    except ClientError:
        return False
    return True


def _scratch_group(sagemaker, name: str, statuses: list[str], image: str, model_data: str) -> list[str]:
    """A model package group with one version per status, oldest first; their ARNs."""
    sagemaker.create_model_package_group(ModelPackageGroupName=name,
                                         ModelPackageGroupDescription="lab3.build_script check (deleted after it)")
    arns = []
    for status in statuses:
        arns.append(sagemaker.create_model_package(
            ModelPackageGroupName=name, ModelApprovalStatus=status,
            InferenceSpecification={"Containers": [{"Image": image, "ModelDataUrl": model_data}],
                                    "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
        )["ModelPackageArn"])
    return arns


def _delete_group(sagemaker, name: str, arns: list[str]) -> None:
    for arn in arns:
        sagemaker.delete_model_package(ModelPackageName=arn)
    sagemaker.delete_model_package_group(ModelPackageGroupName=name)


@graded(LAB, exercise="build_script", points=2,
        success="get_approved_package picks the newest Approved version, and refuses a group with none.")
def build_script_picks_the_newest_approved(ctx):
    build, project, sagemaker = ctx.get("build"), ctx.get("project"), ctx.client("sagemaker")
    versions = sagemaker.list_model_packages(ModelPackageGroupName=project.model_package_group)
    summaries = versions["ModelPackageSummaryList"]
    if not summaries:
        raise CheckFailed("The project's group has no model version yet.", hint="Run section 3 first.")
    package = sagemaker.describe_model_package(ModelPackageName=summaries[0]["ModelPackageArn"])
    container = package["InferenceSpecification"]["Containers"][0]
    name = f"{project.name_id}-check"[:63]
    arns = _scratch_group(sagemaker, name, ["Approved", "Approved", "Rejected", "PendingManualApproval"],
                          container["Image"], container["ModelDataUrl"])
    try:
        chosen = _call_learner(build.get_approved_package, sagemaker, name)
    finally:
        _delete_group(sagemaker, name, arns)
    statuses = dict(zip(arns, ["Approved (version 1)", "Approved (version 2)", "Rejected", "PendingManualApproval"]))
    if chosen != arns[1]:
        raise CheckFailed(f"In a group whose versions are Approved, Approved, Rejected, PendingManualApproval, "
                          f"get_approved_package returned {statuses.get(chosen, repr(chosen))}, not version 2, "
                          "the newest Approved one.",
                          hint='ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending".')
    try:
        build.get_approved_package(sagemaker, f"{project.name_id}-empty")
    except Exception as error:  # noqa: BLE001 - any exception is what build.py must do
        if "NotImplementedError" == type(error).__name__:
            raise CheckFailed("get_approved_package is still TODO (NotImplementedError).")
        return
    raise CheckFailed("For a group with no approved version, get_approved_package returned instead of raising: "
                      "the deploy build would go on with nothing to deploy.",
                      hint="raise Exception(f\"No approved ModelPackage found for ModelPackageGroup: {name}\")")


def _call_learner(function, *arguments):
    try:
        return function(*arguments)
    except NotImplementedError:
        raise CheckFailed("This function is still TODO (NotImplementedError): complete it in the file, "
                          "then run the cell again.") from None
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        raise CheckFailed(f"It raised {type(error).__name__}: {error}") from None


@graded(LAB, exercise="template", points=2,
        success="Data Capture writes to the DataCaptureUploadPath parameter, and cfn-lint finds no error.")
def template_parameterises_capture(ctx):
    from cfnlint.decode import decode_str

    path = ctx.get("modeldeploy") / "endpoint-config-template.yml"
    template, problems = decode_str(path.read_text())
    if problems or template is None:
        raise CheckFailed(f"{path.name} cannot be read: {problems[0].message if problems else 'empty'}.")
    capture = template.get("Resources", {}).get("EndpointConfig", {}).get("Properties", {}).get("DataCaptureConfig")
    if not capture:
        raise CheckFailed("The EndpointConfig has no DataCaptureConfig: lab 4 would have nothing to monitor.")
    destination = capture.get("DestinationS3Uri")
    if isinstance(destination, str):
        raise CheckFailed(f"DestinationS3Uri is the fixed {destination!r}, the demo's bug: every project and "
                          "stage would write to one bucket, and deploying where it does not exist fails.",
                          hint="DestinationS3Uri: !Ref DataCaptureUploadPath")
    if destination != {"Ref": "DataCaptureUploadPath"}:
        raise CheckFailed(f"DestinationS3Uri is {json.dumps(destination)}, not the DataCaptureUploadPath parameter.",
                          hint="DestinationS3Uri: !Ref DataCaptureUploadPath")
    lint = ctx.get("cfn_lint")
    if lint.returncode not in (0, 4):  # cfn-lint: 2 errors, 4 warnings only, 8 informational
        raise CheckFailed(f"cfn-lint reports errors: {lint.stdout.strip().splitlines()[0]}")


@graded(LAB, exercise="template", points=1,
        success="The template's parameters are exactly what the stage files and build.py give.")
def template_parameters_match_the_configs(ctx):
    contract = ctx.get("template_contract")
    declared, given = set(contract["template parameters"]), set(contract["stage files + build.py"])
    if declared != given:
        details = []
        if given - declared:
            details.append(f"given but not declared (CloudFormation refuses: 'Parameters: {sorted(given - declared)} "
                           "do not exist in the template')")
        if declared - given:
            details.append(f"declared but never given: {sorted(declared - given)}")
        raise CheckFailed(f"The template and its parameter files disagree: {'; '.join(details)}.")


class _RecordingRuntime:
    """Stands in for sagemaker-runtime in this check only: records the call, answers `answer`."""

    def __init__(self, answer: bytes):
        self.answer, self.calls = answer, []

    def invoke_endpoint(self, **arguments):
        self.calls.append(arguments)
        return {"Body": types.SimpleNamespace(read=lambda: self.answer), "ContentType": "text/csv"}


@graded(LAB, exercise="staging_test", points=2,
        success="invoke_endpoint sends the test row and accepts only a probability.")
def staging_test_invokes_the_endpoint(ctx):
    test = ctx.get("staging_test")
    runtime = _RecordingRuntime(b"0.42\n")
    _call_learner(test.invoke_endpoint, runtime, "credit-mlops-staging")
    if not runtime.calls:
        raise CheckFailed("invoke_endpoint returned without calling the endpoint, as the template's stub did: "
                          "the staging test would pass a broken endpoint.", hint=TEST_ROW_HINT)
    call = runtime.calls[0]
    if call.get("EndpointName") != "credit-mlops-staging" or call.get("ContentType") != "text/csv":
        raise CheckFailed(f"invoke_endpoint called EndpointName={call.get('EndpointName')!r}, "
                          f"ContentType={call.get('ContentType')!r}; expected the given endpoint and text/csv.")
    if call.get("Body") != test.TEST_ROW:
        raise CheckFailed("invoke_endpoint does not send TEST_ROW.", hint=TEST_ROW_HINT)
    try:
        test.invoke_endpoint(_RecordingRuntime(b"1.7"), "credit-mlops-staging")
    except Exception:  # noqa: BLE001 - raising is what the test must do
        return
    raise CheckFailed("invoke_endpoint accepted the answer 1.7, which is not a probability.",
                      hint="raise an Exception unless 0 <= probability <= 1.")


def stack(ctx, stage: str) -> dict:
    project = ctx.get("project")
    try:
        found = ctx.client("cloudformation").describe_stacks(StackName=project.stack(stage))["Stacks"][0]
    except ClientError as error:
        raise CheckFailed(f"There is no stack {project.stack(stage)}: {error.response['Error']['Message']}",
                          hint="The deploy pipeline creates it; see its state in the pipeline_state table.")
    if found["StackStatus"] not in FINISHED_STACK:
        raise CheckFailed(f"The stack {found['StackName']} is {found['StackStatus']}"
                          f"{': ' + found['StackStatusReason'] if found.get('StackStatusReason') else ''}.",
                          hint="Its events (cloudformation.describe_stack_events) name the failing resource.")
    return found


def served_package(ctx, endpoint_name: str) -> tuple[dict, dict]:
    """The endpoint and the model package (version) it serves."""
    sagemaker = ctx.client("sagemaker")
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as error:
        raise CheckFailed(f"There is no endpoint {endpoint_name}: {error.response['Error']['Message']}")
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    container = model.get("PrimaryContainer") or model["Containers"][0]
    return endpoint, sagemaker.describe_model_package(ModelPackageName=container["ModelPackageName"])


def capture_records(ctx, endpoint: dict) -> list[dict]:
    """Every record Data Capture wrote for the endpoint."""
    s3 = ctx.client("s3")
    bucket, prefix = s3_location(endpoint["DataCaptureConfig"]["DestinationS3Uri"])
    records = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix.rstrip('/')}/{endpoint['EndpointName']}/"):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode("utf-8")
            records.extend(json.loads(line) for line in body.splitlines() if line.strip())
    return records


def captured_input(record: dict) -> str:
    return record.get("captureData", {}).get("endpointInput", {}).get("data", "").strip()


def wait_for_captured_row(ctx, endpoint: dict, row: str) -> list[dict]:
    """The endpoint's capture records, once they hold ``row`` or ``CAPTURE_WAIT_SECONDS`` have passed.

    Data Capture writes a file a while after the request (the local backend after a second, AWS
    after minutes), and the pipeline may finish the staging test sooner than that.
    """
    deadline = time.monotonic() + CAPTURE_WAIT_SECONDS
    while True:
        records = capture_records(ctx, endpoint)
        if any(captured_input(record) == row for record in records) or time.monotonic() >= deadline:
            return records
        time.sleep(0.5)


def check_endpoint_captures(ctx, stage: str) -> dict:
    project = ctx.get("project")
    endpoint, _ = served_package(ctx, project.endpoint(stage))
    if endpoint["EndpointStatus"] != "InService":
        raise CheckFailed(f"{endpoint['EndpointName']} is {endpoint['EndpointStatus']}, not InService.")
    capture = endpoint.get("DataCaptureConfig", {})
    if not capture.get("EnableCapture") or capture.get("CurrentSamplingPercentage") != 100:
        raise CheckFailed(f"{endpoint['EndpointName']} captures {capture.get('CurrentSamplingPercentage', 0)} % "
                          "of requests; the project's endpoints capture 100 % for Model Monitor.")
    expected = f"s3://{project.bucket}/datacapture-{stage}"
    if capture.get("DestinationS3Uri", "").rstrip("/") != expected:
        raise CheckFailed(f"{endpoint['EndpointName']} captures to {capture.get('DestinationS3Uri')}, not {expected}.")
    return endpoint


@graded(LAB, exercise="staging", points=3,
        success="Staging is deployed by the pipeline, InService, capturing 100 %, and its test really invoked it.")
def staging_deployed_and_tested(ctx):
    stack(ctx, "staging")
    endpoint = check_endpoint_captures(ctx, "staging")
    failed = [item for item in failed_actions(ctx, "modeldeploy") if item.startswith("DeployStaging/")]
    if failed:
        raise CheckFailed(f"The staging stage failed: {failed[0]}")
    test_row = ctx.get("staging_test").TEST_ROW
    records = wait_for_captured_row(ctx, endpoint, test_row)
    if not any(captured_input(record) == test_row for record in records):
        raise CheckFailed(f"Data Capture of {endpoint['EndpointName']} has no request with TEST_ROW "
                          f"({len(records)} records): the staging test did not really invoke the endpoint.",
                          hint="Complete invoke_endpoint in test/test.py, push modeldeploy, approve again. "
                               "(On AWS, Data Capture writes its files a few minutes after the request: if the "
                               "test has just run, check again then.)")


def approval_time(ctx):
    """When the manual approval of the latest deploy execution was given, or None."""
    codepipeline, project = ctx.client("codepipeline"), ctx.get("project")
    execution = latest_execution(ctx, "modeldeploy")
    details = codepipeline.list_action_executions(
        pipelineName=project.pipeline("modeldeploy"),
        filter={"pipelineExecutionId": execution["pipelineExecutionId"]})["actionExecutionDetails"]
    approvals = [item for item in details if item["actionName"] == "ApproveDeployment" and item["status"] == "Succeeded"]
    return approvals[0]["lastUpdateTime"] if approvals else None


@graded(LAB, exercise="prod", points=3,
        success="Prod was deployed after the manual approval, serves an approved version and captures 100 %.")
def prod_deployed_after_approval(ctx):
    prod = stack(ctx, "prod")
    endpoint = check_endpoint_captures(ctx, "prod")
    approved = approval_time(ctx)
    if approved is None:
        raise CheckFailed("The latest deploy execution has no approved ApproveDeployment action.",
                          hint="codepipeline.put_approval_result(..., result={'status': 'Approved', ...}, token=...)")
    changed = prod.get("LastUpdatedTime") or prod["CreationTime"]
    if changed < approved:
        raise CheckFailed(f"The prod stack last changed at {changed:%H:%M:%S}, before the approval at "
                          f"{approved:%H:%M:%S}: prod must only change after a person approved staging.")
    _, package = served_package(ctx, endpoint["EndpointName"])
    if package["ModelApprovalStatus"] != "Approved":
        raise CheckFailed(f"Prod serves version {package['ModelPackageVersion']}, which is "
                          f"{package['ModelApprovalStatus']}.")


@graded(LAB, exercise="new_versions", points=3,
        success="Prod was updated in place to version 2; the rejected version 3 was deployed nowhere.")
def prod_updated_and_rejection_ignored(ctx):
    project, sagemaker = ctx.get("project"), ctx.client("sagemaker")
    statuses = {item["ModelPackageVersion"]: item["ModelApprovalStatus"] for item in sagemaker.list_model_packages(
        ModelPackageGroupName=project.model_package_group)["ModelPackageSummaryList"]}
    if statuses.get(2) != "Approved" or statuses.get(3) != "Rejected":
        raise CheckFailed(f"The project's versions are {dict(sorted(statuses.items()))}; this step needs version 2 "
                          "Approved and version 3 Rejected.")
    endpoint, prod_package = served_package(ctx, project.endpoint("prod"))
    prod_version = prod_package["ModelPackageVersion"]
    if prod_version != 2:
        raise CheckFailed(f"Prod serves version {prod_version}, not version 2.",
                          hint="Approve version 2, then approve its deployment (put_approval_result).")
    if endpoint["LastModifiedTime"] <= endpoint["CreationTime"]:
        raise CheckFailed("The prod endpoint was re-created rather than updated in place.")
    _, staging_package = served_package(ctx, project.endpoint("staging"))
    if staging_package["ModelPackageVersion"] == 3:
        raise CheckFailed("Staging serves the rejected version 3: build.py must deploy only approved versions.")



@graded(LAB, exercise="new_versions", points=1, hidden=True,
        success="Every version a person reviewed says why it was approved or rejected.")
def reviews_carry_a_description(ctx):
    project, sagemaker = ctx.get("project"), ctx.client("sagemaker")
    reviewed = [item for item in sagemaker.list_model_packages(ModelPackageGroupName=project.model_package_group)
                ["ModelPackageSummaryList"] if item["ModelApprovalStatus"] in ("Approved", "Rejected")]
    if not reviewed:
        raise CheckFailed(f"No version of {project.model_package_group} has been approved or rejected yet.")
    silent = [sagemaker.describe_model_package(ModelPackageName=item["ModelPackageArn"]) for item in reviewed]
    silent = [package["ModelPackageVersion"] for package in silent if not package.get("ApprovalDescription", "").strip()]
    if silent:
        raise CheckFailed(f"Versions {sorted(silent)} were reviewed without an ApprovalDescription: the registry "
                          "is the audit trail of who deployed what, and why.",
                          hint="sm.update_model_package(..., ModelApprovalStatus=..., ApprovalDescription=\"why\")")

@graded(LAB, exercise="cleanup", points=1, success="Both stacks and their endpoints are deleted.")
def stacks_deleted(ctx):
    project, cloudformation, sagemaker = ctx.get("project"), ctx.client("cloudformation"), ctx.client("sagemaker")
    deleted = {summary["StackName"] for page in cloudformation.get_paginator("list_stacks").paginate(
        StackStatusFilter=["DELETE_COMPLETE"]) for summary in page["StackSummaries"]}
    for stage in ("staging", "prod"):
        if project.stack(stage) not in deleted:
            raise CheckFailed(f"The stack {project.stack(stage)} was never deleted (or never created).",
                              hint="Deploy both stages first (exercises 5-7), then delete their stacks.")
        try:
            status = cloudformation.describe_stacks(StackName=project.stack(stage))["Stacks"][0]["StackStatus"]
        except ClientError:
            status = "DELETE_COMPLETE"
        if status != "DELETE_COMPLETE":
            raise CheckFailed(f"The stack {project.stack(stage)} is {status}.",
                              hint="cloudformation.delete_stack(StackName=project.stack(stage))")
        if _exists(lambda: sagemaker.describe_endpoint(EndpointName=project.endpoint(stage))):
            raise CheckFailed(f"The endpoint {project.endpoint(stage)} still exists.")
