"""The statuses of vacancies and referrals: the values their `status` columns hold.

They live in a module of their own, importing nothing, because vacancies, referrals and the referrals' answer
deadlines all need both, and import one another in that order (a unit leaving the board denies its referrals;
a referral makes its unit referral-pending). StrEnum members equal their strings, so rows keep their values.
"""

from __future__ import annotations

from enum import StrEnum


class VacancyStatus(StrEnum):
    OPEN = "open"
    PENDING = "referral_pending"  # still open, with a referral waiting for its answer
    FILLED = "filled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # nobody confirmed it was still available


# On the board: people may refer to it, update it and confirm it.
LIVE: tuple[VacancyStatus, ...] = (VacancyStatus.OPEN, VacancyStatus.PENDING)


class ReferralStatus(StrEnum):
    PENDING = "pending"  # nobody on the property's side has answered yet
    ACCEPTED = "accepted"
    DENIED = "denied"
    MOVED_IN = "moved_in"


# Still in play: the unit is promised to these (or may be); a denial of the last one reopens the unit.
IN_PLAY: tuple[ReferralStatus, ...] = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
