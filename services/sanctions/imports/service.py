"""Migrating listings decided elsewhere: chunks checked like decisions, written like them.

A run (`import_ndjson`, for the REST endpoint and the CLI) reads the catalogue once
(`ImportCatalogue`), then per chunk of lines:

1. `parse.py` checks each line alone;
2. `check_chunk` applies the rules decisions apply where they still hold — the list exists and is
   the agency's, it admits the subject's kind, the window is within the list's bounds
   (`window_of`, the decision's rule, but `effectiveFrom` may lie in the past), the subject is
   registered (identity, one lookup per chunk), basis records if given belong to the subject and
   are usable (records, one lookup per chunk) — and computes each listing's reach as `decide`
   does: the measures bound to the list on the original decision date (`measures_of`) and, for an
   organisation, the persons holding a role they extend to on that date (`derivations_of`);
3. `write_chunk` writes the chunk in one transaction: new listings, corrections (changed facts of
   a listing already migrated, through the kernel's `apply_change` — `sync_index`, `follow`, the
   journal — logged as CORRECTED with what changed) and nothing for unchanged resubmissions.
   New listings are written set-based (COPY), with the rows `sync_index` and `follow` would
   write for them one by one: the index rows are `index_rows`'s (the decision `sync_index`
   itself makes), each with its UPSERT change, and the summary is `follow_new`'s (`follow` for
   listings with no summary yet); each gets an IMPORTED entry in the decision log. Tests check
   that `sync_index` and `follow` find nothing left to change afterwards.

A rejected line writes nothing; a chunk is committed whole or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.common.db import transaction
from libs.common.errors import AppError, LimitExceeded
from libs.common.ndjson import MAX_LINE_BYTES
from libs.common.timeutil import SHANGHAI
from libs.common.timeutil import now as clock
from libs.contracts.identity import MAX_LOOKUP, held_at
from services.sanctions.catalogue.models import CreditList
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.checks.index_repository import IndexRepository
from services.sanctions.clients import Dependencies
from services.sanctions.decisionlog.chain import Journal, take_chain_lock
from services.sanctions.imports.parse import LineRejected, ListingDraft, Rejection, parse_line
from services.sanctions.inbox.repository import InboxRepository
from services.sanctions.listings.models import Listing
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.service import (
    check_basis_record,
    derivations_of,
    extended_roles,
    measures_of,
    window_of,
)
from services.sanctions.listings.status import index_window
from services.sanctions.listings.summary.service import follow_new
from services.sanctions.listings.transitions import apply_change, index_rows, journal_upsert

DEFAULT_CHUNK = 2_000


@dataclass
class ImportResult:
    lines: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"lines": self.lines, "created": self.created, "corrected": self.corrected,
                "unchanged": self.unchanged,
                "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: r.line)]}


@dataclass
class ImportCatalogue:
    """What a run reads of the catalogue once: the lists, every measure binding with its
    memorandum's validity, and the working calendar's exceptions."""

    lists: dict[str, CreditList]
    bindings: dict[str, list[tuple[Any, Any, datetime, datetime | None]]]
    calendar: dict[date, bool]

    @classmethod
    async def load(cls, sessionmaker: async_sessionmaker[AsyncSession]) -> ImportCatalogue:
        async with transaction(sessionmaker) as session:
            repo = CatalogueRepository(session)
            lists = {c.code: c for c in await repo.lists()}
            bindings: dict[str, list] = {}
            for b, m, valid_from, valid_until in await repo.bindings_with_validity():
                bindings.setdefault(b.list_code, []).append((b, m, valid_from, valid_until))
            calendar = await repo.calendar(date(1900, 1, 1), date(9999, 12, 31))
            for c in lists.values():
                session.expunge(c)
        return cls(lists, bindings, calendar)

    _measures: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict)

    def measures_at(self, list_code: str, at: datetime) -> list[dict[str, Any]]:
        """The measures memoranda in force at `at` bind to the list (as `bindings_in_force`);
        the same set of bindings gives the same (shared, not to be mutated) list."""
        bound = self.bindings.get(list_code, ())
        in_force = tuple(i for i, (_, _, f, u) in enumerate(bound)
                         if f <= at and (u is None or at < u))
        found = self._measures.get((list_code, in_force))
        if found is None:
            found = self._measures[(list_code, in_force)] = measures_of(
                [(bound[i][0], bound[i][1]) for i in in_force])
        return found


@dataclass
class Checked:
    """A line that passed every rule, with the listing facts and reach it gives."""

    draft: ListingDraft
    credit_list: CreditList
    subject_kind: str
    effective_from: datetime
    effective_until: datetime | None
    publicity_until: datetime
    measures: list[dict[str, Any]]
    derivations: list[dict[str, Any]]


def _reject(result: ImportResult, draft: ListingDraft, reason: str, rule: str) -> None:
    result.rejected.append(Rejection(draft.line, reason, rule, draft.source_listing_id))


async def check_chunk(deps: Dependencies, catalogue: ImportCatalogue, agency: str,
                      drafts: list[ListingDraft], result: ImportResult) -> list[Checked]:
    """The decision's rules for each draft; rejected ones are added to `result`."""
    ready: list[tuple[ListingDraft, CreditList, tuple]] = []
    for d in drafts:
        credit_list = catalogue.lists.get(d.list_code)
        if credit_list is None:
            _reject(result, d, f"no list {d.list_code}", "list")
            continue
        if credit_list.authority != agency:
            _reject(result, d, f"{d.list_code} is kept by {credit_list.authority}; {agency} may "
                               "not migrate listings onto it", "authority")
            continue
        try:
            window = window_of(credit_list, d.effective_from, d.effective_until,
                               catalogue.calendar)
        except AppError as exc:
            _reject(result, d, exc.message, "window")
            continue
        ready.append((d, credit_list, window))
    if not ready:
        return []

    codes = sorted({d.subject_code for d, _, _ in ready})
    subjects: dict[str, Any] = {}
    for i in range(0, len(codes), MAX_LOOKUP):
        subjects.update((await deps.identity.lookup(codes[i:i + MAX_LOOKUP])).subjects)
    record_ids = sorted({r for d, _, _ in ready for r in d.basis})
    records: dict[str, Any] = {}
    for i in range(0, len(record_ids), MAX_LOOKUP):
        records.update(await deps.records.lookup(record_ids[i:i + MAX_LOOKUP]))

    admitted: list[tuple[ListingDraft, CreditList, tuple, Any, list[dict]]] = []
    for d, credit_list, window in ready:
        subject = subjects.get(d.subject_code)
        if subject is None:
            _reject(result, d, f"no subject with code {d.masked_code} is registered",
                    "unknown_subject")
            continue
        if subject.kind not in credit_list.admits_kinds:
            _reject(result, d, f"{credit_list.code} does not admit {subject.kind} subjects",
                    "subject_kind")
            continue
        try:
            for rid in d.basis:
                check_basis_record(rid, records.get(rid), d.subject_code)
        except AppError as exc:
            _reject(result, d, exc.message, "basis")
            continue
        admitted.append((d, credit_list, window, subject,
                         catalogue.measures_at(credit_list.code, d.decided_at)))

    # Roles held on the original decision date, for organisations whose measures extend to
    # them: every assignment of the chunk's organisations in one request, filtered per date.
    orgs = sorted({d.subject_code for d, _, _, s, ms in admitted
                   if not s.is_person and extended_roles(ms)})
    assignments: dict[str, list] = {}
    for i in range(0, len(orgs), MAX_LOOKUP):
        assignments.update(await deps.identity.roles_of_organizations(orgs[i:i + MAX_LOOKUP]))
    out = []
    for d, credit_list, (start, until, publicity_until), subject, measures in admitted:
        roles = assignments.get(d.subject_code)
        derivations = (derivations_of(d.subject_code, held_at(roles, d.decided_at), measures)
                       if roles and not subject.is_person else [])
        out.append(Checked(d, credit_list, subject.kind, start, until, publicity_until, measures,
                           derivations))
    return out


