// The case officer's work queue (the landing page for an official): open objections, pending
// repair applications, publicity windows and listings about to end, in the API's order
// (earliest deadline first, so what is overdue comes first), each counted down in working
// days and opening the listing where its actions are.
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { WorkItemKind, WorkQueueQuery } from "../gql/graphql";
import { CursorPager, useCursor } from "../ui/CursorPager";
import { DataTable, type Columns } from "../ui/DataTable";
import { Code } from "../ui/Code";
import { Deadline, useWorkingCalendar } from "../ui/Deadline";
import { QueryState } from "../ui/Loading";
import { Status } from "../ui/Status";
import { When } from "../ui/When";

const WORK_QUEUE = graphql(`
  query WorkQueue($kinds: [WorkItemKind!], $after: String) {
    workQueue(kinds: $kinds, first: 20, after: $after) {
      totalCount endCursor hasMore
      nodes {
        kind id authority openedAt dueAt overdue summary
        listing { id status subjectCode list { code name } }
      }
    }
  }
`);

export const WORK_KINDS: WorkItemKind[] = ["LISTING_OBJECTION", "REPAIR_APPLICATION", "PUBLICITY_ENDING", "LISTING_EXPIRING"];

type Item = WorkQueueQuery["workQueue"]["nodes"][number];

/** Where an item is worked on: its listing, with the objection or application it is about. */
export function itemTarget(item: Pick<Item, "kind" | "id" | "listing">): string {
  const base = `/listings/${item.listing.id}`;
  if (item.kind === "LISTING_OBJECTION") return `${base}?objection=${encodeURIComponent(item.id)}#objection-${item.id}`;
  if (item.kind === "REPAIR_APPLICATION") return `${base}?repair=${encodeURIComponent(item.id)}#repair`;
  return base;
}

export default function WorkQueue() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const asked = useMemo(() => params.getAll("kind").filter((k): k is WorkItemKind => WORK_KINDS.includes(k as WorkItemKind)), [params]);
  // The ticks answer at once; the URL (for links and the back button) follows.
  const [chosen, setChosen] = useState(asked);
  const key = chosen.join(",");
  useEffect(() => setChosen(asked), [asked.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const cursor = useCursor();
  useEffect(() => cursor.reset(), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const [{ data, fetching, error }] = useQuery({
    query: WORK_QUEUE,
    variables: { kinds: chosen.length ? chosen : null, after: cursor.after },
  });
  const page = data?.workQueue;
  const calendar = useWorkingCalendar(page?.nodes.map((n) => n.dueAt) ?? []);

  const toggle = (kind: WorkItemKind) => {
    const next = WORK_KINDS.filter((k) => (k === kind ? !chosen.includes(k) : chosen.includes(k)));
    setChosen(next);
    setParams(new URLSearchParams(WORK_KINDS.filter((k) => next.includes(k)).map((k) => ["kind", k])), { replace: true });
  };

  const columns: Columns<Item> = [
    { header: t("work.deadline"), id: "deadline", enableSorting: false, cell: ({ row }) => (
      <Deadline dueAt={row.original.dueAt} overdue={row.original.overdue} calendar={calendar} />
    ) },
    { header: t("work.kind"), id: "kind", enableSorting: false, cell: ({ row }) => (
      <Link to={itemTarget(row.original)} className="nowrap">{t(`enum.WorkItemKind.${row.original.kind}`)}</Link>
    ) },
    { header: t("work.listing"), id: "listing", enableSorting: false, cell: ({ row }) => (
      <span>{row.original.listing.list.name} <Status status={row.original.listing.status} /></span>
    ) },
    { header: t("listing.listed"), id: "subject", enableSorting: false, cell: ({ row }) => <Code code={row.original.listing.subjectCode} /> },
    { header: t("listing.authority"), id: "authority", enableSorting: false, cell: ({ row }) => row.original.authority },
    { header: t("work.openedAt"), id: "openedAt", enableSorting: false, cell: ({ row }) => <When value={row.original.openedAt} /> },
    { header: t("work.what"), id: "summary", enableSorting: false, cell: ({ row }) => (
      <span title={row.original.summary}>{t(`work.todo.${row.original.kind}`)}</span>
    ) },
  ];

  const agency = session?.claims.agency;
  return (
    <>
      <h1>{t("work.title")}</h1>
      <p className="muted">{agency ? t("work.forAgency", { agency }) : t("work.forAll")} {t("work.order")}</p>
      <fieldset className="filters" data-testid="work-kinds">
        <legend>{t("work.filter")}</legend>
        {WORK_KINDS.map((k) => (
          <label key={k} className="inline-check">
            <input type="checkbox" checked={chosen.includes(k)} onChange={() => toggle(k)} /> {t(`enum.WorkItemKind.${k}`)}
          </label>
        ))}
        <span className="muted">{t("work.filterHint")}</span>
      </fieldset>
      <QueryState fetching={fetching && !data} error={error} />
      {page && (
        <>
          <p role="status" data-testid="work-total">{t("work.total", { count: page.totalCount })}</p>
          <DataTable caption={t("work.caption")} columns={columns} data={page.nodes} pageSize={20}
                     empty={t("work.none")} testId="work-queue" rowClass={(i) => (i.overdue ? "row-overdue" : undefined)} />
          <CursorPager cursor={cursor} endCursor={page.endCursor} hasMore={page.hasMore} label={t("work.pages")} />
        </>
      )}
    </>
  );
}
