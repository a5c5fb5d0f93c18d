"""The sanitize config nbval applies to committed outputs, read the way nbval reads it."""

import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

CONFIG = Path(__file__).parents[1] / "nbval-sanitize.cfg"


def sanitized(text: str) -> str:
    """Apply every pattern in file order, as nbval's ``sanitize`` does."""
    for regex, replace in dict(get_sanitize_patterns(CONFIG.read_text())).items():
        text = re.sub(regex, replace, text)
    return text


def test_a_learner_id_ending_like_a_duration_is_replaced_whole():
    assert sanitized("learner l-agvjbxw12s, project p-abcdefgh123s") == "learner l-LEARNER, project p-PROJECT"


def test_durations_are_still_replaced():
    assert sanitized("took 45s") != "took 45s"
