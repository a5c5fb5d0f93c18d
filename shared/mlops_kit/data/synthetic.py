"""A seeded synthetic stand-in for the UCI credit-default data (no download, any size).

Why it looks like the real thing: every column is drawn from a Gaussian score that
carries the dependencies (a hidden credit risk, a card-usage habit, month-to-month
persistence), then mapped through the real column's quantiles, so marginals, value
sets and the main correlations follow ``docs/uci-credit-default-stats.md``. The
label's log-odds is the real default rate for the customer's latest repayment status
(PAY_0) plus the hidden risk, which the other columns only reveal noisily: XGBoost gets
a test AUC near the real data's 0.78, not a trivially separable set.

Months run newest first, as in the columns: index 0 is September (PAY_0, BILL_AMT1,
PAY_AMT1), index 5 is April (PAY_6, BILL_AMT6, PAY_AMT6). Where the stats file gives
only the first and last month, the months between are interpolated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import BILL_AMOUNTS, COLUMNS, LABEL, PAY_AMOUNTS, PAY_STATUS

MONTHS = 6

# Category shares of the real data (counts out of 30,000).
SEX_COUNTS = {1: 11_888, 2: 18_112}
EDUCATION_COUNTS = {0: 14, 1: 10_585, 2: 14_030, 3: 4_917, 4: 123, 5: 280, 6: 51}
# Repayment status -2..8 for PAY_0, PAY_2 and PAY_6; the tails the stats file lumps
# together ("4..8", "3..8") are split like PAY_0's tail.
PAY_COUNTS = {
    "PAY_0": [2_759, 5_686, 14_737, 3_688, 2_667, 322, 76, 26, 11, 9, 19],
    "PAY_2": [3_782, 6_050, 15_730, 28, 3_927, 326, 76 / 141 * 157, 26 / 141 * 157,
              11 / 141 * 157, 9 / 141 * 157, 19 / 141 * 157],
    "PAY_6": [4_895, 5_740, 16_286, 0, 2_766, *(c / 463 * 313 for c in (322, 76, 26, 11, 9, 19))],
}
PAY_VALUES = np.arange(-2, 9)
# Real default rate by PAY_0 status -2..8 ("4+ about 0.6").
DEFAULT_RATE_BY_PAY_0 = [0.132, 0.168, 0.128, 0.339, 0.691, 0.758, 0.6, 0.6, 0.6, 0.6, 0.6]

# Quantile knots (probability, value) of the continuous columns; between knots the
# value is interpolated linearly. Extreme tails not in the stats file are guesses
# that keep the means close to the real ones.
LIMIT_BAL_KNOTS = [(0, 10_000), (0.01, 10_000), (0.05, 20_000), (0.25, 50_000), (0.5, 140_000),
                   (0.75, 240_000), (0.9, 360_000), (0.95, 430_000), (0.99, 500_000), (0.999, 620_000),
                   (1, 1_000_000)]
AGE_KNOTS = [(0, 21), (0.01, 22), (0.25, 28), (0.5, 34), (0.75, 41), (0.9, 48), (0.95, 52), (0.99, 60),
             (0.999, 67), (1, 79)]
BILL_KNOTS_FIRST = [(0, -165_580), (0.001, -8_000), (0.01, -81), (0.02, -1), (0.0201, 0),
                    (0.087, 0), (0.0871, 1), (0.25, 3_559), (0.5, 22_382), (0.75, 67_091), (0.8, 85_000),
                    (0.9, 142_000), (0.95, 201_203), (0.99, 350_111), (0.999, 480_000), (0.9999, 700_000),
                    (1, 964_511)]
BILL_KNOTS_LAST = [(0, -339_603), (0.001, -8_000), (0.01, -50), (0.02, -1), (0.0201, 0),
                   (0.10, 0), (0.1001, 1), (0.25, 1_256), (0.5, 17_071), (0.75, 49_198), (0.8, 62_000),
                   (0.9, 105_000), (0.95, 147_000), (0.99, 280_000), (0.999, 420_000), (0.9999, 650_000),
                   (1, 961_664)]
PAY_AMT_KNOTS_FIRST = [(0, 0), (0.175, 0), (0.1751, 1), (0.25, 1_000), (0.5, 2_100), (0.75, 5_006),
                       (0.9, 10_000), (0.95, 18_428), (0.98, 36_000), (0.99, 66_522), (0.999, 130_000),
                       (0.9999, 300_000), (1, 873_552)]
PAY_AMT_KNOTS_LAST = [(0, 0), (0.235, 0), (0.2351, 1), (0.25, 118), (0.5, 1_500), (0.75, 4_000),
                      (0.9, 9_000), (0.95, 17_300), (0.98, 38_000), (0.99, 82_600), (0.999, 150_000),
                      (0.9999, 300_000), (1, 528_666)]

# Dependency strengths, tuned until the correlations, the PAY_0 default-rate profile and
# the XGBoost AUC matched the real data (benchmarks/synthetic_auc.py prints the AUC).
DEPENDENCE = dict(
    risk_in_delinquency=0.5,    # share of a month's delinquency score that is the hidden risk
    delinquency_memory=0.68,    # month-to-month autocorrelation of the rest
    habit_in_usage=0.7,         # the same two for the card-usage score (-2 / -1 / 0)
    usage_memory=0.7,
    risk_in_limit=0.36,         # riskier customers get lower credit limits ...
    age_in_limit=0.25,          # ... older ones higher,
    education_in_limit=0.25,    # ... and graduate school (1) higher than high school (3)
    male_risk=0.18,             # men default slightly more often
    limit_in_bill=0.45,
    usage_in_bill=0.6,
    usage_in_month_bill=0.6,    # a month without consumption (-2) has a small or zero bill
    risk_in_bill=0.15,
    bill_memory=0.9,            # bills drift slowly around the customer's level
    bill_drift=0.7,
    bill_in_payment=0.45,
    paid_duly_in_payment=0.9,   # status -1 pays the bill in full
    delinquent_in_payment=1.5,  # a delayed month pays little or nothing
    risk_in_label=2.0,          # how much the hidden risk moves the default odds
)


def synthetic_credit_data(n_rows: int = 30_000, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` synthetic customers in the demo's schema; the same seed gives the same frame."""
    if int(n_rows) != n_rows or n_rows < 1:
        raise ValueError(f"n_rows must be a whole number of at least 1, got {n_rows!r}")
    p = DEPENDENCE
    rng = np.random.default_rng(seed)
    n = int(n_rows)
    sex = rng.choice(list(SEX_COUNTS), size=n, p=_shares(SEX_COUNTS.values()))
    risk = _standardise(rng.standard_normal(n) + p["male_risk"] * (sex == 1))
    habit = rng.standard_normal(n)  # how much of the card the customer uses
    age_score = rng.standard_normal(n)
    age = _from_quantiles(age_score, AGE_KNOTS)
    education = rng.choice(list(EDUCATION_COUNTS), size=n, p=_shares(EDUCATION_COUNTS.values()))
    limit_score = _standardise(-p["risk_in_limit"] * risk + p["age_in_limit"] * age_score
                               - p["education_in_limit"] * education + rng.standard_normal(n))
    columns = {
        LABEL: None,  # filled in last, from the repayment history
        "LIMIT_BAL": _round_to(_from_quantiles(limit_score, LIMIT_BAL_KNOTS), 10_000, 10_000, 1_000_000),
        "SEX": sex, "EDUCATION": education, "MARRIAGE": _marriage(age, rng), "AGE": age,
    }

    delinquency = _mix(risk, p["risk_in_delinquency"], _month_drift(n, p["delinquency_memory"], rng))
    usage = _mix(habit, p["habit_in_usage"], _month_drift(n, p["usage_memory"], rng))
    bill_level = _standardise(p["limit_in_bill"] * limit_score + p["usage_in_bill"] * habit
                              + p["risk_in_bill"] * risk)
    bill_score = bill_level[:, None] + p["bill_drift"] * _month_drift(n, p["bill_memory"], rng)
    for m in range(MONTHS):
        status = _pay_status(delinquency[:, m], usage[:, m], _month_counts(m))
        columns[PAY_STATUS[m]] = status
        columns[BILL_AMOUNTS[m]] = _from_quantiles(bill_score[:, m] + p["usage_in_month_bill"] * usage[:, m],
                                                   _month_knots(BILL_KNOTS_FIRST, BILL_KNOTS_LAST, m))
        payment_score = (p["bill_in_payment"] * _standardise(bill_score[:, m])
                         + p["paid_duly_in_payment"] * (status == -1)
                         - p["delinquent_in_payment"] * (status >= 1) + rng.standard_normal(n))
        columns[PAY_AMOUNTS[m]] = _from_quantiles(payment_score,
                                                  _month_knots(PAY_AMT_KNOTS_FIRST, PAY_AMT_KNOTS_LAST, m))
    columns[LABEL] = _label(columns["PAY_0"], risk, p["risk_in_label"], rng)
    return pd.DataFrame(columns)[COLUMNS].round().astype("int64")


