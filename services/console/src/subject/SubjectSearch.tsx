// Find a subject by its code (the API normalises: full-width characters and spaces are fine),
// a legacy organisation code or registration number, or part of its name. All three questions
// go to the API at once; which rule a code breaks is the API's answer, shown as it gives it.
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { typedErrors } from "../api/errors";
import { graphql } from "../gql";
import type { SubjectByCodeQuery } from "../gql/graphql";
import { Code, isMasked } from "../ui/Code";
import { CursorPager, useCursor } from "../ui/CursorPager";
import { DataTable, type Columns } from "../ui/DataTable";
import { ErrorList, ErrorText } from "../ui/Errors";
import { QueryState } from "../ui/Loading";

// Three documents, not one: a root field that fails (a name is no legacy code) would null the
// others' answers in a shared document.
const BY_CODE = graphql(`
  query SubjectByCode($q: ID!) { subject(code: $q) { code kind name region { name } } }
`);
const BY_LEGACY = graphql(`
  query SubjectsByLegacyCode($q: String!) { subjectsByLegacyCode(code: $q) { code kind name region { name } } }
`);
const BY_NAME = graphql(`
  query SubjectsByName($q: String!, $after: String) {
    subjects(nameContains: $q, first: 20, after: $after) {
      nodes { code kind name region { name } }
      endCursor
      hasMore
    }
  }
`);

type Found = NonNullable<SubjectByCodeQuery["subject"]>;

export function SearchBox({ initial = "" }: { initial?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState(initial);
  useEffect(() => setQ(initial), [initial]);
  return (
    <form role="search" className="search" onSubmit={(e) => {
      e.preventDefault();
      if (q.trim()) navigate(`/subjects?q=${encodeURIComponent(q.trim())}`);
    }}>
      <label htmlFor="subject-q">{t("search.label")}</label>
      <input id="subject-q" name="q" value={q} onChange={(e) => setQ(e.target.value)}
             placeholder={t("search.placeholder")} autoComplete="off" aria-describedby="subject-q-hint" />
      <button type="submit" className="primary">{t("search.submit")}</button>
      <small id="subject-q-hint" className="muted">{t("search.hint")}</small>
    </form>
  );
}

export function SubjectSearch() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const q = params.get("q") ?? "";
  const cursor = useCursor();
  useEffect(() => cursor.reset(), [q]); // eslint-disable-line react-hooks/exhaustive-deps
  const [byCode] = useQuery({ query: BY_CODE, variables: { q }, pause: !q });
  const [byLegacy] = useQuery({ query: BY_LEGACY, variables: { q }, pause: !q });
  const [byName] = useQuery({ query: BY_NAME, variables: { q, after: cursor.after }, pause: !q });
  const fetching = byCode.fetching || byLegacy.fetching || byName.fetching;
  const answered = !!(byCode.data || byCode.error) && !!(byLegacy.data || byLegacy.error)
    && !!(byName.data || byName.error);

  // A question the input does not fit (a name is not a code) answers with a typed error; the
  // code's is shown when nothing matched, any other error always.
  const codeError = typedErrors(byCode.error).find((e) => e.code === "INVALID_CODE");
  const otherErrors = [byCode.error, byLegacy.error, byName.error].flatMap((e) => typedErrors(e))
    .filter((e) => !["INVALID_CODE", "BAD_REQUEST"].includes(e.code));
  const rows = useMemo(() => {
    const seen = new Set<string>();
    const out: { found: Found; how: "code" | "legacy" | "name" }[] = [];
    const add = (found: Found | null | undefined, how: "code" | "legacy" | "name") => {
      if (found && !seen.has(found.code)) {
        seen.add(found.code);
        out.push({ found, how });
      }
    };
    add(byCode.data?.subject, "code");
    byLegacy.data?.subjectsByLegacyCode.forEach((s) => add(s, "legacy"));
    byName.data?.subjects.nodes.forEach((s) => add(s, "name"));
    return out;
  }, [byCode.data, byLegacy.data, byName.data]);

  const columns: Columns<(typeof rows)[number]> = [
    { header: t("subject.name"), accessorFn: (r) => r.found.name, cell: ({ row }) => {
      const { found, how } = row.original;
      // A code the user typed opens the file even when the API shows it masked.
      const target = how === "code" ? q : found.code;
      return isMasked(target) ? found.name : <Link to={`/subjects/${encodeURIComponent(target)}`}>{found.name}</Link>;
    } },
    { header: t("subject.code"), accessorFn: (r) => r.found.code, cell: ({ row }) => <Code code={row.original.found.code} link={false} /> },
    { header: t("subject.kind"), accessorFn: (r) => r.found.kind, cell: ({ row }) => t(`enum.SubjectKind.${row.original.found.kind}`) },
    { header: t("subject.region"), accessorFn: (r) => r.found.region?.name ?? "" },
    { header: t("search.matchedBy"), accessorFn: (r) => r.how, cell: ({ row }) => t(`search.how.${row.original.how}`) },
  ];

  return (
    <>
      <h1>{t("search.title")}</h1>
      <SearchBox initial={q} />
      <ErrorList errors={otherErrors} />
      <QueryState fetching={!!q && fetching && !answered} />
      {q && answered && (
        <>
          <DataTable caption={t("search.results", { q })} columns={columns} data={rows} pageSize={50}
                     empty={t("search.none")} testId="search-results" />
          {rows.some((r) => isMasked(r.found.code) && r.how !== "code") && (
            <p className="muted">{t("search.maskedHint")}</p>
          )}
          {codeError && rows.length === 0 && (
            <p className="muted">{t("search.notACode")} <ErrorText error={codeError} /></p>
          )}
          <CursorPager cursor={cursor} endCursor={byName.data?.subjects.endCursor}
                       hasMore={!!byName.data?.subjects.hasMore}
                       label={t("search.pages")} />
        </>
      )}
    </>
  );
}
