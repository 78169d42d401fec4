// Which actions to offer. The API does not yet say per object what the caller may do (a
// `viewerCan…` field on Listing, Objection and RepairApplication would): until it does, this file
// — and only this file — mirrors the API's refusals, so the console offers no button the API
// would refuse. Each rule names the resolver it mirrors; the API stays the judge (its typed error
// is shown if a mirror is ever wrong).
import { hasRole, type Session } from "./auth/session";
import type { ListingStatus } from "./gql/graphql";

const IN_FORCE_OR_PENDING: readonly ListingStatus[] = ["PENDING", "ACTIVE", "SUSPENDED"];

interface ListingLike {
  status: ListingStatus;
  effectiveUntil?: string | null;
  list: { authority: string; extendable: boolean };
}

function officialOf(session: Session | null, authority: string): boolean {
  return hasRole(session, "authority") && session?.claims.agency === authority;
}

/** decideListing: officials of the list's authority (admins may not). */
export function mayDecideOn(session: Session | null, list: { authority: string }): boolean {
  return officialOf(session, list.authority);
}

/** liftListing: officials of the list's authority or admins, while not already ended. */
export function mayLift(session: Session | null, listing: ListingLike): boolean {
  return (hasRole(session, "admin") || officialOf(session, listing.list.authority))
    && IN_FORCE_OR_PENDING.includes(listing.status);
}

/** extendListing: officials of the list's authority, on an extendable list, before it ends. */
export function mayExtend(session: Session | null, listing: ListingLike): boolean {
  return officialOf(session, listing.list.authority) && listing.list.extendable
    && !!listing.effectiveUntil && IN_FORCE_OR_PENDING.includes(listing.status);
}

/** fileObjection: authorities and admins (the subject itself, once the subject role exists). */
export function mayObject(session: Session | null, listing: ListingLike, openObjection: boolean): boolean {
  return hasRole(session, "authority", "admin") && !openObjection
    && IN_FORCE_OR_PENDING.includes(listing.status);
}

/** resolveObjection: officials of the list's authority or admins, while it is open. */
export function mayResolveObjection(session: Session | null, listing: ListingLike, objectionOpen: boolean): boolean {
  return objectionOpen && (hasRole(session, "admin") || officialOf(session, listing.list.authority));
}

/** decideRepair: officials of the list's authority or admins (the API checks the list). */
export function mayDecideRepairs(session: Session | null): boolean {
  return hasRole(session, "authority", "admin");
}

/** Listing.history: authorities, analysts and admins. */
export function mayReadHistory(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/** checksOfSubject: analysts and admins. */
export function mayReadChecks(session: Session | null): boolean {
  return hasRole(session, "analyst", "admin");
}

/** CreditRecord.versions: analysts, admins and the record's source agency. */
export function mayReadVersions(session: Session | null, record: { agency: string }): boolean {
  return hasRole(session, "analyst", "admin") || session?.claims.agency === record.agency;
}

/** Subject search (subjectsByLegacyCode is for authorities, analysts, admins). */
export function maySearchSubjects(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/** upsertCreditList, upsertMeasure, upsertMemorandum, setCalendarDay: admins. */
export function mayEditCatalogue(session: Session | null): boolean {
  return hasRole(session, "admin");
}
