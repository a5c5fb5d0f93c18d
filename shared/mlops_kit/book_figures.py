"""Figures drawn for the book at build time with matplotlib, so the build needs no network
and no diagram tool beyond the pinned packages."""

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
