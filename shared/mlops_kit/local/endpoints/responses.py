"""InvokeEndpoint's error answers, shaped like SageMaker Runtime's (rest-json).

A handler returns ``(status, headers, body)``; botocore reads the error code from
``x-amzn-ErrorType`` and ModelError's extra members (OriginalStatusCode, OriginalMessage,
LogStreamArn) from the JSON body.
"""

import json

from .csv_inference import InferenceError


def json_error(status: int, code: str, body: dict):
    """An error answer; moto takes a handler's HTTP status from its "status" header."""
    return status, {"status": status, "Content-Type": "application/json", "x-amzn-ErrorType": code}, json.dumps(body)


def model_error(error: InferenceError, endpoint_name: str, account_id: str, region: str):
    """The service's HTTP 424 ModelError wrapping what the container answered."""
    log_group = f"/aws/sagemaker/Endpoints/{endpoint_name}"
    message = (
        f'Received client error ({error.status}) from primary with message "{error}". See '
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:group={log_group} "
        f"in account {account_id} for more information."
    )
    return json_error(424, "ModelError", {
        "ErrorCode": "CLIENT_ERROR_FROM_MODEL",
        "LogStreamArn": f"arn:aws:logs:{region}:{account_id}:log-group:{log_group}",
        "Message": message,
        "OriginalMessage": str(error),
        "OriginalStatusCode": error.status,
    })
