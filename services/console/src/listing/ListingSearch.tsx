// Listing search over `listings(filter)`: every filter field of the API, the total it counts,
// a page of 20 at a time by cursor. The filter lives in the URL, so a search can be linked to
// and comes back with the browser's back button; each typed error sits beside its field.
import { useEffect, useMemo } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { splitByField, typedErrors } from "../api/errors";
import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { ListingFilter, ListingSearchQuery, ListingStatus, SubjectKind } from "../gql/graphql";
import { boundAgency } from "../permissions";
import { LISTING_STATUSES, SUBJECT_KINDS } from "../catalogue/options";
import { Code } from "../ui/Code";
import { CsvButton } from "../ui/CsvButton";
import { CursorPager, useCursor } from "../ui/CursorPager";
import { DataTable, type Columns } from "../ui/DataTable";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { QueryState } from "../ui/Loading";
import { Status } from "../ui/Status";
import { shanghaiMidnight, When } from "../ui/When";

const SEARCH = graphql(`
  query ListingSearch($filter: ListingFilter, $after: String) {
    listings(filter: $filter, first: 20, after: $after) {
      totalCount endCursor hasMore
      nodes {
        id status subjectCode authority decidedAt effectiveFrom publicityUntil effectiveUntil
        list { code name kind }
      }
    }
  }
`);

const LISTS = graphql(`
  query ListingSearchLists { creditLists { code name authority } }
`);

type Row = ListingSearchQuery["listings"]["nodes"][number];

const TEXT_FIELDS = ["listCode", "authority", "region", "subjectKind", "decidedAfter", "decidedBefore", "effectiveUntilBefore"] as const;
const FIELDS = [...TEXT_FIELDS, "status"] as const;

type FormValues = Record<(typeof TEXT_FIELDS)[number], string> & { status: ListingStatus[] };

function fromParams(params: URLSearchParams): FormValues {
  const values = Object.fromEntries(TEXT_FIELDS.map((f) => [f, params.get(f) ?? ""])) as Record<(typeof TEXT_FIELDS)[number], string>;
  return { ...values, status: params.getAll("status").filter((s): s is ListingStatus => LISTING_STATUSES.includes(s as ListingStatus)) };
}

function toFilter(v: FormValues, bound: string | null): ListingFilter {
  const day = (d: string) => (d ? shanghaiMidnight(d) : null);
  return {
    listCode: v.listCode || null,
    status: v.status.length ? v.status : null,
    authority: bound ?? (v.authority.trim() || null),
    region: v.region.trim() || null,
    subjectKind: (v.subjectKind || null) as SubjectKind | null,
    decidedAfter: day(v.decidedAfter),
    decidedBefore: day(v.decidedBefore),
    effectiveUntilBefore: day(v.effectiveUntilBefore),
  };
}

