// The analyst's overview: listings in force by list, by authority and by province; decisions
// per month; checks per purpose per day with the restricted share. Each as a chart where a
// person would rather look, the table beside it, and the table as CSV.
import { lazy, Suspense, useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { splitByField, typedErrors } from "../api/errors";
import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { CheckVolumeQuery, ListingFilter, Purpose } from "../gql/graphql";
import { boundAgency, mayReadCheckVolume } from "../permissions";
import { CsvButton } from "../ui/CsvButton";
import { DataTable, type Columns } from "../ui/DataTable";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { QueryState } from "../ui/Loading";
import { addDays, daysBetween, shanghaiDay, shanghaiMidnight } from "../ui/When";
import { PURPOSES } from "../catalogue/options";

const BarChart = lazy(() => import("./charts").then((m) => ({ default: m.BarChart })));
const MonthChart = lazy(() => import("./charts").then((m) => ({ default: m.MonthChart })));
const VolumeChart = lazy(() => import("./charts").then((m) => ({ default: m.VolumeChart })));

const IN_FORCE = graphql(`
  query ListingsInForce {
    byList: listingCounts(groupBy: LIST) { key label count }
    byAuthority: listingCounts(groupBy: AUTHORITY) { key label count }
    byProvince: listingCounts(groupBy: PROVINCE) { key label count }
  }
`);

const PER_MONTH = graphql(`
  query DecisionsPerMonth($filter: ListingFilter!) {
    listingCounts(groupBy: MONTH_DECIDED, filter: $filter) { key label count }
  }
`);

const LISTS = graphql(`
  query OverviewLists { creditLists { code name authority } }
`);

const VOLUME = graphql(`
  query CheckVolume($from: Date!, $until: Date!, $purpose: Purpose, $consumer: String) {
    checkVolume(from: $from, until: $until, purpose: $purpose, consumer: $consumer) { day purpose checks restricted invalid }
  }
`);

interface Group { key: string; label: string; count: number }

function useNumber() {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const locale = i18n.language.startsWith("en") ? "en-GB" : "zh-CN";
    const n = new Intl.NumberFormat(locale);
    const p = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    return { count: (v: number) => n.format(v), share: (v: number | null) => (v == null ? "—" : p.format(v)) };
  }, [i18n.language]);
}

export default function Overview() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [{ data, fetching, error }] = useQuery({ query: IN_FORCE });
  return (
    <>
      <h1>{t("overview.title")}</h1>
      <nav aria-label={t("overview.sections")} className="toc">
        <a href="#by-list">{t("overview.byList")}</a>
        <a href="#by-authority">{t("overview.byAuthority")}</a>
        <a href="#by-province">{t("overview.byProvince")}</a>
        <a href="#per-month">{t("overview.perMonth")}</a>
        {mayReadCheckVolume(session) && <a href="#checks">{t("overview.checks")}</a>}
      </nav>
      <p className="muted">{t("overview.inForceNote")}</p>
      <QueryState fetching={fetching && !data} error={error} />
      {data && (
        <>
          <GroupSection id="by-list" title={t("overview.byList")} keyHeader={t("overview.listCode")} labelHeader={t("listing.list")}
                        groups={data.byList} csvName="listings-in-force-by-list" />
          <GroupSection id="by-authority" title={t("overview.byAuthority")} keyHeader={t("listing.authority")}
                        groups={data.byAuthority} csvName="listings-in-force-by-authority" />
          <GroupSection id="by-province" title={t("overview.byProvince")} keyHeader={t("overview.provinceCode")} labelHeader={t("overview.province")}
                        groups={data.byProvince} csvName="listings-in-force-by-province" />
        </>
      )}
      <PerMonth />
      {mayReadCheckVolume(session) && <Checks />}
    </>
  );
}

function GroupSection({ id, title, keyHeader, labelHeader, groups, csvName }: {
  id: string; title: string; keyHeader: string; labelHeader?: string; groups: Group[]; csvName: string;
}) {
  const { t } = useTranslation();
  const num = useNumber();
  const total = groups.reduce((s, g) => s + g.count, 0);
  const sameLabel = groups.every((g) => g.label === g.key);
  const columns: Columns<Group> = [
    ...(sameLabel || !labelHeader ? [] : [{ header: labelHeader, accessorKey: "label" } as Columns<Group>[number]]),
    { header: keyHeader, accessorKey: "key", cell: ({ row }) => <code>{row.original.key}</code> },
    { header: t("overview.count"), accessorKey: "count", cell: ({ row }) => <span className="num">{num.count(row.original.count)}</span> },
  ];
  const header = [keyHeader, ...(sameLabel || !labelHeader ? [] : [labelHeader]), t("overview.count")];
  const rows = groups.map((g) => [g.key, ...(sameLabel || !labelHeader ? [] : [g.label]), g.count]);
  return (
    <section id={id} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <div className="pair">
        <div>
          {groups.length > 0
            ? <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
                <BarChart data={groups.map((g) => ({ label: g.label, count: g.count }))} label={title} testId={`${id}-chart`} />
              </Suspense>
            : <p className="muted">{t("overview.noneInForce")}</p>}
        </div>
        <div>
          <DataTable caption={t("overview.tableCaption", { what: title, total: num.count(total) })} columns={columns} data={groups}
                     pageSize={40} empty={t("overview.noneInForce")} testId={`${id}-table`} />
          <CsvButton name={csvName} what={title} header={header} rows={rows} />
        </div>
      </div>
    </section>
  );
}

