"""One deployment of an endpoint: its variants' loaded models and its Data Capture.

Built once when an endpoint is created or updated, then shared by every request, so the
model is loaded once per endpoint and never per request.
"""

import random
from dataclasses import dataclass

import xgboost

from .capture import CaptureBuffer, CaptureSettings, Sampler


@dataclass(frozen=True)
class VariantRuntime:
    name: str
    weight: float
    booster: xgboost.Booster


@dataclass(frozen=True)
class EndpointRuntime:
    """What one deployment of an endpoint serves with: loaded models and its capture settings."""

    variants: tuple[VariantRuntime, ...]
    capture: CaptureSettings | None
    sampler: Sampler | None
    buffer: CaptureBuffer | None

    def capturing(self) -> bool:
        return bool(self.capture and self.capture.enabled and self.sampler.should_capture())

    def choose_variant(self, target: str | None) -> VariantRuntime | None:
        if target:
            return next((variant for variant in self.variants if variant.name == target), None)
        if len(self.variants) == 1:
            return self.variants[0]
        return random.choices(self.variants, weights=[variant.weight for variant in self.variants])[0]

    def close(self) -> None:
        """Write captured records still buffered (before the deployment goes away)."""
        if self.buffer:
            self.buffer.flush()
