// The catalogue: lists, measures, memoranda and the working calendar; admins also change them
// (every catalogue mutation the API has: upsertCreditList, upsertMeasure, upsertMemorandum,
// setCalendarDay).
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";

import { useFormErrors } from "../api/errors";
import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { CalendarQuery } from "../gql/graphql";
import { mayEditCatalogue } from "../permissions";
import { DataTable, type Columns } from "../ui/DataTable";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { QueryState } from "../ui/Loading";
import { Day, When } from "../ui/When";
import { CreditListForm, MeasureForm, MemorandumForm, type CreditList, type Measure, type Memo } from "./AdminForms";

const CATALOGUE = graphql(`
  query Catalogue {
    creditLists {
      code name kind authority legalBasis defaultDurationDays maxDurationDays openEnded publicityWorkingDays
      objectionSuspends objectionChannel admits extendable maxExtensionDays repairMinDays
    }
    measures { code name purpose effect }
    memoranda { code name signatories validFrom validUntil bindings { listCode measureCode extendsTo } }
  }
`);

const CALENDAR = graphql(`
  query Calendar($from: Date!, $to: Date!) { workingCalendar(from: $from, to: $to) { day working name } }
`);

const SET_DAY = graphql(`
  mutation SetCalendarDay($day: Date!, $working: Boolean!, $name: String!) {
    setCalendarDay(day: $day, working: $working, name: $name) { day working name }
  }
`);

const DAY_FIELDS = ["day", "working", "name"] as const;

type CalendarDay = CalendarQuery["workingCalendar"][number];

export default function Catalogue() {
  const { t } = useTranslation();
  const { session } = useSession();
  const admin = mayEditCatalogue(session);
  const [{ data, fetching, error }] = useQuery({ query: CATALOGUE });
  return (
    <>
      <h1>{t("catalogue.title")}</h1>
      <nav aria-label={t("catalogue.sections")} className="toc">
        <a href="#lists">{t("catalogue.lists")}</a>
        <a href="#measures">{t("catalogue.measures")}</a>
        <a href="#memoranda">{t("catalogue.memoranda")}</a>
        <a href="#calendar">{t("catalogue.calendar")}</a>
      </nav>
      <QueryState fetching={fetching && !data} error={error} />
      {data && (
        <>
          <Lists lists={data.creditLists} admin={admin} />
          <Measures measures={data.measures} admin={admin} />
          <Memoranda memoranda={data.memoranda} admin={admin} lists={data.creditLists} measures={data.measures} />
        </>
      )}
      <Calendar admin={admin} />
    </>
  );
}

/** "Change" on a row: the row's form below, scrolled into view. */
function useEditing<T>(formId: string) {
  const [editing, setEditing] = useState<T | null>(null);
  const [version, setVersion] = useState(0);
  const edit = (row: T | null) => {
    setEditing(row);
    setVersion((v) => v + 1);
    requestAnimationFrame(() => document.getElementById(formId)?.scrollIntoView({ block: "start" }));
  };
  return { editing, key: version, edit };
}

function EditButton({ code, onClick }: { code: string; onClick: () => void }) {
  const { t } = useTranslation();
  return <button type="button" className="link" onClick={onClick} aria-label={`${t("admin.edit")} ${code}`}>{t("admin.edit")}</button>;
}

