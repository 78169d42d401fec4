// Who checked this subject, for what purpose and when (the check audit), newest first.
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { ChecksOfSubjectQuery } from "../gql/graphql";
import { mayReadChecks } from "../permissions";
import { CursorPager, useCursor } from "../ui/CursorPager";
import { DataTable, type Columns } from "../ui/DataTable";
import { QueryState } from "../ui/Loading";
import { When } from "../ui/When";

const CHECKS = graphql(`
  query ChecksOfSubject($code: ID!, $after: String) {
    checksOfSubject(code: $code, first: 20, after: $after) {
      entries { reference consumer operation purpose outcome checkedAt at }
      endCursor
      hasMore
    }
  }
`);

type Entry = ChecksOfSubjectQuery["checksOfSubject"]["entries"][number];

export function ChecksSection({ code }: { code: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const allowed = mayReadChecks(session, code);
  const cursor = useCursor();
  const [{ data, fetching, error }] = useQuery({ query: CHECKS, variables: { code, after: cursor.after }, pause: !allowed });
  const columns: Columns<Entry> = [
    { header: t("checks.checkedAt"), accessorKey: "checkedAt", cell: ({ row }) => <When value={row.original.checkedAt} /> },
    { header: t("checks.consumer"), accessorKey: "consumer" },
    { header: t("checks.purpose"), accessorKey: "purpose", cell: ({ row }) => t(`enum.Purpose.${row.original.purpose}`) },
    { header: t("checks.operation"), accessorKey: "operation" },
    { header: t("checks.outcome"), accessorKey: "outcome" },
    { header: t("checks.reference"), accessorKey: "reference", cell: ({ row }) => <code className="id">{row.original.reference}</code> },
  ];
  return (
    <section id="checks" aria-labelledby="checks-h">
      <h2 id="checks-h">{t("subject.checks")}</h2>
      {!allowed && <p className="muted">{t("checks.analystsOnly")}</p>}
      <QueryState fetching={fetching && !data} error={error} />
      {data && (
        <>
          <DataTable caption={t("checks.caption")} columns={columns} data={data.checksOfSubject.entries}
                     pageSize={20} empty={t("checks.none")} testId="checks" />
          <CursorPager cursor={cursor} endCursor={data.checksOfSubject.endCursor} hasMore={data.checksOfSubject.hasMore}
                       label={t("checks.pages")} />
        </>
      )}
    </section>
  );
}
