"""`run-pipeline`: create or update the project's SageMaker Pipeline, start it, wait for it.

The SageMaker Project template's command, written for SDK v3. The build fails (exit 1)
when the execution does not succeed, so a broken pipeline fails the commit's build.
PIPELINE_WAIT_DELAY sets the seconds between status polls (30 on AWS, as the SDK's
default; the local project sets 2, since a local execution takes seconds).
"""

import argparse
import json
import os
import sys
import traceback

from pipelines._utils import convert_struct, get_pipeline_driver


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(description="Creates or updates and runs the pipeline for the pipeline script.")
    result.add_argument("-n", "--module-name", dest="module_name", required=True,
                        help="The module name of the pipeline to import, e.g. pipelines.credit.pipeline.")
    result.add_argument("-kwargs", "--kwargs", dest="kwargs", default=None,
                        help="Dict string of keyword arguments for get_pipeline.")
    result.add_argument("-role-arn", "--role-arn", dest="role_arn", required=True,
                        help="The role ARN the pipeline's steps run as.")
    result.add_argument("-description", "--description", dest="description", default=None,
                        help="The pipeline's description.")
    result.add_argument("-tags", "--tags", dest="tags", default=None,
                        help="""List of dict strings of '[{"Key": "string", "Value": "string"}, ..]'""")
    return result


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        pipeline = get_pipeline_driver(args.module_name, args.kwargs)
        print("###### Creating/updating a SageMaker Pipeline with the following definition:")
        print(json.dumps(json.loads(pipeline.definition()), indent=2, sort_keys=True))
        response = pipeline.upsert(role_arn=args.role_arn, description=args.description,
                                   tags=convert_struct(args.tags) or None)
        print(f"\n###### Created/Updated SageMaker Pipeline: {response['PipelineArn']}")
        execution = pipeline.start()
        print(f"\n###### Execution started with PipelineExecutionArn: {execution.arn}")
        print("Waiting for the execution to finish...")
        execution.wait(delay=int(os.environ.get("PIPELINE_WAIT_DELAY", "30")), max_attempts=240)
        print("\n###### Execution completed. Execution step details:")
        for step in reversed(execution.list_steps()):
            print(f"{step['StepName']}: {step['StepStatus']}")
    except Exception as error:  # noqa: BLE001 - any failure must fail the build with its reason
        print(f"Exception: {error}")
        traceback.print_exc()
        sys.exit(1)


if __name__ == "__main__":
    main()
