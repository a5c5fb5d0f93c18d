"""The staging test: the endpoint is InService, captures data, and answers a real request.

The template's test returned success without calling the endpoint. This one sends one row
of the credit data's features (CSV, no label) and fails unless the answer is a default
probability in [0, 1]; the request then shows in Data Capture, which lab 4 monitors.
"""

import argparse
import json
import logging

import boto3

logger = logging.getLogger(__name__)
# One customer's 23 features, in the training data's column order (LIMIT_BAL ... PAY_AMT6), unscaled.
TEST_ROW = "50000,2,2,1,35,0,0,0,0,0,0,45000,44000,43000,42000,41000,40000,2000,2000,1500,1500,1500,1500"


def invoke_endpoint(runtime_client, endpoint_name: str) -> dict:
    """Send TEST_ROW to the endpoint; raise unless it answers with a probability."""
    # TODO: runtime_client.invoke_endpoint(EndpointName=..., ContentType="text/csv", Body=TEST_ROW), read the body, parse it as a float, raise an Exception unless 0 <= probability <= 1; return {"endpoint_name": ..., "probability": ..., "success": True}
    raise NotImplementedError("runtime_client.invoke_endpoint(EndpointName=..., ContentType=\"text/csv\", Body=TEST_ROW), read the body, parse it as a float, raise an Exception unless 0 <= probability <= 1; return {\"endpoint_name\": ..., \"probability\": ..., \"success\": True}")


def test_endpoint(sm_client, runtime_client, endpoint_name: str) -> dict:
    """Describe the endpoint, require InService and Data Capture, then invoke it."""
    endpoint = sm_client.describe_endpoint(EndpointName=endpoint_name)
    if endpoint["EndpointStatus"] != "InService":
        raise Exception(f"SageMaker endpoint: {endpoint_name} status: {endpoint['EndpointStatus']} not InService")
    capture = endpoint.get("DataCaptureConfig", {})
    if not capture.get("EnableCapture"):
        raise Exception(f"SageMaker endpoint: {endpoint_name} does not capture data")
    logger.info("Data capture is on for %s (%s%%)", endpoint_name, capture.get("CurrentSamplingPercentage"))
    return invoke_endpoint(runtime_client, endpoint_name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--import-build-config", required=True)
    parser.add_argument("--export-test-results", required=True)
    args, _ = parser.parse_known_args(argv)
    logging.basicConfig(format="%(levelname)s: [%(filename)s:%(lineno)s] %(message)s", level=args.log_level)

    with open(args.import_build_config) as file:
        config = json.load(file)
    endpoint_name = f"{config['Parameters']['SageMakerProjectName']}-{config['Parameters']['StageName']}"
    results = test_endpoint(boto3.client("sagemaker"), boto3.client("sagemaker-runtime"), endpoint_name)
    print(json.dumps(results, indent=4))
    with open(args.export_test_results, "w") as file:
        json.dump(results, file, indent=4)


if __name__ == "__main__":
    main()
