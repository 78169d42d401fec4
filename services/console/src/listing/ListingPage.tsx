// One listing: its list, status and windows, the legal document, the basis records, the measures
// it triggers and the persons it reaches, its decision log and objections, and the actions the
// caller may take on it.
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { ListingPageQuery } from "../gql/graphql";
import { mayDecideRepairs, mayExtend, mayLift, mayObject, mayReadHistory, mayReadWorkQueue, mayResolveObjection } from "../permissions";
import { Code } from "../ui/Code";
import { Deadline, useWorkingCalendar } from "../ui/Deadline";
import { DataTable, type Columns } from "../ui/DataTable";
import { QueryState } from "../ui/Loading";
import { Status } from "../ui/Status";
import { Day, When } from "../ui/When";
import { ExtendForm, FileObjectionForm, LiftForm, ResolveObjectionForm } from "./actions";
import { BasisRecords } from "./BasisRecords";
import { RepairDecisionForm } from "./RepairDecision";

const LISTING = graphql(`
  query ListingPage($id: ID!) {
    listing(id: $id) {
      id status subjectCode effectiveFrom effectiveUntil publicityUntil decidedAt authority endReason howToObject
      basisRecordIds withdrawnRecordIds
      legalBasis { number kind issuedOn authority }
      list { code name kind authority extendable maxExtensionDays objectionSuspends repairMinDays }
      measures { code name purpose effect }
      derivedRestrictions { code via { organizationCode role } }
      objections { id status grounds filedAt suspends resolvedAt reason dueAt overdue }
    }
  }
`);

const HISTORY = graphql(`
  query ListingHistory($id: ID!) {
    listing(id: $id) { id history { event actor occurredAt hash } }
  }
`);

export type PageListing = NonNullable<ListingPageQuery["listing"]>;

export default function ListingPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { session } = useSession();
  const [params] = useSearchParams();
  const location = useLocation();
  const repairId = params.get("repair");
  const objectionId = params.get("objection");
  const [{ data, fetching, error }] = useQuery({ query: LISTING, variables: { id } });
  const listing = data?.listing;
  const loaded = !!listing;
  // Opened from the work queue: bring the objection or application it is about into view.
  useEffect(() => {
    if (loaded && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: "start" });
  }, [loaded, location.hash]);
  if (!listing) {
    return (
      <>
        <h1>{t("listing.title")}</h1>
        <QueryState fetching={fetching} error={error} />
        {data && !listing && <p role="status">{t("listing.notFound")}</p>}
      </>
    );
  }
  const open = listing.objections.find((o) => o.status === "OPEN");
  const actions = [
    mayLift(session, listing) && <LiftForm key="lift" listing={listing} />,
    mayExtend(session, listing) && <ExtendForm key="extend" listing={listing} />,
    mayObject(session, listing, !!open) && <FileObjectionForm key="object" listing={listing} />,
  ].filter(Boolean);
  return (
    <>
      <h1>{listing.list.name} <Status status={listing.status} /></h1>
      <dl className="facts">
        <dt>{t("listing.listed")}</dt><dd><Code code={listing.subjectCode} /></dd>
        <dt>{t("listing.list")}</dt><dd>{listing.list.name} (<code>{listing.list.code}</code>, {t(`enum.ListKind.${listing.list.kind}`)})</dd>
        <dt>{t("listing.authority")}</dt><dd>{listing.authority}</dd>
        <dt>{t("listing.decidedAt")}</dt><dd><When value={listing.decidedAt} /></dd>
        <dt>{t("listing.effectiveFrom")}</dt><dd><When value={listing.effectiveFrom} /></dd>
        <dt>{t("listing.publicityUntil")}</dt><dd><When value={listing.publicityUntil} /></dd>
        <dt>{t("listing.effectiveUntil")}</dt><dd>{listing.effectiveUntil ? <When value={listing.effectiveUntil} /> : t("listing.openEnded")}</dd>
        {listing.endReason && <><dt>{t("listing.endReason")}</dt><dd>{t(`enum.LiftReason.${listing.endReason}`, { defaultValue: listing.endReason })}</dd></>}
        <dt>{t("listing.howToObject")}</dt><dd>{listing.howToObject}</dd>
      </dl>

      <section aria-labelledby="doc-h">
        <h2 id="doc-h">{t("listing.legalBasis")}</h2>
        <dl className="facts">
          <dt>{t("doc.number")}</dt><dd>{listing.legalBasis.number}</dd>
          <dt>{t("doc.kind")}</dt><dd>{listing.legalBasis.kind}</dd>
          <dt>{t("doc.issuedOn")}</dt><dd><Day value={listing.legalBasis.issuedOn} /></dd>
          <dt>{t("doc.authority")}</dt><dd>{listing.legalBasis.authority}</dd>
        </dl>
      </section>

      <BasisRecords ids={listing.basisRecordIds} withdrawn={listing.withdrawnRecordIds} />
      <Measures listing={listing} />
      <Reach listing={listing} />

      <section aria-labelledby="objections-h">
        <h2 id="objections-h">{t("objection.title")}</h2>
        <Objections listing={listing} highlight={objectionId} />
        {listing.objections.filter((o) => mayResolveObjection(session, listing, o.status === "OPEN")).map((o) => (
          <ResolveObjectionForm key={o.id} objection={o} highlight={o.id === objectionId} />
        ))}
      </section>

      {repairId && (
        <section id="repair" aria-labelledby="repair-h">
          <h2 id="repair-h">{t("repair.title")}</h2>
          {mayDecideRepairs(session, listing.list)
            ? <RepairDecisionForm applicationId={repairId} list={listing.list} headingLevel={3} />
            : <p>{t("repair.notYours")}</p>}
        </section>
      )}

      {actions.length > 0 && (
        <section aria-labelledby="actions-h" className="actions">
          <h2 id="actions-h">{t("listing.actions")}</h2>
          {actions}
        </section>
      )}
      {mayReadHistory(session) && <History id={listing.id} />}
      <p>{mayReadWorkQueue(session) ? <Link to="/work">{t("work.back")}</Link> : <Link to="/">{t("common.back")}</Link>}</p>
    </>
  );
}

