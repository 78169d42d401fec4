"""All listing SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import String, any_, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.catalogue.models import CreditList, Measure
from services.sanctions.listings.models import Derivation, Listing, ListingMeasure

LISTING_COLUMNS = (
    "id", "list_code", "subject_code", "subject_kind", "authority", "decided_by", "decided_at",
    "effective_from", "publicity_until", "effective_until", "objection_suspends",
    "objection_channel", "doc_number", "doc_kind", "doc_issued_on", "doc_authority",
    "basis_record_ids", "basis_key", "withdrawn_record_ids", "holds", "extensions", "version",
    "source_listing_id", "imported_from", "import_digest")
MEASURE_COLUMNS = ("listing_id", "measure_code", "purpose", "effect", "memorandum_code",
                   "extends_to_roles")
DERIVATION_COLUMNS = ("listing_id", "person_code", "role", "organization_code")


def _texts(values: list[str]):
    """One array parameter (one prepared statement whatever the count, unlike IN)."""
    return bindparam("values", list(values), type_=ARRAY(String))


class ListingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, listing: Listing, measures: list[dict], derivations: list[dict]) -> None:
        self.session.add(listing)
        await self.session.flush()
        if measures:
            await self.session.execute(insert(ListingMeasure),
                                       [{"listing_id": listing.id, **m} for m in measures])
        if derivations:
            await self.session.execute(insert(Derivation),
                                       [{"listing_id": listing.id, **d} for d in derivations])

    async def copy_new(self, listings: list[tuple], measures: list[tuple],
                       derivations: list[tuple]) -> None:
        """New listings (rows in LISTING_COLUMNS order), their measures (MEASURE_COLUMNS) and
        derivations (DERIVATION_COLUMNS) by COPY, in the session's transaction: a migrated
        chunk's thousands at once."""
        conn = await self.session.connection()
        pg = (await conn.get_raw_connection()).driver_connection
        for table, columns, rows in (("listings", LISTING_COLUMNS, listings),
                                     ("listing_measures", MEASURE_COLUMNS, measures),
                                     ("listing_derivations", DERIVATION_COLUMNS, derivations)):
            if rows:
                await pg.copy_records_to_table(table, schema_name="sanctions",
                                               columns=columns, records=rows)

    async def add_many(self, listings: list[Listing], measures: list[dict],
                       derivations: list[dict]) -> None:
        """New listings with their measures and derivations (rows carry their listing_id)."""
        self.session.add_all(listings)
        await self.session.flush()
        if measures:
            await self.session.execute(insert(ListingMeasure), measures)
        if derivations:
            await self.session.execute(insert(Derivation), derivations)

    async def replace_reach(self, listing_id: uuid.UUID, measures: list[dict],
                            derivations: list[dict]) -> None:
        """A corrected listing's measures and derivations, as of its corrected decision date."""
        await self.session.execute(delete(ListingMeasure)
                                   .where(ListingMeasure.listing_id == listing_id))
        await self.session.execute(delete(Derivation).where(Derivation.listing_id == listing_id))
        if measures:
            await self.session.execute(insert(ListingMeasure),
                                       [{"listing_id": listing_id, **m} for m in measures])
        if derivations:
            await self.session.execute(insert(Derivation),
                                       [{"listing_id": listing_id, **d} for d in derivations])

    async def digests(self, authority: str, source_ids: list[str]) -> dict[str, str]:
        """The import digest of each migrated listing of the agency among `source_ids`."""
        if not source_ids:
            return {}
        rows = await self.session.execute(
            select(Listing.source_listing_id, Listing.import_digest).where(
                Listing.authority == authority,
                Listing.source_listing_id == any_(_texts(source_ids))))
        return dict(rows.all())

    async def by_source(self, authority: str, source_ids: list[str]) -> dict[str, Listing]:
        """Migrated listings of an agency by their source id, locked for the transaction."""
        if not source_ids:
            return {}
        rows = await self.session.execute(
            select(Listing).where(Listing.authority == authority,
                                  Listing.source_listing_id == any_(_texts(source_ids)))
            .order_by(Listing.id).with_for_update())
        return {l.source_listing_id: l for l in rows.scalars()}

    async def get(self, listing_id: uuid.UUID) -> tuple[Listing, CreditList] | None:
        row = (await self.session.execute(
            select(Listing, CreditList).join(CreditList, CreditList.code == Listing.list_code)
            .where(Listing.id == listing_id))).first()
        return (row[0], row[1]) if row else None

    async def lock(self, listing_id: uuid.UUID) -> tuple[Listing, CreditList] | None:
        """The listing, locked for this transaction: transitions of one listing are serial."""
        row = (await self.session.execute(
            select(Listing, CreditList).join(CreditList, CreditList.code == Listing.list_code)
            .where(Listing.id == listing_id).with_for_update(of=Listing))).first()
        return (row[0], row[1]) if row else None

    async def any_of(self, list_code: str, subject_code: str) -> bool:
        """Whether the subject was ever listed on the list (whatever became of the listing)."""
        found = await self.session.scalar(select(Listing.id).where(
            Listing.list_code == list_code, Listing.subject_code == subject_code).limit(1))
        return found is not None

    async def many(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Listing, CreditList]]:
        rows = await self.session.execute(
            select(Listing, CreditList).join(CreditList, CreditList.code == Listing.list_code)
            .where(Listing.id.in_(ids)))
        return {l.id: (l, c) for l, c in rows.all()}

    async def of_subjects(self, codes: list[str]) -> list[tuple[Listing, CreditList]]:
        rows = await self.session.execute(
            select(Listing, CreditList).join(CreditList, CreditList.code == Listing.list_code)
            .where(Listing.subject_code.in_(codes)).order_by(Listing.decided_at, Listing.id))
        return list(rows.all())

    async def reaching_persons(
            self, codes: list[str]) -> list[tuple[Derivation, Listing, CreditList]]:
        rows = await self.session.execute(
            select(Derivation, Listing, CreditList)
            .join(Listing, Listing.id == Derivation.listing_id)
            .join(CreditList, CreditList.code == Listing.list_code)
            .where(Derivation.person_code.in_(codes)).order_by(Listing.decided_at, Listing.id))
        return list(rows.all())

    async def derivations(self, listing_ids: list[uuid.UUID]) -> list[Derivation]:
        rows = await self.session.execute(
            select(Derivation).where(Derivation.listing_id.in_(listing_ids))
            .order_by(Derivation.person_code, Derivation.role))
        return list(rows.scalars())

    async def measures(self, listing_ids: list[uuid.UUID]) -> list[ListingMeasure]:
        rows = await self.session.execute(
            select(ListingMeasure).where(ListingMeasure.listing_id.in_(listing_ids))
            .order_by(ListingMeasure.measure_code))
        return list(rows.scalars())

    async def measures_with_catalogue(
            self, listing_ids: list[uuid.UUID]) -> list[tuple[ListingMeasure, Measure]]:
        """Each listing's measures beside the catalogue's entry for them (for its name)."""
        rows = await self.session.execute(
            select(ListingMeasure, Measure).join(Measure, Measure.code == ListingMeasure.measure_code)
            .where(ListingMeasure.listing_id.in_(listing_ids))
            .order_by(ListingMeasure.measure_code))
        return [(lm, m) for lm, m in rows.all()]

    async def resting_on(self, record_id: str) -> list[Listing]:
        """Listings whose basis includes the record (ended ones too), locked, in id order."""
        rows = await self.session.execute(
            select(Listing).where(Listing.basis_record_ids.contains([record_id]))
            .order_by(Listing.id).with_for_update())
        return list(rows.scalars())
