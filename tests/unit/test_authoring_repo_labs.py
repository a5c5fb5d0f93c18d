"""The repository's own labs/ is exactly what its solutions/ generates (the CI staleness check)."""

from pathlib import Path

from mlops_kit.authoring import find_stale_labs

REPO = Path(__file__).resolve().parents[2]


def test_committed_labs_are_current_with_solutions():
    reasons = find_stale_labs(REPO / "solutions", REPO / "labs")
    assert reasons == [], "labs/ is stale:\n" + "\n".join(reasons)
