"""What the domain says about record categories: which are negative, how long they are shown."""

from __future__ import annotations

import enum
from datetime import date
from functools import lru_cache

from libs.common.timeutil import SHANGHAI, now


class RecordCategory(str, enum.Enum):
    REGISTRATION = "REGISTRATION"
    LICENSE = "LICENSE"
    ADMINISTRATIVE_PENALTY = "ADMINISTRATIVE_PENALTY"
    JUDGMENT = "JUDGMENT"
    UNFULFILLED_OBLIGATION = "UNFULFILLED_OBLIGATION"
    TAX_ARREARS = "TAX_ARREARS"
    FINANCIAL_DEFAULT = "FINANCIAL_DEFAULT"
    ABNORMAL_OPERATION = "ABNORMAL_OPERATION"
    SAFETY_VIOLATION = "SAFETY_VIOLATION"
    TRAVEL_MISCONDUCT = "TRAVEL_MISCONDUCT"
    CUSTOMS_VIOLATION = "CUSTOMS_VIOLATION"
    COMMENDATION = "COMMENDATION"


class Disclosure(str, enum.Enum):
    PUBLIC = "PUBLIC"        # anyone with a token, consumers included
    SHARED = "SHARED"        # authorities, analysts, admins and the subject
    RESTRICTED = "RESTRICTED"  # the source agency, analysts, admins and the subject


class RecordStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    DISPUTED = "DISPUTED"      # an objection is open
    WITHDRAWN = "WITHDRAWN"    # the source agency withdrew it
    SUPERSEDED = "SUPERSEDED"  # a correction replaced this version


# Years a negative record stays in default views after the conduct ended (or occurred, when no
# end is given). Drawn from public rules: general administrative penalties are shown 1-3 years,
# serious ones and court / tax / credit-reporting information up to 5 years (征信业管理条例 §16).
RETENTION_YEARS: dict[RecordCategory, int] = {
    RecordCategory.ADMINISTRATIVE_PENALTY: 3,
    RecordCategory.JUDGMENT: 5,
    RecordCategory.UNFULFILLED_OBLIGATION: 5,
    RecordCategory.TAX_ARREARS: 5,
    RecordCategory.FINANCIAL_DEFAULT: 5,
    RecordCategory.ABNORMAL_OPERATION: 3,
    RecordCategory.SAFETY_VIOLATION: 5,
    RecordCategory.TRAVEL_MISCONDUCT: 1,
    RecordCategory.CUSTOMS_VIOLATION: 3,
}

# Categories whose facts are about money owed: the amount is required.
AMOUNT_REQUIRED = frozenset({RecordCategory.TAX_ARREARS, RecordCategory.FINANCIAL_DEFAULT})

CATEGORY_VALUES = frozenset(c.value for c in RecordCategory)
DISCLOSURE_VALUES = frozenset(d.value for d in Disclosure)


def is_negative(category: str) -> bool:
    return RecordCategory(category) in RETENTION_YEARS


@lru_cache(maxsize=50_000)
def retention_until(category: str, occurred_on: date, conduct_ended_on: date | None) -> date | None:
    """The first day a negative record is out of default views; None for positive records."""
    years = RETENTION_YEARS.get(RecordCategory(category))
    if years is None:
        return None
    start = conduct_ended_on or occurred_on
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def today_in_china() -> date:
    """Today in Asia/Shanghai: the day retention, dates of conduct and documents are judged by."""
    return now().astimezone(SHANGHAI).date()
