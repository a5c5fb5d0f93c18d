"""CodePipeline's own error codes for the actions the kit adds (moto defines the others)."""

from moto.core.exceptions import JsonRESTError


class CodePipelineError(JsonRESTError):
    """A 400 error whose code is the exception's class name, as CodePipeline answers."""

    code = 400

    def __init__(self, message: str):
        super().__init__(type(self).__name__, message)


class StageNotFoundException(CodePipelineError):
    pass


class ActionNotFoundException(CodePipelineError):
    pass


class InvalidApprovalTokenException(CodePipelineError):
    pass


class ApprovalAlreadyCompletedException(CodePipelineError):
    pass


class PipelineExecutionNotStoppableException(CodePipelineError):
    pass


class DuplicatedStopRequestException(CodePipelineError):
    pass


class ValidationException(CodePipelineError):
    pass


class ActionFailed(Exception):
    """Not an API error: an action failed; str() is its errorDetails message."""
