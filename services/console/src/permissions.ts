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

/** The subject role (API.md, "The subject's own view"): the token's sub is the subject's own code. */
export function isSubject(session: Session | null): boolean {
  return hasRole(session, "subject");
}

/** The subject signed in is `code` itself. */
export function isSelf(session: Session | null, code: string): boolean {
  return isSubject(session) && session?.claims.sub === code;
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

/**
 * fileObjection: authorities, admins and the listed subject itself (`own`: the listing is the
 * signed-in subject's, as `subject(code: sub).listings` returns it; a person's code comes back
 * masked, so the console cannot compare it with the token's sub), while the listing is pending
 * or in force.
 */
export function mayObject(session: Session | null, listing: ListingLike, openObjection: boolean,
                          own = false): boolean {
  return (hasRole(session, "authority", "admin") || (own && isSubject(session))) && !openObjection
    && IN_FORCE_OR_PENDING.includes(listing.status);
}

/**
 * applyForRepair: the same callers as fileObjection, on a list that offers repair, while the
 * listing is in force or held, once its minimum period after publicity has passed.
 */
export function repairPossibleFrom(listing: ListingLike & { publicityUntil: string; list: { repairMinDays?: number | null } }): Date | null {
  const days = listing.list.repairMinDays;
  if (days == null) return null;
  return new Date(new Date(listing.publicityUntil).getTime() + days * 86400e3);
}

export function mayApplyForRepair(session: Session | null, listing: ListingLike & { publicityUntil: string; list: { repairMinDays?: number | null } },
                                  own = false, now: Date = new Date()): boolean {
  const from = repairPossibleFrom(listing);
  return (hasRole(session, "authority", "admin") || (own && isSubject(session)))
    && (listing.status === "ACTIVE" || listing.status === "SUSPENDED") && !!from && now >= from;
}

/** resolveObjection: officials of the list's authority or admins, while it is open. */
export function mayResolveObjection(session: Session | null, listing: ListingLike, objectionOpen: boolean): boolean {
  return objectionOpen && (hasRole(session, "admin") || officialOf(session, listing.list.authority));
}

/** decideRepair: officials of the list's authority or admins (without the list: any official). */
export function mayDecideRepairs(session: Session | null, list?: { authority: string }): boolean {
  return hasRole(session, "admin") || (list ? officialOf(session, list.authority) : hasRole(session, "authority"));
}

/** Listing.history: authorities, analysts and admins. */
export function mayReadHistory(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/** checksOfSubject: analysts and admins; the subject for its own code (API.md). */
export function mayReadChecks(session: Session | null, code?: string): boolean {
  return hasRole(session, "analyst", "admin") || (!!code && isSelf(session, code));
}

/** CreditRecord.versions: analysts, admins and the record's source agency. */
export function mayReadVersions(session: Session | null, record: { agency: string }): boolean {
  return hasRole(session, "analyst", "admin") || session?.claims.agency === record.agency;
}

/** Subject search (subjectsByLegacyCode is for authorities, analysts, admins). */
export function maySearchSubjects(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/** workQueue: officials (their agency's work), analysts and admins (every agency's). */
export function mayReadWorkQueue(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/** listings(filter), listingCounts: officials (their agency's listings), analysts, admins. */
export function maySearchListings(session: Session | null): boolean {
  return hasRole(session, "authority", "analyst", "admin");
}

/**
 * The agency a listing search or count is bound to: an official's own (any other authority in
 * the filter is FORBIDDEN on `authority`); null for analysts and admins, who see every agency's.
 */
export function boundAgency(session: Session | null): string | null {
  return !hasRole(session, "analyst", "admin") && hasRole(session, "authority") ? session?.claims.agency ?? null : null;
}

/** checkVolume: analysts and admins. */
export function mayReadCheckVolume(session: Session | null): boolean {
  return hasRole(session, "analyst", "admin");
}

/** The analyst's overview (listingCounts; checkVolume for analysts and admins). */
export function mayReadOverview(session: Session | null): boolean {
  return hasRole(session, "analyst", "admin");
}

/** upsertCreditList, upsertMeasure, upsertMemorandum, setCalendarDay: admins. */
export function mayEditCatalogue(session: Session | null): boolean {
  return hasRole(session, "admin");
}
