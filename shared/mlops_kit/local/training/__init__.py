"""SageMaker training jobs that really train: the built-in XGBoost algorithm, run in-process."""
