"""SageMaker Experiments: runs, trial components, their metrics, listing and search."""
