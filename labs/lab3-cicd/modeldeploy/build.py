"""The modeldeploy build: the latest approved model package -> one CloudFormation parameter file per stage.

Reads `staging-config.json` and `prod-config.json` and adds what only the project knows:
the project's name, the package to deploy, the role the model runs as, where Data Capture
writes, and the project's tags. CodeBuild runs it (buildspec.yml) with the project's variables.
"""

import argparse
import json
import logging

import boto3

logger = logging.getLogger(__name__)


def get_approved_package(sm_client, model_package_group_name: str) -> str:
    """The ARN of the newest *Approved* version of the group; raise when there is none."""
    # TODO: list the group's packages with ModelApprovalStatus="Approved", newest first (SortBy="CreationTime", SortOrder="Descending"), following NextToken; raise an Exception naming the group when there is none
    raise NotImplementedError("list the group's packages with ModelApprovalStatus=\"Approved\", newest first (SortBy=\"CreationTime\", SortOrder=\"Descending\"), following NextToken; raise an Exception naming the group when there is none")


def extend_config(args, model_package_arn: str, stage_config: dict) -> dict:
    """A stage's parameter file with the project's parameters and tags added."""
    if "StageName" not in stage_config.get("Parameters", {}):
        raise Exception("Configuration file must include the StageName parameter")
    stage = stage_config["Parameters"]["StageName"]
    parameters = {
        "SageMakerProjectName": args.sagemaker_project_name,
        "ModelPackageName": model_package_arn,
        "ModelExecutionRoleArn": args.model_execution_role,
        "DataCaptureUploadPath": f"s3://{args.s3_bucket}/datacapture-{stage}",
    }
    tags = {
        "sagemaker:deployment-stage": stage,
        "sagemaker:project-id": args.sagemaker_project_id,
        "sagemaker:project-name": args.sagemaker_project_name,
    }
    return {"Parameters": {**stage_config["Parameters"], **parameters},
            "Tags": {**stage_config.get("Tags", {}), **tags}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--model-execution-role", required=True)
    parser.add_argument("--model-package-group-name", required=True)
    parser.add_argument("--sagemaker-project-id", required=True)
    parser.add_argument("--sagemaker-project-name", required=True)
    parser.add_argument("--s3-bucket", required=True)
    parser.add_argument("--import-staging-config", default="staging-config.json")
    parser.add_argument("--import-prod-config", default="prod-config.json")
    parser.add_argument("--export-staging-config", default="staging-config-export.json")
    parser.add_argument("--export-prod-config", default="prod-config-export.json")
    args, _ = parser.parse_known_args(argv)
    logging.basicConfig(format="%(levelname)s: [%(filename)s:%(lineno)s] %(message)s", level=args.log_level)

    model_package_arn = get_approved_package(boto3.client("sagemaker"), args.model_package_group_name)
    print(f"Deploying {model_package_arn}")
    for source, target in ((args.import_staging_config, args.export_staging_config),
                           (args.import_prod_config, args.export_prod_config)):
        with open(source) as file:
            config = extend_config(args, model_package_arn, json.load(file))
        print(f"{target}: {json.dumps(config['Parameters'])}")
        with open(target, "w") as file:
            json.dump(config, file, indent=4)


if __name__ == "__main__":
    main()
