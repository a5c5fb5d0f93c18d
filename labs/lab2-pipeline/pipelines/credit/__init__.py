"""The credit-default model: its processing scripts and the SageMaker Pipeline that runs them."""