function Measures({ listing }: { listing: PageListing }) {
  const { t } = useTranslation();
  type M = PageListing["measures"][number];
  const columns: Columns<M> = [
    { header: t("measure.name"), accessorKey: "name" },
    { header: t("measure.code"), accessorKey: "code", cell: ({ row }) => <code>{row.original.code}</code> },
    { header: t("measure.purpose"), accessorKey: "purpose", cell: ({ row }) => t(`enum.Purpose.${row.original.purpose}`) },
    { header: t("measure.effect"), accessorKey: "effect", cell: ({ row }) => t(`enum.MeasureEffect.${row.original.effect}`) },
  ];
  return (
    <section aria-labelledby="measures-h">
      <h2 id="measures-h">{t("listing.measures")}</h2>
      <DataTable caption={t("listing.measuresCaption")} columns={columns} data={listing.measures} testId="measures" />
    </section>
  );
}

function Reach({ listing }: { listing: PageListing }) {
  const { t } = useTranslation();
  type D = PageListing["derivedRestrictions"][number];
  const columns: Columns<D> = [
    { header: t("roles.person"), accessorKey: "code", cell: ({ row }) => <Code code={row.original.code} /> },
    { header: t("roles.role"), accessorFn: (d) => d.via.role, cell: ({ row }) => t(`enum.Role.${row.original.via.role}`) },
    { header: t("roles.organization"), accessorFn: (d) => d.via.organizationCode, cell: ({ row }) => <Code code={row.original.via.organizationCode} /> },
  ];
  return (
    <section aria-labelledby="reach-h">
      <h2 id="reach-h">{t("listing.reach")}</h2>
      <DataTable caption={t("listing.reachCaption")} columns={columns} data={listing.derivedRestrictions}
                 empty={t("listing.reachNone")} testId="reach" />
    </section>
  );
}

function Objections({ listing, highlight }: { listing: PageListing; highlight?: string | null }) {
  const { t } = useTranslation();
  type O = PageListing["objections"][number];
  const calendar = useWorkingCalendar(listing.objections.filter((o) => o.status === "OPEN").map((o) => o.dueAt));
  const columns: Columns<O> = [
    { header: t("objection.filedAt"), accessorKey: "filedAt", cell: ({ row }) => <When value={row.original.filedAt} /> },
    { header: t("objection.status"), accessorKey: "status", cell: ({ row }) => t(`enum.ObjectionStatus.${row.original.status}`) },
    { header: t("objection.grounds"), accessorKey: "grounds" },
    { header: t("objection.suspends"), accessorKey: "suspends", cell: ({ row }) => row.original.suspends ? t("common.yes") : t("common.no") },
    { header: t("objection.dueAt"), accessorKey: "dueAt", cell: ({ row }) => row.original.status === "OPEN"
      ? <Deadline dueAt={row.original.dueAt} overdue={row.original.overdue} calendar={calendar} />
      : <span>{<When value={row.original.dueAt} />}{row.original.overdue && <strong className="warn"> {t("objection.late")}</strong>}</span> },
    { header: t("objection.resolvedAt"), accessorKey: "resolvedAt", cell: ({ row }) => <When value={row.original.resolvedAt} /> },
    { header: t("objection.reason"), accessorKey: "reason", cell: ({ row }) => row.original.reason ?? "" },
  ];
  return <DataTable caption={t("objection.caption")} columns={columns} data={listing.objections} empty={t("objection.none")} testId="objections"
                    rowClass={(o) => (o.id === highlight ? "row-highlight" : undefined)} />;
}

function History({ id }: { id: string }) {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: HISTORY, variables: { id } });
  type E = NonNullable<NonNullable<typeof data>["listing"]>["history"][number];
  const columns: Columns<E> = [
    { header: t("history.occurredAt"), accessorKey: "occurredAt", cell: ({ row }) => <When value={row.original.occurredAt} /> },
    { header: t("history.event"), accessorKey: "event", cell: ({ row }) => t(`history.events.${row.original.event}`, { defaultValue: row.original.event }) },
    { header: t("history.actor"), accessorKey: "actor" },
    { header: t("history.hash"), accessorKey: "hash", cell: ({ row }) => <code className="id" title={row.original.hash}>{row.original.hash.slice(0, 12)}…</code> },
  ];
  return (
    <section aria-labelledby="history-h">
      <h2 id="history-h">{t("history.title")}</h2>
      <QueryState fetching={fetching && !data} error={error} />
      {data?.listing && <DataTable caption={t("history.caption")} columns={columns} data={data.listing.history} testId="history" />}
    </section>
  );
}
