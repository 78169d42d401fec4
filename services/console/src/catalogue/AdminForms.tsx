// The admin's forms over the catalogue mutations API.md and the schema allow: upsertCreditList,
// upsertMeasure, upsertMemorandum (setCalendarDay sits with the calendar). Each starts empty
// (a new code) or from a row being changed; each typed error sits beside the field it names.
import { useFieldArray, useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";

import { useFormErrors } from "../api/errors";
import { graphql } from "../gql";
import type { CatalogueQuery, ListKind, MeasureEffect, Purpose, Role, SubjectKind } from "../gql/graphql";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { shanghaiDay, shanghaiMidnight } from "../ui/When";
import { PURPOSES, ROLES, SUBJECT_KINDS } from "./options";

const UPSERT_LIST = graphql(`
  mutation UpsertCreditList($input: CreditListInput!) {
    upsertCreditList(input: $input) {
      code name kind authority legalBasis defaultDurationDays maxDurationDays openEnded publicityWorkingDays
      objectionSuspends objectionChannel admits extendable maxExtensionDays repairMinDays
    }
  }
`);

const UPSERT_MEASURE = graphql(`
  mutation UpsertMeasure($input: MeasureInput!) { upsertMeasure(input: $input) { code name purpose effect } }
`);

const UPSERT_MEMORANDUM = graphql(`
  mutation UpsertMemorandum($input: MemorandumInput!) {
    upsertMemorandum(input: $input) { code name signatories validFrom validUntil bindings { listCode measureCode extendsTo } }
  }
`);

export type CreditList = CatalogueQuery["creditLists"][number];
export type Measure = CatalogueQuery["measures"][number];
export type Memo = CatalogueQuery["memoranda"][number];

/** Empty number inputs are null (the API's "not set"); anything else goes as typed. */
const numberOrNull = { setValueAs: (v: unknown) => (v === "" || v == null ? null : Number(v)) };

const LIST_FIELDS = ["code", "name", "kind", "authority", "legalBasis", "admits", "objectionChannel", "defaultDurationDays",
  "maxDurationDays", "openEnded", "publicityWorkingDays", "objectionSuspends", "extendable", "maxExtensionDays", "repairMinDays"] as const;

interface ListValues {
  code: string; name: string; kind: ListKind; authority: string; legalBasis: string; admits: SubjectKind[];
  objectionChannel: string; defaultDurationDays: number | null; maxDurationDays: number | null; openEnded: boolean;
  publicityWorkingDays: number | null; objectionSuspends: boolean; extendable: boolean; maxExtensionDays: number | null;
  repairMinDays: number | null;
}

function listValues(l: CreditList | null): ListValues {
  return l ? {
    code: l.code, name: l.name, kind: l.kind, authority: l.authority, legalBasis: l.legalBasis, admits: [...l.admits],
    objectionChannel: l.objectionChannel, defaultDurationDays: l.defaultDurationDays ?? null, maxDurationDays: l.maxDurationDays ?? null,
    openEnded: l.openEnded, publicityWorkingDays: l.publicityWorkingDays, objectionSuspends: l.objectionSuspends,
    extendable: l.extendable, maxExtensionDays: l.maxExtensionDays ?? null, repairMinDays: l.repairMinDays ?? null,
  } : {
    code: "", name: "", kind: "BLACKLIST", authority: "", legalBasis: "", admits: [], objectionChannel: "",
    defaultDurationDays: null, maxDurationDays: null, openEnded: false, publicityWorkingDays: 0, objectionSuspends: false,
    extendable: false, maxExtensionDays: null, repairMinDays: null,
  };
}

export function CreditListForm({ editing, onDone }: { editing: CreditList | null; onDone: () => void }) {
  const { t } = useTranslation();
  const [state, upsert] = useMutation(UPSERT_LIST);
  const errors = useFormErrors(LIST_FIELDS);
  const { register, handleSubmit } = useForm<ListValues>({ defaultValues: listValues(editing) });
  const submit = handleSubmit(async (v) => {
    const input = { ...v, code: v.code.trim(), authority: v.authority.trim(), publicityWorkingDays: v.publicityWorkingDays ?? 0 };
    errors.show((await upsert({ input })).error);
  });
  const e = errors.byField;
  return (
    <form onSubmit={submit} aria-labelledby="list-form-h" className="action wide" id="list-form" data-testid="list-form">
      <h3 id="list-form-h">{editing ? t("admin.editList", { code: editing.code }) : t("admin.newList")}</h3>
      <ErrorList errors={errors.general} />
      <div className="grid2">
        <Field label={t("admin.code")} error={e.code} hint={editing ? t("admin.codeFixed") : t("admin.codeHint")}>
          <input {...register("code")} required readOnly={!!editing} />
        </Field>
        <Field label={t("admin.name")} error={e.name}><input {...register("name")} required /></Field>
        <Field label={t("listing.kind")} error={e.kind}>
          <select {...register("kind")}>
            <option value="BLACKLIST">{t("enum.ListKind.BLACKLIST")}</option>
            <option value="REDLIST">{t("enum.ListKind.REDLIST")}</option>
          </select>
        </Field>
        <Field label={t("listing.authority")} error={e.authority} hint={t("admin.authorityHint")}><input {...register("authority")} required /></Field>
        <Field label={t("catalogue.legalBasis")} error={e.legalBasis}><input {...register("legalBasis")} required /></Field>
        <Field label={t("admin.objectionChannel")} error={e.objectionChannel}><input {...register("objectionChannel")} required /></Field>
        <Field label={t("admin.defaultDurationDays")} error={e.defaultDurationDays}><input type="number" {...register("defaultDurationDays", numberOrNull)} /></Field>
        <Field label={t("admin.maxDurationDays")} error={e.maxDurationDays}><input type="number" {...register("maxDurationDays", numberOrNull)} /></Field>
        <Field label={t("admin.publicityWorkingDays")} error={e.publicityWorkingDays}><input type="number" {...register("publicityWorkingDays", numberOrNull)} /></Field>
        <Field label={t("admin.repairMinDays")} error={e.repairMinDays} hint={t("admin.repairMinDaysHint")}><input type="number" {...register("repairMinDays", numberOrNull)} /></Field>
        <Field label={t("admin.maxExtensionDays")} error={e.maxExtensionDays}><input type="number" {...register("maxExtensionDays", numberOrNull)} /></Field>
      </div>
      <fieldset className={e.admits ? "has-error" : undefined}>
        <legend>{t("catalogue.admits")}</legend>
        {SUBJECT_KINDS.map((k) => (
          <label key={k} className="inline-check"><input type="checkbox" value={k} {...register("admits")} /> {t(`enum.SubjectKind.${k}`)}</label>
        ))}
        {e.admits && <p className="error" data-code={e.admits.code}>{e.admits.message}</p>}
      </fieldset>
      <fieldset>
        <legend>{t("admin.rules")}</legend>
        <label className="inline-check"><input type="checkbox" {...register("openEnded")} /> {t("admin.openEnded")}</label>
        <label className="inline-check"><input type="checkbox" {...register("objectionSuspends")} /> {t("admin.objectionSuspends")}</label>
        <label className="inline-check"><input type="checkbox" {...register("extendable")} /> {t("admin.extendable")}</label>
        {(["openEnded", "objectionSuspends", "extendable"] as const).map((f) => e[f] && <p key={f} className="error">{e[f].message}</p>)}
      </fieldset>
      <p className="muted">{t("admin.laterDecisions")}</p>
      <div className="buttons">
        <button type="submit" className="primary" disabled={state.fetching}>{t("common.save")}</button>
        {editing && <button type="button" onClick={onDone}>{t("admin.cancel")}</button>}
      </div>
      {state.data && !state.error && <p role="status">{t("common.saved")}</p>}
    </form>
  );
}

const MEASURE_FIELDS = ["code", "name", "purpose", "effect"] as const;

export function MeasureForm({ editing, onDone }: { editing: Measure | null; onDone: () => void }) {
  const { t } = useTranslation();
  const [state, upsert] = useMutation(UPSERT_MEASURE);
  const errors = useFormErrors(MEASURE_FIELDS);
  const { register, handleSubmit } = useForm<{ code: string; name: string; purpose: Purpose; effect: MeasureEffect }>({
    defaultValues: editing ? { code: editing.code, name: editing.name, purpose: editing.purpose, effect: editing.effect }
      : { code: "", name: "", purpose: "AIR_TRAVEL", effect: "RESTRICTION" } });
  const submit = handleSubmit(async (v) => { errors.show((await upsert({ input: v })).error); });
  return (
    <form onSubmit={submit} aria-labelledby="measure-form-h" className="action" id="measure-form">
      <h3 id="measure-form-h">{editing ? t("admin.editMeasure", { code: editing.code }) : t("catalogue.upsertMeasure")}</h3>
      <ErrorList errors={errors.general} />
      <Field label={t("measure.code")} error={errors.byField.code}><input {...register("code")} required readOnly={!!editing} /></Field>
      <Field label={t("measure.name")} error={errors.byField.name}><input {...register("name")} required /></Field>
      <Field label={t("measure.purpose")} error={errors.byField.purpose}>
        <select {...register("purpose")}>{PURPOSES.map((p) => <option key={p} value={p}>{t(`enum.Purpose.${p}`)}</option>)}</select>
      </Field>
      <Field label={t("measure.effect")} error={errors.byField.effect}>
        <select {...register("effect")}>
          <option value="RESTRICTION">{t("enum.MeasureEffect.RESTRICTION")}</option>
          <option value="INCENTIVE">{t("enum.MeasureEffect.INCENTIVE")}</option>
        </select>
      </Field>
      <div className="buttons">
        <button type="submit" className="primary" disabled={state.fetching}>{t("common.save")}</button>
        {editing && <button type="button" onClick={onDone}>{t("admin.cancel")}</button>}
      </div>
      {state.data && !state.error && <p role="status">{t("common.saved")}</p>}
    </form>
  );
}

const MEMO_FIELDS = ["code", "name", "signatories", "validFrom", "validUntil", "bindings"] as const;

interface MemoValues {
  code: string; name: string; signatories: string; validFrom: string; validUntil: string;
  bindings: { listCode: string; measureCode: string; extendsTo: Role[] }[];
}

export function MemorandumForm({ editing, lists, measures, onDone }: {
  editing: Memo | null; lists: CreditList[]; measures: Measure[]; onDone: () => void;
}) {
  const { t } = useTranslation();
  const [state, upsert] = useMutation(UPSERT_MEMORANDUM);
  const errors = useFormErrors(MEMO_FIELDS);
  const { register, handleSubmit, control } = useForm<MemoValues>({
    defaultValues: editing ? {
      code: editing.code, name: editing.name, signatories: editing.signatories.join(", "),
      validFrom: shanghaiDay(new Date(editing.validFrom)), validUntil: editing.validUntil ? shanghaiDay(new Date(editing.validUntil)) : "",
      bindings: editing.bindings.map((b) => ({ listCode: b.listCode, measureCode: b.measureCode, extendsTo: [...b.extendsTo] })),
    } : { code: "", name: "", signatories: "", validFrom: "", validUntil: "", bindings: [{ listCode: lists[0]?.code ?? "", measureCode: measures[0]?.code ?? "", extendsTo: [] }] },
  });
  const bindings = useFieldArray({ control, name: "bindings" });
  const submit = handleSubmit(async (v) => {
    const input = {
      code: v.code.trim(), name: v.name,
      signatories: v.signatories.split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean),
      validFrom: v.validFrom ? shanghaiMidnight(v.validFrom) : "",
      validUntil: v.validUntil ? shanghaiMidnight(v.validUntil) : null,
      bindings: v.bindings.map((b) => ({ listCode: b.listCode, measureCode: b.measureCode, extendsTo: b.extendsTo || [] })),
    };
    errors.show((await upsert({ input })).error);
  });
  const e = errors.byField;
  return (
    <form onSubmit={submit} aria-labelledby="memo-form-h" className="action wide" id="memo-form" data-testid="memo-form">
      <h3 id="memo-form-h">{editing ? t("admin.editMemo", { code: editing.code }) : t("admin.newMemo")}</h3>
      <ErrorList errors={errors.general} />
      <div className="grid2">
        <Field label={t("admin.code")} error={e.code}><input {...register("code")} required readOnly={!!editing} /></Field>
        <Field label={t("admin.name")} error={e.name}><input {...register("name")} required /></Field>
        <Field label={t("catalogue.signatories")} error={e.signatories} hint={t("admin.signatoriesHint")}><input {...register("signatories")} /></Field>
        <span />
        <Field label={t("catalogue.validFrom")} error={e.validFrom} hint={t("common.dateMeansMidnight")}><input type="date" {...register("validFrom")} required /></Field>
        <Field label={t("catalogue.validUntil")} error={e.validUntil} hint={t("admin.validUntilHint")}><input type="date" {...register("validUntil")} /></Field>
      </div>
      <fieldset className={e.bindings ? "has-error" : undefined} data-testid="memo-bindings">
        <legend>{t("catalogue.bindings")}</legend>
        {bindings.fields.map((f, i) => (
          <div key={f.id} className="binding">
            <Field label={t("admin.bindingList", { n: i + 1 })}>
              <select {...register(`bindings.${i}.listCode`)}>{lists.map((l) => <option key={l.code} value={l.code}>{l.name} ({l.code})</option>)}</select>
            </Field>
            <Field label={t("admin.bindingMeasure", { n: i + 1 })}>
              <select {...register(`bindings.${i}.measureCode`)}>{measures.map((m) => <option key={m.code} value={m.code}>{m.name} ({m.code})</option>)}</select>
            </Field>
            <fieldset className="extends">
              <legend>{t("admin.bindingExtends", { n: i + 1 })}</legend>
              {ROLES.map((r) => (
                <label key={r} className="inline-check"><input type="checkbox" value={r} {...register(`bindings.${i}.extendsTo`)} /> {t(`enum.Role.${r}`)}</label>
              ))}
            </fieldset>
            <button type="button" onClick={() => bindings.remove(i)}>{t("admin.removeBinding", { n: i + 1 })}</button>
          </div>
        ))}
        <button type="button" onClick={() => bindings.append({ listCode: lists[0]?.code ?? "", measureCode: measures[0]?.code ?? "", extendsTo: [] })}>
          {t("admin.addBinding")}
        </button>
        {e.bindings && <p className="error" data-code={e.bindings.code}>{e.bindings.message}</p>}
      </fieldset>
      <div className="buttons">
        <button type="submit" className="primary" disabled={state.fetching}>{t("common.save")}</button>
        {editing && <button type="button" onClick={onDone}>{t("admin.cancel")}</button>}
      </div>
      {state.data && !state.error && <p role="status">{t("common.saved")}</p>}
    </form>
  );
}
