"""Figures drawn for the book at build time with matplotlib, so the build needs no network
and no diagram tool beyond the pinned packages."""

import json
import re

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

STAGES = [
    ("Lab 1", "Experiment", "processing job, XGBoost\ntraining, experiment runs"),
    ("Lab 2", "Pipeline", "SageMaker Pipeline,\nmodel registry"),
    ("Lab 3", "CI/CD", "Project: modelbuild /\nmodeldeploy, approval"),
    ("Lab 4", "Monitor", "data capture, baseline,\nModel Monitor drift"),
]


def _box(ax, x, y, width, height, text, colour, size=9, weight="normal"):
    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=colour, edgecolor="#334155", linewidth=1.2))
    ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=size, weight=weight)


def _arrow(ax, start, end, text=""):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#334155", linewidth=1.2))
    if text:
        ax.text((start[0] + end[0]) / 2 + 0.08, (start[1] + end[1]) / 2, text, fontsize=8, va="center", color="#334155")


def architecture_diagram():
    """The workshop at a glance: four staged labs, one notebook code path, two backends."""
    fig, ax = plt.subplots(figsize=(10, 6.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.2)
    ax.axis("off")

    for index, (lab, title, detail) in enumerate(STAGES):
        x = 0.2 + index * 2.45
        _box(ax, x, 4.9, 2.1, 1.1, f"{lab}: {title}\n{detail}", "#dbeafe", size=8.5)
        if index:
            _arrow(ax, (x - 0.33, 5.45), (x - 0.02, 5.45))

    _box(ax, 1.2, 3.2, 7.6, 1.0,
         "Your notebook: real SageMaker Python SDK v3 and boto3 code\n"
         "start_session(backend)  ·  check(\"labN.exercise\") after each exercise", "#fef9c3", size=9.5)
    _arrow(ax, (5.0, 4.85), (5.0, 4.25))

    _box(ax, 0.3, 0.3, 5.2, 2.1,
         "backend = \"local\"  (default, offline, free)\n\n"
         "local AWS server on 127.0.0.1 (moto + kit extensions)\n"
         "S3 · IAM · jobs that really run · endpoints serving\n"
         "the real model · pipelines · registry events · Model Monitor", "#dcfce7", size=8.5)
    _box(ax, 6.0, 0.3, 3.7, 2.1,
         "backend = \"aws\"\n\nyour AWS account: the same\nnotebooks, real SageMaker,\nreal cost", "#fee2e2", size=8.5)
    _arrow(ax, (3.5, 3.15), (2.9, 2.45), "HTTP")
    _arrow(ax, (6.5, 3.15), (7.85, 2.45), "HTTPS")
    fig.tight_layout()
    return fig


STEP_COLOURS = {"Processing": "#dbeafe", "Training": "#fef9c3", "Condition": "#ede9fe",
                "RegisterModel": "#dcfce7", "Model": "#dcfce7", "Fail": "#fee2e2"}
STEP_REFERENCE = re.compile(r"^Steps\.([^.\[]+)")


def _referenced_steps(value) -> set[str]:
    """Names of the steps whose properties a piece of a definition reads (`{"Get": "Steps.X..."}`)."""
    if isinstance(value, dict):
        found = set()
        for key, item in value.items():
            if key == "Get" and isinstance(item, str) and STEP_REFERENCE.match(item):
                found.add(STEP_REFERENCE.match(item).group(1))
            else:
                found |= _referenced_steps(item)
        return found
    if isinstance(value, list):
        return set().union(*(_referenced_steps(item) for item in value)) if value else set()
    return set()


def pipeline_dag(definition) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The steps of a pipeline definition (name -> type) and its edges (from, to, label).

    An edge comes from `DependsOn`, from a property a step reads, or from a condition to
    the steps of its branches (labelled "true" / "false"), as SageMaker orders them.
    A branch step gets only its condition's edge: it runs when the condition chooses it.
    """
    definition = json.loads(definition) if isinstance(definition, str) else definition
    steps, edges = {}, set()

    def visit(step_list, branch_of=None, label=""):
        for step in step_list:
            steps[step["Name"]] = step["Type"]
            arguments = step.get("Arguments", {})
            if branch_of:  # a branch step runs when its condition says so, whatever else it reads
                edges.add((branch_of, step["Name"], label))
                continue
            sources = set(step.get("DependsOn", []))
            if step["Type"] == "Condition":
                sources |= _referenced_steps(arguments.get("Conditions", []))
                visit(arguments.get("IfSteps", []), step["Name"], "true")
                visit(arguments.get("ElseSteps", []), step["Name"], "false")
            else:
                sources |= _referenced_steps(arguments)
            sources |= _referenced_steps(step.get("PropertyFiles", []))
            edges.update((source, step["Name"], "") for source in sources - {step["Name"]})

    visit(definition.get("Steps", []))
    unknown = sorted({name for edge in edges for name in edge[:2]} - set(steps))
    if unknown:
        raise ValueError(f"The definition refers to step(s) {', '.join(unknown)}, which it does not define.")
    return steps, sorted(edges)


def _levels(steps: dict[str, str], edges: list[tuple[str, str, str]]) -> dict[str, int]:
    """Each step's column: the length of the longest chain of steps before it."""
    level = {name: 0 for name in steps}
    for _ in steps:  # longest paths settle after at most len(steps) rounds in a DAG
        for source, target, _label in edges:
            level[target] = max(level[target], level[source] + 1)
    return level


def pipeline_graph(definition):
    """The pipeline as SageMaker Studio draws it: one box per step, arrows in execution order."""
    steps, edges = pipeline_dag(definition)
    level = _levels(steps, edges)
    columns: dict[int, list[str]] = {}
    for name in steps:
        columns.setdefault(level[name], []).append(name)
    width, height = 2.7, 0.9
    position = {}
    for column, names in columns.items():
        for row, name in enumerate(names):
            position[name] = (column * 3.3, (len(names) - 1) / 2 - row * 1.6)
    fig, ax = plt.subplots(figsize=(3.2 * len(columns) + 0.4, 1.5 * max(map(len, columns.values())) + 1.2))
    for name, kind in steps.items():
        x, y = position[name]
        _box(ax, x, y - height / 2, width, height, f"{name}\n({kind})", STEP_COLOURS.get(kind, "#f1f5f9"), size=8.5)
    for source, target, label in edges:
        (x0, y0), (x1, y1) = position[source], position[target]
        skips = level[target] - level[source] > 1  # bend over the steps in between
        ax.add_patch(FancyArrowPatch((x0 + width / 2, y0 + height / 2), (x1 + width / 2, y1 + height / 2),
                                     connectionstyle="arc3,rad=-0.35", arrowstyle="-|>", mutation_scale=14,
                                     color="#334155", linewidth=1.2) if skips else
                     FancyArrowPatch((x0 + width + 0.03, y0), (x1 - 0.03, y1), arrowstyle="-|>", mutation_scale=14,
                                     color="#334155", linewidth=1.2))
        if label:
            ax.text((x0 + width + x1) / 2, (y0 + y1) / 2 + 0.12, label, fontsize=8, ha="center", color="#334155")
    ax.set_xlim(-0.2, max(x for x, _ in position.values()) + width + 0.2)
    ys = [y for _, y in position.values()]
    ax.set_ylim(min(ys) - 0.9, max(ys) + 1.6)
    ax.axis("off")
    fig.tight_layout()
    return fig


def solution_pipeline_definition(project) -> dict:
    """The definition that lab 2's solution package builds, made on a private local backend.

    Building a definition uploads the step scripts to S3, so it needs a backend; a
    throwaway local one keeps the book build offline and leaves the learner's server alone.
    """
    import logging
    import sys
    import tempfile
    import warnings
    from pathlib import Path

    from mlops_kit.local.isolation import own_local_backend
    from mlops_kit.session import start_session

    warnings.filterwarnings("ignore", message="Running within a PipelineSession")
    for sdk_logger in ("sagemaker.core.workflow.utilities", "sagemaker.mlops.workflow.model_step"):
        logging.getLogger(sdk_logger).setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="book-figure-") as home, own_local_backend(Path(home)):
        session = start_session("local")
        sys.path.insert(0, str(Path(project).resolve()))
        from pipelines.credit.pipeline import get_pipeline

        pipeline = get_pipeline(session.region, session.role_arn, session.bucket, "CreditModels", "CreditPipeline", "credit")
        return json.loads(pipeline.definition())


