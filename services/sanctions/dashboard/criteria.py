"""What a `ListingFilter` asks for, checked: every refusal is BAD_REQUEST naming its field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from libs.common import regions
from libs.common.errors import InvalidInput
from libs.common.timeutil import SHANGHAI, as_utc, start_of_day

# The statuses counted when no filter is given: listings in force now.
IN_FORCE = ("ACTIVE",)


@dataclass(frozen=True)
class ListingCriteria:
    """A checked filter. `region` is a GB/T 2260 prefix: 2 (province), 4 or 6 digits."""

    list_code: str | None = None
    statuses: tuple[str, ...] | None = None  # None: every status
    authority: str | None = None
    region: str | None = None
    subject_kind: str | None = None
    decided_after: datetime | None = None  # inclusive
    decided_before: datetime | None = None  # exclusive
    effective_until_before: datetime | None = None  # exclusive; open-ended listings never match

    def within(self, agency: str | None) -> ListingCriteria:
        """Narrowed to one agency's listings (None: unchanged)."""
        return self if agency is None else replace(self, authority=agency)

    @property
    def months(self) -> tuple[date | None, date | None] | None:
        """The decision range as whole months [from, until), or None when it is not one."""
        bounds = []
        for value in (self.decided_after, self.decided_before):
            if value is None:
                bounds.append(None)
                continue
            day = value.astimezone(SHANGHAI).date()
            if day.day != 1 or start_of_day(day) != value:
                return None
            bounds.append(day)
        return bounds[0], bounds[1]

    @property
    def by_tally(self) -> bool:
        """Whether the tally's groups can answer a count of this filter exactly."""
        return (self.effective_until_before is None and self.months is not None
                and (self.region is None or len(self.region) == 2))


def region_prefix(raw: str) -> str:
    """`310000` -> `31`, `310100` -> `3101`, `310101`; also `31` and `3101` as given."""
    code = raw.strip()
    if not (code.isascii() and code.isdigit() and len(code) in (2, 4, 6)):
        raise InvalidInput("region is a GB/T 2260 code (6 digits) or its prefix (2 or 4 digits)",
                           field="region")
    if len(code) == 6:
        known = regions.is_known_region(code)
        code = code[:2] if code[2:] == "0000" else code[:4] if code[4:] == "00" else code
    else:
        known = regions.is_known_region(code[:2] + "0000")
    if not known:
        raise InvalidInput(f"region {raw.strip()} is not a known GB/T 2260 code", field="region")
    return code


def check(*, list_code: str | None, statuses: list[str] | None, authority: str | None,
          region: str | None, subject_kind: str | None, decided_after: datetime | None,
          decided_before: datetime | None, effective_until_before: datetime | None,
          known_lists: set[str]) -> ListingCriteria:
    if list_code is not None and list_code not in known_lists:
        raise InvalidInput(f"no list {list_code}", field="listCode")
    if statuses is not None and not statuses:
        raise InvalidInput("status names at least one status (leave it out for all)",
                           field="status")
    if authority is not None and not authority.strip():
        raise InvalidInput("authority is an agency code", field="authority")
    after = as_utc(decided_after) if decided_after else None
    before = as_utc(decided_before) if decided_before else None
    if after is not None and before is not None and before <= after:
        raise InvalidInput("decidedBefore must be after decidedAfter", field="decidedBefore")
    return ListingCriteria(
        list_code=list_code, statuses=tuple(sorted(set(statuses))) if statuses else None,
        authority=authority.strip() if authority else None,
        region=region_prefix(region) if region is not None else None, subject_kind=subject_kind,
        decided_after=after, decided_before=before,
        effective_until_before=as_utc(effective_until_before) if effective_until_before else None)
