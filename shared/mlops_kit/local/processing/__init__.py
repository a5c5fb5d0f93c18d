"""SageMaker processing jobs that really run the learner's script (or a built-in image)."""
