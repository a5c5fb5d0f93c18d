"""The project's pipelines: one package per pipeline (here `credit`), each with `get_pipeline`."""
