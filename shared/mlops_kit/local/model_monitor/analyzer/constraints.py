"""constraints.json as the analyzer suggests it from a baseline's statistics.

Per feature: the inferred type, the observed completeness, ``is_non_negative`` for numeric
columns (true when the minimum is >= 0), and for String columns with at most
``DOMAIN_MAX_VALUES`` distinct values (Deequ's low-cardinality histogram limit) the domain.
``monitoring_config`` carries the analyzer's defaults (the required matching fractions are
1.0; the drift thresholds 0.1, Robust, LInfinity).
"""

import copy

from . import inference
from .statistics import VERSION, ColumnProfile

DOMAIN_MAX_VALUES = 120
CATEGORICAL_DRIFT_METHODS = ("LInfinity", "ChiSquared")

DEFAULT_MONITORING_CONFIG = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    },
}


def monitoring_config(categorical_drift_method: str | None = None) -> dict:
    config = copy.deepcopy(DEFAULT_MONITORING_CONFIG)
    if categorical_drift_method:
        config["distribution_constraints"]["categorical_drift_method"] = categorical_drift_method
    return config


def feature_constraints(profile: ColumnProfile) -> dict:
    feature = {"name": profile.name, "inferred_type": profile.inferred_type, "completeness": profile.completeness}
    if profile.inferred_type in inference.NUMERIC_TYPES and profile.numbers is not None and len(profile.numbers):
        feature["num_constraints"] = {"is_non_negative": bool(profile.numbers.min() >= 0)}
    elif profile.inferred_type == inference.STRING and 0 < len(profile.categories) <= DOMAIN_MAX_VALUES:
        feature["string_constraints"] = {"domains": sorted(profile.categories)}
    return feature


def constraints_json(profiles: list[ColumnProfile], categorical_drift_method: str | None = None) -> dict:
    return {"version": VERSION, "features": [feature_constraints(profile) for profile in profiles],
            "monitoring_config": monitoring_config(categorical_drift_method)}
