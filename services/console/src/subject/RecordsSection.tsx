// A subject's records, a page at a time, with disclosure, status and (where the API shows them)
// earlier versions.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { SubjectRecordsQuery } from "../gql/graphql";
import { mayReadVersions } from "../permissions";
import { CursorPager, useCursor } from "../ui/CursorPager";
import { DataTable, type Columns } from "../ui/DataTable";
import { QueryState } from "../ui/Loading";
import { Day, When } from "../ui/When";

const RECORDS = graphql(`
  query SubjectRecords($code: ID!, $after: String) {
    subject(code: $code) {
      code
      recordPage(first: 20, after: $after) {
        nodes {
          id category summary agency occurredOn recordedAt version disclosure status archived retentionUntil amount
          legalBasis { number kind issuedOn authority }
        }
        endCursor
        hasMore
      }
    }
  }
`);

const VERSIONS = graphql(`
  query RecordVersions($id: ID!) {
    creditRecord(id: $id) {
      id
      versions { version recordedAt summary status disclosure legalBasis { number } }
    }
  }
`);

type Record = NonNullable<SubjectRecordsQuery["subject"]>["recordPage"]["nodes"][number];

export function RecordsSection({ code }: { code: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const cursor = useCursor();
  const [open, setOpen] = useState<string | null>(null);
  const [{ data, fetching, error }] = useQuery({ query: RECORDS, variables: { code, after: cursor.after } });
  const page = data?.subject?.recordPage;
  const columns: Columns<Record> = [
    { header: t("record.occurredOn"), accessorKey: "occurredOn", cell: ({ row }) => <Day value={row.original.occurredOn} /> },
    { header: t("record.category"), accessorKey: "category", cell: ({ row }) => t(`enum.RecordCategory.${row.original.category}`) },
    { header: t("record.summary"), accessorKey: "summary" },
    { header: t("record.agency"), accessorKey: "agency" },
    { header: t("record.legalBasis"), accessorFn: (r) => r.legalBasis.number, cell: ({ row }) => (
      <span title={`${row.original.legalBasis.kind} · ${row.original.legalBasis.authority} · ${row.original.legalBasis.issuedOn}`}>{row.original.legalBasis.number}</span>
    ) },
    { header: t("record.disclosure"), accessorKey: "disclosure", cell: ({ row }) => t(`enum.Disclosure.${row.original.disclosure}`) },
    { header: t("record.status"), accessorKey: "status", cell: ({ row }) => t(`enum.RecordStatus.${row.original.status}`) },
    { header: t("record.version"), accessorKey: "version", cell: ({ row }) => {
      const r = row.original;
      if (r.version < 2 || !mayReadVersions(session, r)) return r.version;
      return (
        <button type="button" className="link" aria-expanded={open === r.id}
                onClick={() => setOpen(open === r.id ? null : r.id)}>
          {t("record.showVersions", { version: r.version })}
        </button>
      );
    } },
    { header: t("record.recordedAt"), accessorKey: "recordedAt", cell: ({ row }) => <When value={row.original.recordedAt} /> },
    { header: t("record.id"), accessorKey: "id", cell: ({ row }) => <code className="id">{row.original.id}</code> },
  ];
  return (
    <section id="records" aria-labelledby="records-h">
      <h2 id="records-h">{t("subject.records")}</h2>
      <QueryState fetching={fetching && !data} error={error} />
      {page && (
        <>
          <DataTable caption={t("record.caption")} columns={columns} data={page.nodes} pageSize={20}
                     empty={t("record.none")} testId="records" />
          <CursorPager cursor={cursor} endCursor={page.endCursor} hasMore={page.hasMore} label={t("record.pages")} />
        </>
      )}
      {open && <Versions id={open} />}
    </section>
  );
}

function Versions({ id }: { id: string }) {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: VERSIONS, variables: { id } });
  type V = NonNullable<NonNullable<typeof data>["creditRecord"]>["versions"][number];
  const columns: Columns<V> = [
    { header: t("record.version"), accessorKey: "version" },
    { header: t("record.recordedAt"), accessorKey: "recordedAt", cell: ({ row }) => <When value={row.original.recordedAt} /> },
    { header: t("record.summary"), accessorKey: "summary" },
    { header: t("record.status"), accessorKey: "status", cell: ({ row }) => t(`enum.RecordStatus.${row.original.status}`) },
    { header: t("record.disclosure"), accessorKey: "disclosure", cell: ({ row }) => t(`enum.Disclosure.${row.original.disclosure}`) },
    { header: t("record.legalBasis"), accessorFn: (v) => v.legalBasis.number },
  ];
  return (
    <div className="versions">
      <QueryState fetching={fetching && !data} error={error} />
      {data?.creditRecord && (
        <DataTable caption={t("record.versionsOf", { id })} columns={columns} data={data.creditRecord.versions} testId="versions" />
      )}
    </div>
  );
}