def _month_drift(n, memory, rng):
    """Standard-normal AR(1) scores for the six months, generated from April forwards."""
    months = np.empty((n, MONTHS))
    months[:, MONTHS - 1] = rng.standard_normal(n)
    for m in range(MONTHS - 2, -1, -1):
        months[:, m] = memory * months[:, m + 1] + np.sqrt(1 - memory**2) * rng.standard_normal(n)
    return months


def _mix(customer, customer_share, months):
    """Standard-normal monthly scores sharing ``customer_share`` of their variance."""
    return np.sqrt(customer_share) * customer[:, None] + np.sqrt(1 - customer_share) * months


def _pay_status(delinquency, usage, counts):
    """Repayment status -2..8: the top delinquency scores are months of delay, the
    others split by usage into no consumption (-2), paid in full (-1), revolving (0)."""
    shares = np.asarray(counts, dtype=float) / sum(counts)
    delayed_share = shares[3:].sum()
    delay_rank = _ranks(delinquency)
    delay_edges = 1 - delayed_share + np.cumsum(shares[3:])
    delay = 1 + np.searchsorted(delay_edges[:-1], delay_rank, side="right")
    usage_edges = np.cumsum(shares[:3]) / shares[:3].sum()
    paying = -2 + np.searchsorted(usage_edges[:-1], _ranks(usage), side="right")
    return np.where(delay_rank >= 1 - delayed_share, delay, paying)


