"""What both commands share: import a pipeline module and build its pipeline from --kwargs."""

import ast
import importlib


def convert_struct(text: str | None):
    """A Python literal given on the command line (a dict or a list of dicts), or {} when absent."""
    return ast.literal_eval(text) if text else {}


def get_pipeline_driver(module_name: str, passed_args: str | None = None):
    """``module_name.get_pipeline(**kwargs)``: the pipeline the build creates or updates."""
    module = importlib.import_module(module_name)
    return module.get_pipeline(**convert_struct(passed_args))
