// A subject's file: identity, roles over time, listings (with their timeline), records and their
// versions, the grade with every deduction, and who checked the subject.
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useQuery } from "urql";

import { hasRole, useSession } from "../auth/session";
import { graphql } from "../gql";
import type { SubjectFileQuery, SubjectGradeQuery, SubjectListingsQuery } from "../gql/graphql";
import { Code } from "../ui/Code";
import { DataTable, type Columns } from "../ui/DataTable";
import { QueryState } from "../ui/Loading";
import { Status } from "../ui/Status";
import { When } from "../ui/When";
import { ChecksSection } from "./ChecksSection";
import { GradeSection } from "./GradeSection";
import { RecordsSection } from "./RecordsSection";

const ListingTimeline = lazy(() => import("./ListingTimeline"));

// Each section asks on its own, so a part the API refuses this caller (who checked the subject
// for an official, say) shows its typed error there and the rest of the file still loads.
const SUBJECT_FILE = graphql(`
  query SubjectFile($code: ID!) {
    subject(code: $code) {
      code kind name organizationCode registrationNumber registeredAt
      region { code name provinceName }
      roles { id organizationCode personCode role since until }
    }
  }
`);

const SUBJECT_LISTINGS = graphql(`
  query SubjectListings($code: ID!) {
    subject(code: $code) {
      code
      listings(includeDerived: true) {
        id status subjectCode effectiveFrom effectiveUntil publicityUntil decidedAt authority endReason
        list { code name kind authority }
        objections { id status filedAt resolvedAt suspends }
      }
    }
  }
`);

const SUBJECT_GRADE = graphql(`
  query SubjectGrade($code: ID!) {
    subject(code: $code) {
      code
      grade {
        grade score baseScore
        deductions { points reason category recordId record { summary } }
        bonuses { points reason category recordId record { summary } }
      }
    }
  }
`);

export type FileSubject = NonNullable<SubjectFileQuery["subject"]>;
export type FileListing = NonNullable<SubjectListingsQuery["subject"]>["listings"][number];
export type FileGrade = NonNullable<NonNullable<SubjectGradeQuery["subject"]>["grade"]>;

export default function SubjectFile() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const { session } = useSession();
  const [{ data, fetching, error }] = useQuery({ query: SUBJECT_FILE, variables: { code } });
  const subject = data?.subject;
  if (!subject) {
    return (
      <>
        <h1>{t("subject.fileTitle")}</h1>
        <QueryState fetching={fetching} error={error} />
        {data && !subject && !error && <p role="status">{t("subject.notFound", { code })}</p>}
      </>
    );
  }
  return (
    <>
      <h1>{subject.name}</h1>
      <QueryState fetching={false} error={error} />
      <nav aria-label={t("subject.sections")} className="toc">
        <a href="#identity">{t("subject.identity")}</a>
        <a href="#roles">{t("subject.roles")}</a>
        <a href="#listings">{t("subject.listings")}</a>
        <a href="#records">{t("subject.records")}</a>
        {subject.kind !== "NATURAL_PERSON" && <a href="#grade">{t("subject.grade")}</a>}
        <a href="#checks">{t("subject.checks")}</a>
      </nav>
      <Identity subject={subject} />
      {hasRole(session, "authority") && (
        <p><Link className="button primary" to={`/subjects/${encodeURIComponent(code)}/decide`}>{t("decide.open")}</Link></p>
      )}
      <Roles subject={subject} />
      <ListingsSection code={code} />
      <RecordsSection code={code} />
      {/* Natural persons are never graded (the API answers null): no section to ask for. */}
      {subject.kind !== "NATURAL_PERSON" && <Grade code={code} />}
      <ChecksSection code={code} />
    </>
  );
}