def _facts(c: Checked) -> dict[str, Any]:
    """The decision-log payload of a migrated listing's facts (DECIDED's, plus its origin)."""
    d = c.draft
    return {"list": c.credit_list.code, "subject": d.subject_code, "kind": c.subject_kind,
            "sourceListingId": d.source_listing_id, "decidedAt": d.decided_at.isoformat(),
            "effectiveFrom": c.effective_from.isoformat(),
            "publicityUntil": c.publicity_until.isoformat(),
            "effectiveUntil": c.effective_until.isoformat() if c.effective_until else None,
            "basis": list(d.basis),
            "document": {"number": d.doc.number, "kind": d.doc.kind,
                         "issuedOn": d.doc.issued_on.isoformat(), "authority": d.doc.authority},
            "measures": sorted(m["measure_code"] for m in c.measures),
            "derived": sorted(f"{x['role']}:{x['person_code']}" for x in c.derivations)}


def _listing_facts(listing: Listing) -> dict[str, Any]:
    """What a correction can change, as stored before it."""
    return {"decidedAt": listing.decided_at.isoformat(),
            "effectiveFrom": listing.effective_from.isoformat(),
            "publicityUntil": listing.publicity_until.isoformat(),
            "effectiveUntil": listing.effective_until.isoformat() if listing.effective_until
            else None,
            "basis": list(listing.basis_record_ids),
            "document": {"number": listing.doc_number, "kind": listing.doc_kind,
                         "issuedOn": listing.doc_issued_on.isoformat(),
                         "authority": listing.doc_authority}}


