"""CloudFormation stacks that really create SageMaker models, endpoint configs and endpoints."""
