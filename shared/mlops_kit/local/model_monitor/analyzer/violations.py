"""constraint_violations.json: the current window's profiles checked against the baseline.

Checks (``constraint_check_type``): data_type_check (share of values of the expected type
below ``datatype_check_threshold``, and an is_non_negative breach), completeness_check,
baseline_drift_check (Simple or Robust distance above the threshold, numeric or
categorical), missing_column_check, extra_column_check and categorical_values_check.

Descriptions are the real analyzer's where a real one is on record
(docs/model-monitor-formats.md): the data type sentence, the drift sentence, and
Deequ's "Value: <share> does not meet the constraint requirement! " for completeness,
categorical values and non-negativity, as in the SageMaker SDK's own fixture
(aws/sagemaker-python-sdk tests/data/monitor/constraint_violations.json) and parsed by
AWS's visualization utils. The missing and extra column sentences are the kit's own.
"""

from dataclasses import dataclass

from . import inference
from .distance import categorical_distance, numerical_distance
from .kll import KLLSketch
from .statistics import ColumnProfile

DATA_TYPE = "data_type_check"
COMPLETENESS = "completeness_check"
DRIFT = "baseline_drift_check"
MISSING_COLUMN = "missing_column_check"
EXTRA_COLUMN = "extra_column_check"
CATEGORICAL_VALUES = "categorical_values_check"


@dataclass
class ViolationReport:
    """What checking a window against the baseline found: the violations and each drift distance."""

    violations: list[dict]
    drift: dict[str, float]  # feature name -> distance to the baseline (for the CloudWatch metric)


def _violation(feature: str, check: str, description: str) -> dict:
    return {"feature_name": feature, "constraint_check_type": check, "description": description}


def _percent(fraction: float) -> str:
    return f"{fraction * 100!r}%"


def _deequ_failure(value: float) -> str:
    """Deequ's failed-constraint message; the analyzer passes an empty hint, hence the trailing space."""
    return f"Value: {value!r} does not meet the constraint requirement! "


def _enabled(value) -> bool:
    return str(value).lower() != "disabled"


def _feature_enabled(constraint: dict) -> bool:
    for group in ("num_constraints", "string_constraints"):
        overrides = (constraint.get(group) or {}).get("monitoring_config_overrides") or {}
        if not _enabled(overrides.get("evaluate_constraints", "Enabled")):
            return False
    return True


def _baseline_sketch(feature: dict) -> KLLSketch | None:
    kll = ((feature.get("numerical_statistics") or {}).get("distribution") or {}).get("kll") or {}
    sketch = kll.get("sketch")
    if not sketch or not sketch.get("data"):
        return None
    parameters = sketch.get("parameters") or {}
    return KLLSketch.from_data(sketch["data"], parameters.get("k", 2048.0), parameters.get("c", 0.64))


def _baseline_categories(feature: dict) -> dict[str, float] | None:
    categorical = ((feature.get("string_statistics") or {}).get("distribution") or {}).get("categorical") or {}
    buckets = categorical.get("buckets")
    return {str(bucket["value"]): float(bucket["count"]) for bucket in buckets} if buckets else None