def _label(pay_0, risk, risk_weight, rng):
    """Default next month: the real rate for the PAY_0 status, shifted by the hidden risk."""
    logit = np.empty(len(pay_0))
    for index, value in enumerate(PAY_VALUES):
        members = pay_0 == value
        if members.any():
            offset = risk_weight * (risk[members] - risk[members].mean())
            logit[members] = _calibrated_intercept(DEFAULT_RATE_BY_PAY_0[index], offset) + offset
    return (rng.random(len(pay_0)) < 1 / (1 + np.exp(-logit))).astype("int64")


def _calibrated_intercept(rate, offset):
    """Intercept a such that mean(sigmoid(a + offset)) == rate (Newton's method)."""
    a = np.log(rate / (1 - rate))
    for _ in range(20):
        probability = 1 / (1 + np.exp(-(a + offset)))
        a -= (probability.mean() - rate) / max((probability * (1 - probability)).mean(), 1e-9)
    return a


def _marriage(age, rng):
    """1 married, 2 single, 3 other, 0 unknown; the married share grows with age.

    Among the unmarried, the real data has 0.33% unknown and 2.0% other."""
    married = rng.random(len(age)) < 1 / (1 + np.exp(-(-0.28 + 0.09 * (age - 35))))
    other = rng.random(len(age))
    return np.where(married, 1, np.where(other < 0.0034, 0, np.where(other < 0.023, 3, 2)))


def _month_counts(month):
    """Status counts for a month; PAY_3..PAY_5 lie between PAY_2 and PAY_6."""
    first, last = np.array(PAY_COUNTS["PAY_2"]), np.array(PAY_COUNTS["PAY_6"])
    if month == 0:
        return PAY_COUNTS["PAY_0"]
    return first + (last - first) * (month - 1) / (MONTHS - 2)


def _month_knots(first, last, month):
    """Quantile knots for a month, between September's (``first``) and April's (``last``)."""
    weight = month / (MONTHS - 1)
    return [(p, a + (b - a) * weight) for (p, a), (_, b) in zip(first, last)]


def _from_quantiles(score, knots):
    """Map a score to a column with the given quantiles, keeping the score's order."""
    probabilities, values = zip(*knots)
    return np.interp(_ranks(score), probabilities, values)


def _ranks(values):
    """Each value's rank as a probability in (0, 1)."""
    return (np.argsort(np.argsort(values, kind="stable"), kind="stable") + 0.5) / len(values)


def _round_to(values, step, low, high):
    """Credit limits are whole multiples of 10,000 within the real range."""
    return np.clip(np.round(values / step) * step, low, high)


def _standardise(values):
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 0 else 1)


def _shares(counts):
    counts = np.fromiter(counts, dtype=float)
    return counts / counts.sum()