def _basis_key(c: Checked) -> str:
    # Imported listings are unique on their source id (uq_listings_source); the key keeps the
    # decision's duplicate guard (uq_listings_open_decision) from matching two of them.
    return ",".join(c.draft.basis) + "#import:" + c.draft.source_listing_id


def _set_facts(listing: Listing, c: Checked, digest: str) -> None:
    d = c.draft
    listing.decided_at = d.decided_at
    listing.effective_from = c.effective_from
    listing.publicity_until = c.publicity_until
    listing.effective_until = c.effective_until
    listing.doc_number, listing.doc_kind = d.doc.number, d.doc.kind
    listing.doc_issued_on, listing.doc_authority = d.doc.issued_on, d.doc.authority
    listing.basis_record_ids = list(d.basis)
    listing.basis_key = _basis_key(c)
    listing.import_digest = digest


@dataclass(slots=True)
class NewListing:
    """A migrated listing not yet in the database: its row, and the facts the status functions,
    `index_rows` and `follow_new` read (the attributes of a Listing they use)."""

    id: uuid.UUID
    list_code: str
    subject_code: str
    subject_kind: str
    authority: str
    decided_at: datetime
    effective_from: datetime
    publicity_until: datetime
    effective_until: datetime | None
    row: tuple
    holds: list = field(default_factory=list)
    terminal_status: str | None = None
    terminal_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Measure:
    measure_code: str
    purpose: str
    effect: str
    memorandum_code: str
    extends_to_roles: list[str]


@dataclass(frozen=True, slots=True)
class _Derivation:
    person_code: str
    role: str
    organization_code: str


def _new_listing(c: Checked, agency: str, actor: str, digest: str) -> NewListing:
    d, cl = c.draft, c.credit_list
    lid = uuid.uuid4()
    row = (lid, cl.code, d.subject_code, c.subject_kind, cl.authority, actor, d.decided_at,
           c.effective_from, c.publicity_until, c.effective_until, cl.objection_suspends,
           cl.objection_channel, d.doc.number, d.doc.kind, d.doc.issued_on, d.doc.authority,
           list(d.basis), _basis_key(c), [], "[]", 0, 1, d.source_listing_id, agency, digest)
    return NewListing(lid, cl.code, d.subject_code, c.subject_kind, cl.authority, d.decided_at,
                      c.effective_from, c.publicity_until, c.effective_until, row)