ACTION_COLOURS = {"Source": "#e0e7ff", "Build": "#dbeafe", "Test": "#dcfce7", "Deploy": "#fef9c3",
                  "Approval": "#fee2e2"}


def codepipeline_graph(title: str, stages: list[dict]):
    """A CodePipeline as its console draws it: one column per stage, its actions top to bottom in run order."""
    rows = max(len(stage["actions"]) for stage in stages)
    width, height = 2.6, 0.8
    fig, ax = plt.subplots(figsize=(3.1 * len(stages) + 0.3, 1.1 * rows + 1.3))
    for column, stage in enumerate(stages):
        x = column * 3.1
        ax.text(x + width / 2, 0.75, stage["name"], ha="center", fontsize=9.5, weight="bold")
        actions = sorted(stage["actions"], key=lambda action: action.get("runOrder", 1))
        for row, action in enumerate(actions):
            kind = action["actionTypeId"]
            label = f"{action['name']}\n{kind['category']}: {kind['provider']}"
            _box(ax, x, -row * 1.1 - height / 2, width, height, label, ACTION_COLOURS.get(kind["category"], "#f1f5f9"),
                 size=8)
            if row:
                _arrow(ax, (x + width / 2, -(row - 1) * 1.1 - height / 2 - 0.03), (x + width / 2, -row * 1.1 + height / 2 + 0.03))
        if column:
            _arrow(ax, (x - 0.47, 0), (x - 0.03, 0))
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.2, 3.1 * len(stages) - 0.3)
    ax.set_ylim(-(rows - 1) * 1.1 - 0.7, 1.1)
    ax.axis("off")
    fig.tight_layout()
    return fig