function Identity({ subject }: { subject: FileSubject }) {
  const { t } = useTranslation();
  return (
    <section id="identity" aria-labelledby="identity-h">
      <h2 id="identity-h">{t("subject.identity")}</h2>
      <dl className="facts">
        <dt>{t("subject.code")}</dt><dd><Code code={subject.code} link={false} /></dd>
        <dt>{t("subject.kind")}</dt><dd>{t(`enum.SubjectKind.${subject.kind}`)}</dd>
        <dt>{t("subject.region")}</dt>
        <dd>{subject.region ? `${subject.region.provinceName ?? ""} ${subject.region.name} (${subject.region.code})` : t("common.none")}</dd>
        {subject.organizationCode && <><dt>{t("subject.organizationCode")}</dt><dd><code>{subject.organizationCode}</code></dd></>}
        {subject.registrationNumber && <><dt>{t("subject.registrationNumber")}</dt><dd><code>{subject.registrationNumber}</code></dd></>}
        <dt>{t("subject.registeredAt")}</dt><dd><When value={subject.registeredAt} /></dd>
      </dl>
    </section>
  );
}

function Roles({ subject }: { subject: FileSubject }) {
  const { t } = useTranslation();
  type Role = FileSubject["roles"][number];
  const columns: Columns<Role> = [
    { header: t("roles.organization"), accessorKey: "organizationCode", cell: ({ row }) => <Code code={row.original.organizationCode} /> },
    { header: t("roles.person"), accessorKey: "personCode", cell: ({ row }) => <Code code={row.original.personCode} /> },
    { header: t("roles.role"), accessorKey: "role", cell: ({ row }) => t(`enum.Role.${row.original.role}`) },
    { header: t("roles.since"), accessorKey: "since", cell: ({ row }) => <When value={row.original.since} /> },
    { header: t("roles.until"), accessorKey: "until", cell: ({ row }) => row.original.until ? <When value={row.original.until} /> : t("roles.open") },
  ];
  return (
    <section id="roles" aria-labelledby="roles-h">
      <h2 id="roles-h">{t("subject.roles")}</h2>
      <DataTable caption={t("roles.caption")} columns={columns} data={subject.roles} empty={t("roles.none")} testId="roles" />
    </section>
  );
}

function ListingsSection({ code }: { code: string }) {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: SUBJECT_LISTINGS, variables: { code } });
  const listings = data?.subject?.listings;
  return (
    <section id="listings" aria-labelledby="listings-h">
      <h2 id="listings-h">{t("subject.listings")}</h2>
      <QueryState fetching={fetching && !data} error={error} />
      {listings && listings.length > 0 && (
        <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
          <ListingTimeline listings={listings} />
        </Suspense>
      )}
      {listings && <Listings listings={listings} />}
    </section>
  );
}

function Grade({ code }: { code: string }) {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: SUBJECT_GRADE, variables: { code } });
  const grade = data?.subject?.grade;
  return (
    <section id="grade" aria-labelledby="grade-h">
      <h2 id="grade-h">{t("subject.grade")}</h2>
      <QueryState fetching={fetching && !data} error={error} />
      {grade && <GradeSection grade={grade} />}
      {data && !grade && !error && <p className="muted">{t("grade.none")}</p>}
    </section>
  );
}

function Listings({ listings }: { listings: FileListing[] }) {
  const { t } = useTranslation();
  type L = FileListing;
  const columns: Columns<L> = [
    { header: t("listing.list"), accessorFn: (l) => l.list.name, cell: ({ row }) => <Link to={`/listings/${row.original.id}`}>{row.original.list.name}</Link> },
    { header: t("listing.kind"), accessorFn: (l) => l.list.kind, cell: ({ row }) => t(`enum.ListKind.${row.original.list.kind}`) },
    { header: t("listing.status"), accessorKey: "status", cell: ({ row }) => <Status status={row.original.status} /> },
    { header: t("listing.listed"), accessorKey: "subjectCode", cell: ({ row }) => <Code code={row.original.subjectCode} /> },
    { header: t("listing.authority"), accessorKey: "authority" },
    { header: t("listing.effectiveFrom"), accessorKey: "effectiveFrom", cell: ({ row }) => <When value={row.original.effectiveFrom} /> },
    { header: t("listing.publicityUntil"), accessorKey: "publicityUntil", cell: ({ row }) => <When value={row.original.publicityUntil} /> },
    { header: t("listing.effectiveUntil"), accessorKey: "effectiveUntil", cell: ({ row }) => row.original.effectiveUntil ? <When value={row.original.effectiveUntil} /> : t("listing.openEnded") },
  ];
  return <DataTable caption={t("listing.caption")} columns={columns} data={listings} empty={t("listing.none")} testId="listings" />;
}