/** First day of the month `months` before the current one (Asia/Shanghai), as YYYY-MM. */
function monthBefore(months: number): string {
  const [y, m] = shanghaiDay(new Date()).split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 - months, 1));
  return d.toISOString().slice(0, 7);
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}

function monthsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 240; m = nextMonth(m)) out.push(m);
  return out;
}

interface MonthForm { from: string; to: string; listCode: string; authority: string }
const MONTH_FIELDS = ["decidedAfter", "decidedBefore", "listCode", "authority"] as const;

function PerMonth() {
  const { t } = useTranslation();
  const { session } = useSession();
  const num = useNumber();
  const bound = boundAgency(session);
  const [{ data: lists }] = useQuery({ query: LISTS });
  const [asked, setAsked] = useState<MonthForm>({ from: monthBefore(11), to: monthBefore(0), listCode: "", authority: bound ?? "" });
  const { register, handleSubmit } = useForm<MonthForm>({ defaultValues: asked });
  const filter: ListingFilter = useMemo(() => ({
    decidedAfter: shanghaiMidnight(`${asked.from}-01`),
    decidedBefore: shanghaiMidnight(`${nextMonth(asked.to)}-01`),
    listCode: asked.listCode || null,
    authority: asked.authority || null,
  }), [asked]);
  const [{ data, fetching, error }] = useQuery({ query: PER_MONTH, variables: { filter } });
  const { byField, general } = splitByField(typedErrors(error), MONTH_FIELDS);
  const authorities = [...new Set(lists?.creditLists.map((l) => l.authority) ?? [])].sort();
  // Every month of the range, with the months the API has no decision in as zero.
  const months = useMemo(() => {
    if (!data) return [];
    const counted = new Map(data.listingCounts.map((g) => [g.key, g.count]));
    return monthsFrom(asked.from, asked.to).map((m) => ({ key: m, label: m, count: counted.get(m) ?? 0 }));
  }, [data, asked.from, asked.to]);
  const title = t("overview.perMonth");
  const columns: Columns<Group> = [
    { header: t("overview.month"), accessorKey: "key" },
    { header: t("overview.decisions"), accessorKey: "count", cell: ({ row }) => <span className="num">{num.count(row.original.count)}</span> },
  ];
  return (
    <section id="per-month" aria-labelledby="per-month-h">
      <h2 id="per-month-h">{title}</h2>
      <form className="filters-form" aria-label={t("overview.monthFilter")} onSubmit={handleSubmit((v) => setAsked(v))}>
        <Field label={t("overview.fromMonth")} error={byField.decidedAfter}><input type="month" {...register("from")} required /></Field>
        <Field label={t("overview.toMonth")} error={byField.decidedBefore}><input type="month" {...register("to")} required /></Field>
        <Field label={t("listing.list")} error={byField.listCode}>
          <select {...register("listCode")}>
            <option value="">{t("listingSearch.any")}</option>
            {lists?.creditLists.map((l) => <option key={l.code} value={l.code}>{l.name}</option>)}
          </select>
        </Field>
        {bound ? (
          <p className="muted bound">{t("listingSearch.boundAgency", { agency: bound })}</p>
        ) : (
          <Field label={t("listing.authority")} error={byField.authority}>
            <select {...register("authority")}>
              <option value="">{t("listingSearch.any")}</option>
              {authorities.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </Field>
        )}
        <button type="submit" className="primary">{t("overview.show")}</button>
      </form>
      <ErrorList errors={general} />
      {fetching && !data && <QueryState fetching />}
      {data && !error && (
        <div className="pair">
          <div>
            <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
              <MonthChart data={months} label={title} testId="per-month-chart" />
            </Suspense>
          </div>
          <div>
            <DataTable caption={t("overview.monthCaption", { from: asked.from, to: asked.to, total: num.count(months.reduce((s, m) => s + m.count, 0)) })}
                       columns={columns} data={months} pageSize={24} testId="per-month-table" />
            <CsvButton name="decisions-per-month" what={title} header={[t("overview.month"), t("overview.decisions")]}
                       rows={months.map((m) => [m.key, m.count])} />
          </div>
        </div>
      )}
    </section>
  );
}

type Volume = CheckVolumeQuery["checkVolume"][number];
interface VolumeForm { from: string; to: string; purpose: Purpose | ""; consumer: string }
const VOLUME_FIELDS = ["from", "until", "purpose", "consumer"] as const;

function Checks() {
  const { t } = useTranslation();
  const num = useNumber();
  const today = shanghaiDay(new Date());
  const [asked, setAsked] = useState<VolumeForm>({ from: addDays(today, -29), to: today, purpose: "", consumer: "" });
  const { register, handleSubmit } = useForm<VolumeForm>({ defaultValues: asked });
  const variables = { from: asked.from, until: addDays(asked.to, 1), purpose: asked.purpose || null, consumer: asked.consumer.trim() || null };
  const [{ data, fetching, error }] = useQuery({ query: VOLUME, variables });
  const { byField, general } = splitByField(typedErrors(error), VOLUME_FIELDS);
  const rows = data?.checkVolume ?? [];
  const share = (r: Volume) => (r.checks > 0 ? r.restricted / r.checks : null);
  const purposeName = (p: string) => t(`enum.Purpose.${p as Purpose}`);
  const chart = useMemo(() => {
    const span = Math.min(366, Math.max(1, daysBetween(asked.from, asked.to) + 1));
    const days = Array.from({ length: span }, (_, i) => addDays(asked.from, i));
    const purposes = [...new Set(rows.map((r) => r.purpose))].map(purposeName);
    return { days, purposes, data: rows.map((r) => ({ day: r.day, purpose: purposeName(r.purpose), checks: r.checks, share: share(r) })) };
  }, [rows, asked.from, asked.to, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const totals = rows.reduce((s, r) => ({ checks: s.checks + r.checks, restricted: s.restricted + r.restricted }), { checks: 0, restricted: 0 });
  const title = t("overview.checks");
  const columns: Columns<Volume> = [
    { header: t("overview.day"), accessorKey: "day" },
    { header: t("checks.purpose"), accessorKey: "purpose", cell: ({ row }) => purposeName(row.original.purpose) },
    { header: t("overview.checksCount"), accessorKey: "checks", cell: ({ row }) => <span className="num">{num.count(row.original.checks)}</span> },
    { header: t("overview.restricted"), accessorKey: "restricted", cell: ({ row }) => <span className="num">{num.count(row.original.restricted)}</span> },
    { header: t("overview.share"), id: "share", accessorFn: (r) => share(r) ?? -1, cell: ({ row }) => <span className="num">{num.share(share(row.original))}</span> },
    { header: t("overview.invalid"), accessorKey: "invalid", cell: ({ row }) => <span className="num">{num.count(row.original.invalid)}</span> },
  ];
  return (
    <section id="checks" aria-labelledby="checks-h">
      <h2 id="checks-h">{title}</h2>
      <form className="filters-form" aria-label={t("overview.checksFilter")} onSubmit={handleSubmit((v) => setAsked(v))}>
        <Field label={t("overview.fromDay")} error={byField.from}><input type="date" {...register("from")} required /></Field>
        <Field label={t("overview.toDay")} error={byField.until}><input type="date" {...register("to")} required /></Field>
        <Field label={t("checks.purpose")} error={byField.purpose}>
          <select {...register("purpose")}>
            <option value="">{t("listingSearch.any")}</option>
            {PURPOSES.map((p) => <option key={p} value={p}>{purposeName(p)}</option>)}
          </select>
        </Field>
        <Field label={t("overview.consumer")} hint={t("overview.consumerHint")} error={byField.consumer}>
          <input {...register("consumer")} autoComplete="off" />
        </Field>
        <button type="submit" className="primary">{t("overview.show")}</button>
      </form>
      <ErrorList errors={general} />
      {fetching && !data && <QueryState fetching />}
      {data && !error && (
        <>
          <p data-testid="checks-total">{t("overview.checksTotal", { checks: num.count(totals.checks), restricted: num.count(totals.restricted),
            share: num.share(totals.checks ? totals.restricted / totals.checks : null) })}</p>
          <div className="pair">
            <div>
              {rows.length > 0 ? (
                <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
                  <p className="chart-title">{t("overview.checksChart")}</p>
                  <VolumeChart data={chart.data} days={chart.days} purposes={chart.purposes}
                               labels={{ checks: t("overview.checksChart"), share: t("overview.shareChart") }} />
                </Suspense>
              ) : <p className="muted">{t("overview.noChecks")}</p>}
            </div>
            <div>
              <DataTable caption={t("overview.checksCaption", { from: asked.from, to: asked.to })} columns={columns} data={rows}
                         pageSize={31} empty={t("overview.noChecks")} testId="checks-table" />
              <CsvButton name="checks-per-day" what={title}
                         header={[t("overview.day"), t("overview.purposeCode"), t("checks.purpose"), t("overview.checksCount"), t("overview.restricted"), t("overview.share"), t("overview.invalid")]}
                         rows={rows.map((r) => [r.day, r.purpose, purposeName(r.purpose), r.checks, r.restricted,
                                                share(r) == null ? null : Math.round(share(r)! * 10000) / 10000, r.invalid])} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
