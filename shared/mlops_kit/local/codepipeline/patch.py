"""Installs the codepipeline room into moto (placeholder until the room lands)."""

SEAMS: list[tuple] = []


def install() -> None:
    """Nothing to install yet."""
