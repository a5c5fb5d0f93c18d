"""CodePipeline pipelines whose stages really run."""
