// The actions on a listing that exist in the API today: lift, extend, file and resolve objections.
// Each form shows the API's typed errors beside the fields they name.
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";

import { useFormErrors } from "../api/errors";
import { graphql } from "../gql";
import type { LiftReason, ObjectionOutcome } from "../gql/graphql";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { shanghaiMidnight, When } from "../ui/When";
import { LEGAL_DOCUMENT_FIELDS, LegalDocumentFields, type LegalDocumentValues } from "./LegalDocumentFields";
import type { PageListing } from "./ListingPage";

const LIFT = graphql(`
  mutation LiftListing($input: LiftListingInput!) { liftListing(input: $input) { id status endReason } }
`);
const EXTEND = graphql(`
  mutation ExtendListing($input: ExtendListingInput!) { extendListing(input: $input) { id status effectiveUntil } }
`);
const FILE_OBJECTION = graphql(`
  mutation FileObjection($input: FileObjectionInput!) {
    fileObjection(input: $input) { id status suspends listing { id status objections { id status } } }
  }
`);
const APPLY_FOR_REPAIR = graphql(`
  mutation ApplyForRepair($input: ApplyForRepairInput!) {
    applyForRepair(input: $input) { id status statement appliedAt decidedAt reason listing { id status } }
  }
`);
const RESOLVE_OBJECTION = graphql(`
  mutation ResolveObjection($input: ResolveObjectionInput!) {
    resolveObjection(input: $input) { id status resolvedAt reason listing { id status } }
  }
`);

const LIFT_REASONS: LiftReason[] = ["FULFILLED", "REPAIRED", "ERROR", "COURT_ORDER", "SUBJECT_DISSOLVED", "SUBJECT_DECEASED", "OTHER"];
const LIFT_FIELDS = ["reason", "note"] as const;
const EXTEND_FIELDS = ["effectiveUntil", ...LEGAL_DOCUMENT_FIELDS] as const;
// extendListing names its end field `until` in errors, `effectiveUntil` in its input.
const EXTEND_ALIASES = { until: "effectiveUntil" };
const GROUNDS_FIELDS = ["grounds"] as const;
const STATEMENT_FIELDS = ["statement"] as const;
const RESOLVE_FIELDS = ["outcome", "reason"] as const;

export function LiftForm({ listing }: { listing: PageListing }) {
  const { t } = useTranslation();
  const [state, lift] = useMutation(LIFT);
  const errors = useFormErrors(LIFT_FIELDS);
  const { register, handleSubmit } = useForm<{ reason: LiftReason; note: string }>({ defaultValues: { reason: "FULFILLED", note: "" } });
  const submit = handleSubmit(async (v) => {
    const result = await lift({ input: { listingId: listing.id, reason: v.reason, note: v.note.trim() || null } });
    errors.show(result.error);
  });
  return (
    <form onSubmit={submit} aria-labelledby="lift-h" className="action">
      <h3 id="lift-h">{t("lift.title")}</h3>
      <ErrorList errors={errors.general} />
      <Field label={t("lift.reason")} error={errors.byField.reason}>
        <select {...register("reason")}>
          {LIFT_REASONS.map((r) => <option key={r} value={r}>{t(`enum.LiftReason.${r}`)}</option>)}
        </select>
      </Field>
      <Field label={t("lift.note")} error={errors.byField.note}><textarea {...register("note")} rows={2} /></Field>
      <button type="submit" className="danger" disabled={state.fetching}>{t("lift.submit")}</button>
    </form>
  );
}

export function ExtendForm({ listing }: { listing: PageListing }) {
  const { t } = useTranslation();
  const [state, extend] = useMutation(EXTEND);
  const errors = useFormErrors(EXTEND_FIELDS, EXTEND_ALIASES);
  const { register, handleSubmit } = useForm<{ effectiveUntil: string; legalBasis: LegalDocumentValues }>();
  const submit = handleSubmit(async (v) => {
    const doc = v.legalBasis;
    const anyDoc = doc.number || doc.kind || doc.issuedOn || doc.authority;
    const result = await extend({ input: {
      listingId: listing.id,
      effectiveUntil: v.effectiveUntil ? shanghaiMidnight(v.effectiveUntil) : "",
      legalBasis: anyDoc ? doc : null,
    } });
    errors.show(result.error);
  });
  return (
    <form onSubmit={submit} aria-labelledby="extend-h" className="action">
      <h3 id="extend-h">{t("extend.title")}</h3>
      <p className="muted">
        {listing.list.maxExtensionDays != null ? t("extend.bound", { days: listing.list.maxExtensionDays }) : t("extend.unbounded")}
      </p>
      <ErrorList errors={errors.general} />
      <Field label={t("extend.until")} error={errors.byField.effectiveUntil} hint={t("common.dateMeansMidnight")}>
        <input type="date" {...register("effectiveUntil")} required />
      </Field>
      <LegalDocumentFields register={register} errors={errors.byField} required={false} />
      <button type="submit" className="primary" disabled={state.fetching}>{t("extend.submit")}</button>
    </form>
  );
}

