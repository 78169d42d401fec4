// The values of the API's enums the forms offer, in the order people expect them.
import type { ListingStatus, Purpose, Role, SubjectKind } from "../gql/graphql";

export const PURPOSES: Purpose[] = ["AIR_TRAVEL", "RAIL_TRAVEL", "LUXURY_CONSUMPTION", "LENDING", "PUBLIC_PROCUREMENT",
  "SECURITIES_ISSUANCE", "GOVERNMENT_FUNDING", "ADMINISTRATIVE_LICENSING", "CUSTOMS_CLEARANCE"];

export const LISTING_STATUSES: ListingStatus[] = ["PENDING", "ACTIVE", "SUSPENDED", "EXPIRED", "LIFTED", "REVOKED", "REPAIRED"];

export const SUBJECT_KINDS: SubjectKind[] = ["NATURAL_PERSON", "ENTERPRISE", "GOVERNMENT_BODY", "SOCIAL_ORGANIZATION", "INSTITUTION"];

export const ROLES: Role[] = ["LEGAL_REPRESENTATIVE", "PRINCIPAL_RESPONSIBLE_PERSON", "DIRECTLY_RESPONSIBLE_PERSON", "DIRECTOR", "SHAREHOLDER"];
