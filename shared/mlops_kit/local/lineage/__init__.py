"""SageMaker ML Lineage Tracking: the artifacts and associations an experiment run logs."""