function Lists({ lists, admin }: { lists: CreditList[]; admin: boolean }) {
  const { t } = useTranslation();
  const form = useEditing<CreditList>("list-form");
  const days = (n: number | null | undefined) => (n == null ? "—" : t("common.days", { count: n }));
  const columns: Columns<CreditList> = [
    { header: t("catalogue.list"), accessorKey: "name", cell: ({ row }) => <span>{row.original.name}<br /><code>{row.original.code}</code></span> },
    { header: t("listing.kind"), accessorKey: "kind", cell: ({ row }) => t(`enum.ListKind.${row.original.kind}`) },
    { header: t("listing.authority"), accessorKey: "authority" },
    { header: t("catalogue.duration"), accessorFn: (l) => l.defaultDurationDays ?? -1, cell: ({ row }) => row.original.openEnded ? t("listing.openEnded") : `${days(row.original.defaultDurationDays)} / ${days(row.original.maxDurationDays)}` },
    { header: t("catalogue.publicity"), accessorKey: "publicityWorkingDays", cell: ({ row }) => t("common.workingDays", { count: row.original.publicityWorkingDays }) },
    { header: t("catalogue.extension"), accessorKey: "extendable", cell: ({ row }) => row.original.extendable ? days(row.original.maxExtensionDays) : t("common.no") },
    { header: t("catalogue.repair"), accessorKey: "repairMinDays", cell: ({ row }) => days(row.original.repairMinDays) },
    { header: t("catalogue.objectionSuspends"), accessorKey: "objectionSuspends", cell: ({ row }) => row.original.objectionSuspends ? t("common.yes") : t("common.no") },
    { header: t("catalogue.admits"), accessorFn: (l) => l.admits.join(","), cell: ({ row }) => row.original.admits.map((k) => t(`enum.SubjectKind.${k}`)).join("、") },
    { header: t("catalogue.legalBasis"), accessorKey: "legalBasis" },
    ...(admin ? [{ header: t("admin.actions"), id: "edit", enableSorting: false,
                   cell: ({ row }: { row: { original: CreditList } }) => <EditButton code={row.original.code} onClick={() => form.edit(row.original)} /> }] : []),
  ];
  return (
    <section id="lists" aria-labelledby="lists-h">
      <h2 id="lists-h">{t("catalogue.lists")}</h2>
      <DataTable caption={t("catalogue.listsCaption")} columns={columns} data={lists} pageSize={20} testId="credit-lists" />
      {admin && <CreditListForm key={form.key} editing={form.editing} onDone={() => form.edit(null)} />}
    </section>
  );
}

function Measures({ measures, admin }: { measures: Measure[]; admin: boolean }) {
  const { t } = useTranslation();
  const form = useEditing<Measure>("measure-form");
  const columns: Columns<Measure> = [
    { header: t("measure.code"), accessorKey: "code", cell: ({ row }) => <code>{row.original.code}</code> },
    { header: t("measure.name"), accessorKey: "name" },
    { header: t("measure.purpose"), accessorKey: "purpose", cell: ({ row }) => t(`enum.Purpose.${row.original.purpose}`) },
    { header: t("measure.effect"), accessorKey: "effect", cell: ({ row }) => t(`enum.MeasureEffect.${row.original.effect}`) },
    ...(admin ? [{ header: t("admin.actions"), id: "edit", enableSorting: false,
                   cell: ({ row }: { row: { original: Measure } }) => <EditButton code={row.original.code} onClick={() => form.edit(row.original)} /> }] : []),
  ];
  return (
    <section id="measures" aria-labelledby="measures-h">
      <h2 id="measures-h">{t("catalogue.measures")}</h2>
      <DataTable caption={t("catalogue.measuresCaption")} columns={columns} data={measures} pageSize={20} testId="measures" />
      {admin && <MeasureForm key={form.key} editing={form.editing} onDone={() => form.edit(null)} />}
    </section>
  );
}

function Memoranda({ memoranda, admin, lists, measures }: { memoranda: Memo[]; admin: boolean; lists: CreditList[]; measures: Measure[] }) {
  const { t } = useTranslation();
  const form = useEditing<Memo>("memo-form");
  const columns: Columns<Memo> = [
    { header: t("catalogue.memorandum"), accessorKey: "name", cell: ({ row }) => <span>{row.original.name}<br /><code>{row.original.code}</code></span> },
    { header: t("catalogue.signatories"), accessorFn: (m) => m.signatories.join(", ") },
    { header: t("catalogue.validFrom"), accessorKey: "validFrom", cell: ({ row }) => <When value={row.original.validFrom} /> },
    { header: t("catalogue.validUntil"), accessorKey: "validUntil", cell: ({ row }) => <When value={row.original.validUntil} /> },
    { header: t("catalogue.bindings"), enableSorting: false, accessorFn: (m) => m.bindings.length, cell: ({ row }) => (
      <ul className="bindings">
        {row.original.bindings.map((b) => (
          <li key={`${b.listCode}-${b.measureCode}`}>
            <code>{b.listCode}</code> → <code>{b.measureCode}</code>
            {b.extendsTo.length > 0 && <span className="muted"> ({t("catalogue.extendsTo")} {b.extendsTo.map((r) => t(`enum.Role.${r}`)).join("、")})</span>}
          </li>
        ))}
      </ul>
    ) },
    ...(admin ? [{ header: t("admin.actions"), id: "edit", enableSorting: false,
                   cell: ({ row }: { row: { original: Memo } }) => <EditButton code={row.original.code} onClick={() => form.edit(row.original)} /> }] : []),
  ];
  return (
    <section id="memoranda" aria-labelledby="memoranda-h">
      <h2 id="memoranda-h">{t("catalogue.memoranda")}</h2>
      <DataTable caption={t("catalogue.memorandaCaption")} columns={columns} data={memoranda} pageSize={10} testId="memoranda" />
      {admin && <MemorandumForm key={form.key} editing={form.editing} lists={lists} measures={measures} onDone={() => form.edit(null)} />}
    </section>
  );
}