export default function ListingSearch() {
  const { t } = useTranslation();
  const { session } = useSession();
  const bound = boundAgency(session);
  const [params, setParams] = useSearchParams();
  const asked = useMemo(() => fromParams(params), [params]);
  const filter = useMemo(() => toFilter(asked, bound), [asked, bound]);
  const cursor = useCursor();
  const key = params.toString();
  useEffect(() => cursor.reset(), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const [{ data, fetching, error }] = useQuery({ query: SEARCH, variables: { filter, after: cursor.after } });
  const [{ data: lists }] = useQuery({ query: LISTS });
  const { register, handleSubmit, reset } = useForm<FormValues>({ defaultValues: asked });
  useEffect(() => reset(asked), [asked, reset]);
  const { byField, general } = splitByField(typedErrors(error), FIELDS);
  const authorities = [...new Set(lists?.creditLists.map((l) => l.authority) ?? [])].sort();

  const submit = handleSubmit((v) => {
    const next = new URLSearchParams();
    for (const f of TEXT_FIELDS) if (v[f].trim()) next.set(f, v[f].trim());
    for (const s of v.status) next.append("status", s);
    setParams(next);
  });

  const columns: Columns<Row> = [
    { header: t("listing.list"), id: "list", enableSorting: false, cell: ({ row }) => <Link to={`/listings/${row.original.id}`}>{row.original.list.name}</Link> },
    { header: t("listing.status"), id: "status", enableSorting: false, cell: ({ row }) => <Status status={row.original.status} /> },
    { header: t("listing.listed"), id: "subject", enableSorting: false, cell: ({ row }) => <Code code={row.original.subjectCode} /> },
    { header: t("listing.authority"), id: "authority", enableSorting: false, cell: ({ row }) => row.original.authority },
    { header: t("listing.decidedAt"), id: "decidedAt", enableSorting: false, cell: ({ row }) => <When value={row.original.decidedAt} /> },
    { header: t("listing.effectiveFrom"), id: "effectiveFrom", enableSorting: false, cell: ({ row }) => <When value={row.original.effectiveFrom} /> },
    { header: t("listing.effectiveUntil"), id: "effectiveUntil", enableSorting: false, cell: ({ row }) => row.original.effectiveUntil ? <When value={row.original.effectiveUntil} /> : t("listing.openEnded") },
  ];
  const page = data?.listings;
  const csvHeader = [t("listingSearch.id"), t("overview.listCode"), t("listing.list"), t("listing.status"), t("listing.listed"), t("listing.authority"),
    t("listing.decidedAt"), t("listing.effectiveFrom"), t("listing.effectiveUntil")];
  const csvRows = (page?.nodes ?? []).map((l) => [l.id, l.list.code, l.list.name, t(`enum.ListingStatus.${l.status}`), l.subjectCode, l.authority,
    l.decidedAt, l.effectiveFrom, l.effectiveUntil ?? ""]);

  return (
    <>
      <h1>{t("listingSearch.title")}</h1>
      <form className="filters-form wide" onSubmit={submit} aria-label={t("listingSearch.filter")} data-testid="listing-filter">
        <Field label={t("listing.list")} error={byField.listCode}>
          <select {...register("listCode")}>
            <option value="">{t("listingSearch.any")}</option>
            {lists?.creditLists.map((l) => <option key={l.code} value={l.code}>{l.name}</option>)}
          </select>
        </Field>
        {bound ? <p className="muted bound">{t("listingSearch.boundAgency", { agency: bound })}</p> : (
          <Field label={t("listing.authority")} error={byField.authority}>
            <select {...register("authority")}>
              <option value="">{t("listingSearch.any")}</option>
              {authorities.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </Field>
        )}
        <Field label={t("listingSearch.region")} hint={t("listingSearch.regionHint")} error={byField.region}>
          <input {...register("region")} inputMode="numeric" autoComplete="off" />
        </Field>
        <Field label={t("listingSearch.subjectKind")} error={byField.subjectKind}>
          <select {...register("subjectKind")}>
            <option value="">{t("listingSearch.any")}</option>
            {SUBJECT_KINDS.map((k) => <option key={k} value={k}>{t(`enum.SubjectKind.${k}`)}</option>)}
          </select>
        </Field>
        <Field label={t("listingSearch.decidedAfter")} error={byField.decidedAfter}><input type="date" {...register("decidedAfter")} /></Field>
        <Field label={t("listingSearch.decidedBefore")} error={byField.decidedBefore}><input type="date" {...register("decidedBefore")} /></Field>
        <Field label={t("listingSearch.effectiveUntilBefore")} hint={t("listingSearch.effectiveUntilHint")} error={byField.effectiveUntilBefore}>
          <input type="date" {...register("effectiveUntilBefore")} />
        </Field>
        <fieldset className={`statuses${byField.status ? " has-error" : ""}`}>
          <legend>{t("listing.status")}</legend>
          {LISTING_STATUSES.map((s) => (
            <label key={s} className="inline-check"><input type="checkbox" value={s} {...register("status")} /> {t(`enum.ListingStatus.${s}`)}</label>
          ))}
          {byField.status && <p className="error">{byField.status.message}</p>}
        </fieldset>
        <div className="buttons">
          <button type="submit" className="primary">{t("search.submit")}</button>
          <Link to="/listings" className="button">{t("listingSearch.clear")}</Link>
        </div>
      </form>
      <ErrorList errors={general} />
      <QueryState fetching={fetching && !data} />
      {page && !error && (
        <>
          <p role="status" data-testid="listing-total">{t("listingSearch.total", { count: page.totalCount })}</p>
          <DataTable caption={t("listingSearch.caption")} columns={columns} data={page.nodes} pageSize={20}
                     empty={t("listingSearch.none")} testId="listing-results" />
          <div className="buttons">
            <CursorPager cursor={cursor} endCursor={page.endCursor} hasMore={page.hasMore} label={t("listingSearch.pages")} />
            <CsvButton name="listings" what={t("listingSearch.csvWhat", { page: cursor.page })} header={csvHeader} rows={csvRows} />
          </div>
        </>
      )}
    </>
  );
}