async def _write_new(session: AsyncSession, new: list[tuple[NewListing, Checked]],
                     journal: Journal, now: datetime) -> None:
    """New listings of a chunk, set-based: the rows `decide` writes one listing at a time (the
    listing, its measures and derivations, the index rows `index_rows` calls for and their
    UPSERT changes, the summary by `follow_new`), by COPY in the caller's transaction."""
    measure_rows: list[tuple] = []
    derivation_rows: list[tuple] = []
    index: list[tuple] = []
    for listing, c in new:
        measures = [_Measure(**m) for m in c.measures]
        derivations = [_Derivation(**x) for x in c.derivations]
        measure_rows += [(listing.id, m.measure_code, m.purpose, m.effect, m.memorandum_code,
                          m.extends_to_roles) for m in measures]
        derivation_rows += [(listing.id, x.person_code, x.role, x.organization_code)
                            for x in derivations]
        window = index_window(listing, now)
        for key, row in index_rows(listing.subject_code, window, measures, derivations).items():
            index.append((*key, listing.id, row["effect"], row["via_organization"],
                          row["via_role"], window[0], window[1]))
            journal_upsert(journal, listing.id, key, window)
    await ListingRepository(session).copy_new([x.row for x, _ in new], measure_rows,
                                              derivation_rows)
    await IndexRepository(session).copy_new(index)
    await follow_new(session, [x for x, _ in new], now)


def _groups(checked: list[Checked]) -> list[list[Checked]]:
    """Runs of lines with distinct source ids, in file order: a source id repeated in a chunk
    is applied after the earlier line, as it would be in a later chunk."""
    groups: list[list[Checked]] = [[]]
    seen: set[str] = set()
    for c in checked:
        if c.draft.source_listing_id in seen:
            groups.append([])
            seen = set()
        seen.add(c.draft.source_listing_id)
        groups[-1].append(c)
    return [g for g in groups if g]


async def write_chunk(session: AsyncSession, agency: str, actor: str, checked: list[Checked],
                      result: ImportResult, *, now: datetime | None = None) -> None:
    """Write checked lines in the caller's transaction (it does not commit).

    Under the chain lock (taken first, as the records-event consumer takes it): lines resting on
    a basis record that a consumed event withdrew or corrected are rejected before anything is
    written. Then per line: unchanged (same digest) writes nothing; a known source id with other
    facts is a correction; otherwise a new listing.
    """
    now = now or clock()
    await take_chain_lock(session)
    record_ids = sorted({r for c in checked for r in c.draft.basis})
    withdrawn = set(await InboxRepository(session).withdrawn_among(record_ids)) if record_ids \
        else set()
    repo = ListingRepository(session)
    journal = Journal()
    for group in _groups(checked):
        existing = await repo.by_source(agency, [c.draft.source_listing_id for c in group])
        new: list[tuple[NewListing, Checked]] = []
        corrections: list[tuple[Listing, Checked, str]] = []
        for c in group:
            d = c.draft
            bad = sorted(withdrawn.intersection(d.basis))
            if bad:
                _reject(result, d, f"basis record {bad[0]} was withdrawn or corrected", "basis")
                continue
            digest = d.digest
            was = existing.get(d.source_listing_id)
            if was is not None:
                if was.import_digest == digest:
                    result.unchanged += 1
                elif was.list_code != c.credit_list.code or was.subject_code != d.subject_code:
                    _reject(result, d, "a correction cannot move a listing to another list or "
                                       "subject; lift it and migrate the new one under its own "
                                       "sourceListingId", "correction")
                else:
                    corrections.append((was, c, digest))
                continue
            listing = _new_listing(c, agency, actor, digest)
            new.append((listing, c))
            journal.record(listing.id, "IMPORTED", actor, now, importedFrom=agency, **_facts(c))
        if new:
            await _write_new(session, new, journal, now)
            result.created += len(new)
        for listing, c, digest in corrections:
            previous = _listing_facts(listing)
            _set_facts(listing, c, digest)
            await repo.replace_reach(listing.id, c.measures, c.derivations)
            facts = _facts(c)
            journal.record(listing.id, "CORRECTED", actor, now, importedFrom=agency,
                           previous=previous, **facts,
                           changed=sorted(k for k, v in previous.items() if facts.get(k) != v))
            await apply_change(session, listing, journal, now)
            result.corrected += 1
    await journal.write(session)


