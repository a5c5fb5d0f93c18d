"""The SageMaker Model Registry's rules: groups, versions, approval and its state-change event."""