export function FileObjectionForm({ listing, headingId = "object-h" }: { listing: { id: string }; headingId?: string }) {
  const { t } = useTranslation();
  const [state, file] = useMutation(FILE_OBJECTION);
  const errors = useFormErrors(GROUNDS_FIELDS);
  const { register, handleSubmit, reset } = useForm<{ grounds: string }>({ defaultValues: { grounds: "" } });
  const submit = handleSubmit(async (v) => {
    const result = await file({ input: { listingId: listing.id, grounds: v.grounds } });
    if (errors.show(result.error)) reset();
  });
  return (
    <form onSubmit={submit} aria-labelledby={headingId} className="action">
      <h3 id={headingId}>{t("objection.file")}</h3>
      <ErrorList errors={errors.general} />
      <Field label={t("objection.grounds")} error={errors.byField.grounds}><textarea {...register("grounds")} rows={3} /></Field>
      <button type="submit" className="primary" disabled={state.fetching}>{t("objection.fileSubmit")}</button>
    </form>
  );
}

export function ResolveObjectionForm({ objection, highlight = false }: { objection: PageListing["objections"][number]; highlight?: boolean }) {
  const { t } = useTranslation();
  const [state, resolve] = useMutation(RESOLVE_OBJECTION);
  const errors = useFormErrors(RESOLVE_FIELDS);
  const { register, handleSubmit } = useForm<{ outcome: ObjectionOutcome; reason: string }>({ defaultValues: { outcome: "DISMISSED", reason: "" } });
  const submit = handleSubmit(async (v) => {
    const result = await resolve({ input: { objectionId: objection.id, outcome: v.outcome, reason: v.reason.trim() || null } });
    errors.show(result.error);
  });
  const headingId = `resolve-${objection.id}`;
  return (
    <form onSubmit={submit} aria-labelledby={headingId} className={`action${highlight ? " highlight" : ""}`} id={`objection-${objection.id}`}>
      <h3 id={headingId}>{t("objection.resolve")}</h3>
      <blockquote>{objection.grounds}</blockquote>
      <ErrorList errors={errors.general} />
      <fieldset>
        <legend>{t("objection.outcome")}</legend>
        {(["UPHELD", "DISMISSED"] as const).map((o) => (
          <label key={o} className="inline">
            <input type="radio" value={o} {...register("outcome")} /> {t(`objection.outcomes.${o}`)}
          </label>
        ))}
        {errors.byField.outcome && <p className="error">{errors.byField.outcome.message}</p>}
      </fieldset>
      <Field label={t("objection.reason")} error={errors.byField.reason}><textarea {...register("reason")} rows={2} /></Field>
      <button type="submit" className="primary" disabled={state.fetching}>{t("objection.resolveSubmit")}</button>
    </form>
  );
}

/** Apply for credit repair; the answer (PENDING) is shown, as the API returns it. */
export function ApplyForRepairForm({ listing, headingId = "repair-apply-h" }: { listing: { id: string }; headingId?: string }) {
  const { t } = useTranslation();
  const [state, apply] = useMutation(APPLY_FOR_REPAIR);
  const errors = useFormErrors(STATEMENT_FIELDS);
  const { register, handleSubmit } = useForm<{ statement: string }>({ defaultValues: { statement: "" } });
  const submit = handleSubmit(async (v) => {
    const result = await apply({ input: { listingId: listing.id, statement: v.statement } });
    errors.show(result.error);
  });
  const applied = state.data?.applyForRepair;
  if (applied && !state.error) {
    return (
      <section aria-labelledby={headingId} className="review" role="status" data-testid="repair-applied">
        <h3 id={headingId}>{t("repair.applied")}</h3>
        <dl className="facts">
          <dt>{t("repair.status")}</dt><dd>{t(`enum.RepairStatus.${applied.status}`)}</dd>
          <dt>{t("repair.statement")}</dt><dd>{applied.statement}</dd>
          <dt>{t("repair.appliedAt")}</dt><dd><When value={applied.appliedAt} /></dd>
          <dt>{t("repair.application")}</dt><dd><code className="id">{applied.id}</code></dd>
        </dl>
        <p className="muted">{t("repair.followHint")}</p>
      </section>
    );
  }
  return (
    <form onSubmit={submit} aria-labelledby={headingId} className="action">
      <h3 id={headingId}>{t("repair.apply")}</h3>
      <p className="muted">{t("repair.applyHint")}</p>
      <ErrorList errors={errors.general} />
      <Field label={t("repair.statement")} error={errors.byField.statement}><textarea {...register("statement")} rows={3} /></Field>
      <button type="submit" className="primary" disabled={state.fetching}>{t("repair.applySubmit")}</button>
    </form>
  );
}
