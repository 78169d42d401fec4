// The subject's own view (API.md, "The subject's own view"): signed in as its own code, a
// person or organisation sees its listings with how and until when to object, files an
// objection or applies for credit repair and follows the objection; its records; who checked it.
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { MyFileQuery } from "../gql/graphql";
import { isSubject, mayApplyForRepair, mayObject, repairPossibleFrom } from "../permissions";
import { ApplyForRepairForm, FileObjectionForm } from "../listing/actions";
import { ChecksSection } from "../subject/ChecksSection";
import { RecordsSection } from "../subject/RecordsSection";
import { Code } from "../ui/Code";
import { DataTable, type Columns } from "../ui/DataTable";
import { Deadline, useWorkingCalendar } from "../ui/Deadline";
import { QueryState } from "../ui/Loading";
import { Status } from "../ui/Status";
import { When } from "../ui/When";

const MY_FILE = graphql(`
  query MyFile($code: ID!) {
    subject(code: $code) {
      code kind name
      region { code name provinceName }
      listings {
        id status subjectCode effectiveFrom effectiveUntil publicityUntil decidedAt authority endReason howToObject
        legalBasis { number kind issuedOn authority }
        list { code name kind authority extendable repairMinDays objectionChannel }
        measures { code name purpose effect }
        objections { id status grounds filedAt suspends resolvedAt reason dueAt overdue }
      }
    }
  }
`);

type Subject = NonNullable<MyFileQuery["subject"]>;
type MyListing = Subject["listings"][number];

export default function MyFile() {
  const { t } = useTranslation();
  const { session } = useSession();
  const code = session?.claims.sub ?? "";
  const [{ data, fetching, error }] = useQuery({ query: MY_FILE, variables: { code }, pause: !isSubject(session) });
  if (!isSubject(session)) return <><h1>{t("me.title")}</h1><p>{t("me.subjectsOnly")}</p></>;
  const subject = data?.subject;
  return (
    <>
      <h1>{subject ? t("me.titleOf", { name: subject.name }) : t("me.title")}</h1>
      <p className="muted">{t("me.intro")}</p>
      <nav aria-label={t("subject.sections")} className="toc">
        <a href="#my-listings">{t("me.listings")}</a>
        <a href="#records">{t("subject.records")}</a>
        <a href="#checks">{t("subject.checks")}</a>
      </nav>
      {subject && (
        <dl className="facts" data-testid="my-identity">
          <dt>{t("subject.code")}</dt><dd><Code code={subject.code} link={false} /></dd>
          <dt>{t("subject.kind")}</dt><dd>{t(`enum.SubjectKind.${subject.kind}`)}</dd>
          {subject.region && <><dt>{t("subject.region")}</dt><dd>{subject.region.provinceName ?? ""} {subject.region.name}</dd></>}
        </dl>
      )}
      <section id="my-listings" aria-labelledby="my-listings-h">
        <h2 id="my-listings-h">{t("me.listings")}</h2>
        <QueryState fetching={fetching && !data} error={error} />
        {data && !subject && !error && <p role="status">{t("me.notRegistered", { code })}</p>}
        {subject && subject.listings.length === 0 && <p role="status">{t("me.noListings")}</p>}
        {subject && (
          <ul className="cards" data-testid="my-listings">
            {subject.listings.map((l) => <MyListingCard key={l.id} listing={l} />)}
          </ul>
        )}
      </section>
      <RecordsSection code={code} />
      <ChecksSection code={code} />
    </>
  );
}

function MyListingCard({ listing }: { listing: MyListing }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const open = listing.objections.some((o) => o.status === "OPEN");
  const canObject = mayObject(session, listing, open, true);
  const canRepair = mayApplyForRepair(session, listing, true);
  const repairFrom = repairPossibleFrom(listing);
  const ended = !["PENDING", "ACTIVE", "SUSPENDED"].includes(listing.status);
  const headingId = `my-${listing.id}`;
  return (
    <li className="card listing-card" aria-labelledby={headingId} data-testid="my-listing">
      <h3 id={headingId}>{listing.list.name} <Status status={listing.status} /></h3>
      <dl className="facts">
        <dt>{t("listing.authority")}</dt><dd>{listing.authority}</dd>
        <dt>{t("listing.decidedAt")}</dt><dd><When value={listing.decidedAt} /></dd>
        <dt>{t("listing.publicityUntil")}</dt><dd><When value={listing.publicityUntil} /></dd>
        <dt>{t("listing.effectiveUntil")}</dt><dd>{listing.effectiveUntil ? <When value={listing.effectiveUntil} /> : t("listing.openEnded")}</dd>
        <dt>{t("listing.legalBasis")}</dt>
        <dd>{t("me.legalDocument", { kind: listing.legalBasis.kind, number: listing.legalBasis.number, authority: listing.legalBasis.authority, issuedOn: listing.legalBasis.issuedOn })}</dd>
        <dt>{t("me.measures")}</dt>
        <dd>{listing.measures.length
          ? listing.measures.map((m) => t("me.measure", { name: m.name, purpose: t(`enum.Purpose.${m.purpose}`) })).join(t("me.separator"))
          : t("common.none")}</dd>
        <dt>{t("listing.howToObject")}</dt><dd data-testid="how-to-object">{listing.howToObject}</dd>
      </dl>
      <MyObjections listing={listing} />
      {canObject && <FileObjectionForm listing={listing} headingId={`object-${listing.id}`} />}
      {!ended && open && <p className="muted">{t("me.objectionOpen")}</p>}
      {canRepair && <ApplyForRepairForm listing={listing} headingId={`repair-${listing.id}`} />}
      {!canRepair && !ended && listing.list.kind === "BLACKLIST" && (
        <p className="muted" data-testid="repair-when">
          {repairFrom ? <>{t("repair.possibleFrom")} <When value={repairFrom.toISOString()} dateOnly /></> : t("repair.notOffered")}
        </p>
      )}
    </li>
  );
}

function MyObjections({ listing }: { listing: MyListing }) {
  const { t } = useTranslation();
  type O = MyListing["objections"][number];
  const calendar = useWorkingCalendar(listing.objections.filter((o) => o.status === "OPEN").map((o) => o.dueAt));
  if (!listing.objections.length) return null;
  const columns: Columns<O> = [
    { header: t("objection.filedAt"), accessorKey: "filedAt", cell: ({ row }) => <When value={row.original.filedAt} /> },
    { header: t("objection.grounds"), accessorKey: "grounds" },
    { header: t("objection.status"), accessorKey: "status", cell: ({ row }) => t(`enum.ObjectionStatus.${row.original.status}`) },
    { header: t("me.answerDue"), accessorKey: "dueAt", cell: ({ row }) => row.original.status === "OPEN"
      ? <Deadline dueAt={row.original.dueAt} overdue={row.original.overdue} calendar={calendar} />
      : <When value={row.original.dueAt} /> },
    { header: t("objection.suspends"), accessorKey: "suspends", cell: ({ row }) => row.original.suspends ? t("common.yes") : t("common.no") },
    { header: t("objection.resolvedAt"), accessorKey: "resolvedAt", cell: ({ row }) => <When value={row.original.resolvedAt} /> },
    { header: t("objection.reason"), accessorKey: "reason", cell: ({ row }) => row.original.reason ?? "" },
  ];
  return <DataTable caption={t("me.objectionsCaption")} columns={columns} data={listing.objections} testId="my-objections" />;
}