async def _line_chunks(data: AsyncIterable[bytes], chunk_size: int,
                       max_line_bytes: int) -> AsyncIterator[tuple[list[bytes], int]]:
    """Lines (without newlines) in chunks of `chunk_size`, with the bytes read so far."""
    buffer = b""
    pending: list[bytes] = []
    read = 0
    async for piece in data:
        read += len(piece)
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        if len(buffer) > max_line_bytes:
            raise LimitExceeded(f"a line is longer than {max_line_bytes} bytes",
                                limit=max_line_bytes)
        pending += lines
        while len(pending) >= chunk_size:
            yield pending[:chunk_size], read - len(buffer)
            pending = pending[chunk_size:]
    if buffer:
        pending.append(buffer)
    if pending:
        yield pending, read


def submitter(agency: str, by: str | None) -> str:
    """Who a migration is recorded as: the official acting, else the agency (a file import)."""
    return by or f"agency:{agency}"


async def import_ndjson(sessionmaker: async_sessionmaker[AsyncSession], deps: Dependencies,
                        agency: str, data: AsyncIterable[bytes], *,
                        chunk_size: int = DEFAULT_CHUNK, by: str | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        max_line_bytes: int = MAX_LINE_BYTES) -> ImportResult:
    """Migrate NDJSON listings as `agency`; one transaction per chunk of `chunk_size` lines.

    The next chunk is parsed and checked against identity and records while the current one is
    written. Line numbers are physical and 1-based; blank lines count but are skipped. An error
    that is no line's (the database, identity or records unavailable) stops the run; the chunks
    committed before it stay (a resubmission finds them unchanged).
    """
    result = ImportResult()
    catalogue = await ImportCatalogue.load(sessionmaker)
    actor = submitter(agency, by)
    seen: set[str] = set()  # source ids of the lines read so far

    async def stage(lines: list[bytes], first: int) -> list[Checked]:
        now = clock()
        today = now.astimezone(SHANGHAI).date()
        drafts = []
        for n, raw in enumerate(lines, first):
            if not raw.strip():
                continue
            result.lines += 1
            try:
                drafts.append(parse_line(raw, n, now, today))
            except LineRejected as exc:
                result.rejected.append(Rejection(n, exc.reason, exc.rule))
        drafts = await _skip_unchanged(drafts)
        return await check_chunk(deps, catalogue, agency, drafts, result)

    async def _skip_unchanged(drafts: list[ListingDraft]) -> list[ListingDraft]:
        """A resubmitted line whose facts match the stored listing's digest is unchanged and
        needs no checks; only for source ids no earlier line of this run named (an earlier line
        may be changing that listing)."""
        async with transaction(sessionmaker) as session:
            stored = await ListingRepository(session).digests(
                agency, [d.source_listing_id for d in drafts])
        out = []
        for d in drafts:
            if d.source_listing_id not in seen and stored.get(d.source_listing_id) == d.digest:
                result.unchanged += 1
            else:
                out.append(d)
            seen.add(d.source_listing_id)
        return out

    async def write(checked: list[Checked]) -> None:
        if checked:
            async with transaction(sessionmaker) as session:
                await write_chunk(session, agency, actor, checked, result)

    line_no = 0
    staged: asyncio.Task | None = None
    staged_read = 0
    try:
        async for lines, read in _line_chunks(data, chunk_size, max_line_bytes):
            task = asyncio.create_task(stage(lines, line_no + 1))
            line_no += len(lines)
            if staged is not None:
                await write(await staged)
                if progress:
                    progress(result.lines, staged_read)
            staged, staged_read = task, read
        if staged is not None:
            await write(await staged)
            staged = None
            if progress:
                progress(result.lines, staged_read)
    finally:
        if staged is not None and not staged.done():
            staged.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await staged
    return result
