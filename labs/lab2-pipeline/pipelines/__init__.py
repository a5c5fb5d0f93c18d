"""Model-building pipelines of the credit project, one sub-package per model."""
