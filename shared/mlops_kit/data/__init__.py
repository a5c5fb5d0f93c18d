"""Credit data for the labs: the demo's 24-column schema, a synthetic generator, a loader.

``load_credit_data()`` with no argument is the offline default (synthetic); give it a
path or URL to use the real UCI data instead.
"""

from .loader import load_credit_data
from .schema import COLUMNS, FEATURES, LABEL, CreditDataError, validate_credit_frame
from .synthetic import synthetic_credit_data

__all__ = ["COLUMNS", "FEATURES", "LABEL", "CreditDataError", "load_credit_data", "synthetic_credit_data",
           "validate_credit_frame"]