def check(baseline_statistics: dict, baseline_constraints: dict, current: list[ColumnProfile]) -> ViolationReport:
    """Every violation of the current window, in the order of the baseline's features."""
    config = baseline_constraints.get("monitoring_config") or {}
    distribution = config.get("distribution_constraints") or {}
    statistics_by_name = {feature["name"]: feature for feature in baseline_statistics.get("features", [])}
    expected = baseline_constraints.get("features", [])
    violations: list[dict] = []
    drift: dict[str, float] = {}
    current_by_name = {profile.name: profile for profile in current}

    for constraint in expected:
        name = constraint["name"]
        profile = current_by_name.get(name)
        if profile is None:
            violations.append(_violation(name, MISSING_COLUMN,
                                         "There are missing columns in current dataset. Number of columns in current "
                                         f"dataset: {len(current)}, Number of columns in baseline constraints: "
                                         f"{len(expected)}"))
            continue
        distance = _drift(statistics_by_name.get(name, {}), profile, distribution)
        if distance is not None:
            drift[name] = distance
        if not _enabled(config.get("evaluate_constraints", "Enabled")) or not _feature_enabled(constraint):
            continue
        violations += _feature_violations(constraint, profile, config, distance)

    known = {constraint["name"] for constraint in expected}
    for profile in current:
        if profile.name not in known:
            violations.append(_violation(profile.name, EXTRA_COLUMN,
                                         "There are extra columns in current dataset. Number of columns in current "
                                         f"dataset: {len(current)}, Number of columns in baseline constraints: "
                                         f"{len(expected)}"))
    return ViolationReport(violations, drift)


def _drift(baseline_feature: dict, profile: ColumnProfile, distribution: dict) -> float | None:
    method = distribution.get("comparison_method", "Robust")
    if profile.inferred_type in inference.NUMERIC_TYPES and profile.sketch is not None and profile.num_present:
        sketch = _baseline_sketch(baseline_feature)
        return numerical_distance(sketch, profile.sketch, method) if sketch else None
    if profile.inferred_type == inference.STRING:
        categories = _baseline_categories(baseline_feature)
        return categorical_distance(categories, dict(profile.categories), method) if categories else None
    return None


def _feature_violations(constraint: dict, profile: ColumnProfile, config: dict, distance: float | None) -> list[dict]:
    name, expected_type = constraint["name"], constraint.get("inferred_type")
    found = []
    threshold = float(config.get("datatype_check_threshold", 1.0))
    if expected_type in inference.NUMERIC_TYPES:
        fraction = inference.matching_fraction(profile.type_counts, expected_type)
        if fraction < threshold:
            found.append(_violation(name, DATA_TYPE,
                                    f"Data type match requirement is not met. Expected data type: {expected_type}, "
                                    f"Expected match: {_percent(threshold)}. Observed: Only {_percent(fraction)} of "
                                    f"data is {expected_type}."))
    expected_completeness = constraint.get("completeness")
    if expected_completeness is not None and profile.completeness < float(expected_completeness):
        found.append(_violation(name, COMPLETENESS, _deequ_failure(profile.completeness)))
    if (constraint.get("num_constraints") or {}).get("is_non_negative") and profile.numbers is not None \
            and len(profile.numbers):
        non_negative = float((profile.numbers >= 0).mean())
        if non_negative < 1.0:
            found.append(_violation(name, DATA_TYPE, _deequ_failure(non_negative)))
    found += _domain_violations(constraint, profile, config)
    distribution = config.get("distribution_constraints") or {}
    if distance is not None and _enabled(distribution.get("perform_comparison", "Enabled")):
        if profile.inferred_type == inference.STRING:
            limit = float(distribution.get("categorical_comparison_threshold", 0.1))
            if distance > limit:
                found.append(_violation(name, DRIFT, f"Categorical distance: {distance!r} exceeds categorical "
                                                     f"threshold: {limit!r}"))
        else:
            limit = float(distribution.get("comparison_threshold", 0.1))
            if distance > limit:
                found.append(_violation(name, DRIFT, f"Numerical distance: {distance!r} exceeds numerical "
                                                     f"threshold: {limit!r}"))
    return found


def _domain_violations(constraint: dict, profile: ColumnProfile, config: dict) -> list[dict]:
    domains = (constraint.get("string_constraints") or {}).get("domains")
    if not domains or not profile.num_present:
        return []
    allowed = set(domains)
    inside = sum(count for value, count in profile.categories.items() if value in allowed)
    fraction = inside / profile.num_present
    threshold = float(config.get("domain_content_threshold", 1.0))
    if fraction >= threshold:
        return []
    return [_violation(constraint["name"], CATEGORICAL_VALUES, _deequ_failure(fraction))]