function Calendar({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const [year, setYear] = useState(() => Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric" }).format(new Date())));
  // An empty year has no CalendarDay in its answer; name the type so setCalendarDay refreshes it.
  const context = useMemo(() => ({ additionalTypenames: ["CalendarDay"] }), []);
  const [{ data, fetching, error }] = useQuery({ query: CALENDAR, variables: { from: `${year}-01-01`, to: `${year}-12-31` }, context });
  const columns: Columns<CalendarDay> = [
    { header: t("calendar.day"), accessorKey: "day", cell: ({ row }) => <Day value={row.original.day} /> },
    { header: t("calendar.kind"), accessorKey: "working", cell: ({ row }) => row.original.working ? t("calendar.makeUp") : t("calendar.holiday") },
    { header: t("calendar.name"), accessorKey: "name" },
  ];
  return (
    <section id="calendar" aria-labelledby="calendar-h">
      <h2 id="calendar-h">{t("catalogue.calendar")}</h2>
      <p className="muted">{t("calendar.explain")}</p>
      <div className="buttons" role="group" aria-label={t("calendar.year")}>
        <button type="button" onClick={() => setYear(year - 1)}>{t("calendar.yearBefore", { year: year - 1 })}</button>
        <strong aria-live="polite">{year}</strong>
        <button type="button" onClick={() => setYear(year + 1)}>{t("calendar.yearAfter", { year: year + 1 })}</button>
      </div>
      <QueryState fetching={fetching && !data} error={error} />
      {data && <DataTable caption={t("calendar.caption", { year })} columns={columns} data={data.workingCalendar} pageSize={31} empty={t("calendar.none")} testId="calendar" />}
      {admin && <CalendarDayForm />}
    </section>
  );
}

function CalendarDayForm() {
  const { t } = useTranslation();
  const [state, setDay] = useMutation(SET_DAY);
  const errors = useFormErrors(DAY_FIELDS);
  const { register, handleSubmit } = useForm<{ day: string; working: "yes" | "no"; name: string }>({
    defaultValues: { day: "", working: "no", name: "" } });
  const submit = handleSubmit(async (v) => {
    errors.show((await setDay({ day: v.day, working: v.working === "yes", name: v.name })).error);
  });
  return (
    <form onSubmit={submit} aria-labelledby="calendar-form-h" className="action">
      <h3 id="calendar-form-h">{t("calendar.set")}</h3>
      <ErrorList errors={errors.general} />
      <Field label={t("calendar.day")} error={errors.byField.day}><input type="date" {...register("day")} required /></Field>
      <Field label={t("calendar.kind")} error={errors.byField.working}>
        <select {...register("working")}>
          <option value="no">{t("calendar.holiday")}</option>
          <option value="yes">{t("calendar.makeUp")}</option>
        </select>
      </Field>
      <Field label={t("calendar.name")} error={errors.byField.name}><input {...register("name")} /></Field>
      <button type="submit" className="primary" disabled={state.fetching}>{t("common.save")}</button>
      {state.data && !state.error && <p role="status">{t("common.saved")}</p>}
    </form>
  );
}
