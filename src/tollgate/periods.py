"""Periods of whole days, as back-tests, benchmarks, feedback and indicators take them:
``start`` and ``end`` both included, in UTC, so that a report for November and one for
December never count the same declaration twice or miss the last evening."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tollgate.errors import ValidationFailed

#: ten years: the longest period any report or back-test reads
MAX_DAYS = 3_660


def check_period(start: date, end: date, max_days: int = MAX_DAYS) -> None:
    """Refuse a period that ends before it starts, or that is longer than ``max_days``."""
    if end < start:
        raise ValidationFailed(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days >= max_days:
        raise ValidationFailed(f"a period covers at most {max_days} days")


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants ``[lo, hi)`` that hold every moment of the days ``start``..``end``."""
    return (
        datetime.combine(start, time.min, UTC),
        datetime.combine(end + timedelta(days=1), time.min, UTC),
    )
