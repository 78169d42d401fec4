// Deciding a new listing from a subject's records: pick the list (those of the caller's agency
// that admit this kind of subject), the basis records and the legal document; review which
// measures it triggers and whom it reaches; confirm.
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";

import { useFormErrors } from "../api/errors";
import { useSession } from "../auth/session";
import { graphql } from "../gql";
import type { DecideContextQuery } from "../gql/graphql";
import { mayDecideOn } from "../permissions";
import { Code } from "../ui/Code";
import { ErrorList, ErrorText } from "../ui/Errors";
import { Field } from "../ui/Field";
import { QueryState } from "../ui/Loading";
import { Day, shanghaiMidnight } from "../ui/When";
import { LEGAL_DOCUMENT_FIELDS, LegalDocumentFields, type LegalDocumentValues } from "./LegalDocumentFields";
import { previewDecision } from "./preview";

const CONTEXT = graphql(`
  query DecideContext($code: ID!, $now: DateTime!) {
    subject(code: $code) {
      code kind name
      roles(at: $now) { id organizationCode personCode role since until }
      recordPage(first: 100) { nodes { id category summary agency occurredOn status } hasMore }
    }
    creditLists {
      code name kind authority admits defaultDurationDays maxDurationDays openEnded publicityWorkingDays objectionSuspends
    }
    memoranda { code name validFrom validUntil bindings { listCode measureCode extendsTo } }
    measures { code name purpose effect }
  }
`);

const DECIDE = graphql(`
  mutation DecideListing($input: DecideListingInput!) {
    decideListing(input: $input) { id status measures { code } derivedRestrictions { code } }
  }
`);

const FIELDS = ["listCode", "subjectCode", "basisRecordIds", "effectiveFrom", "effectiveUntil", ...LEGAL_DOCUMENT_FIELDS] as const;

export type DecideContext = DecideContextQuery;

interface DecideValues {
  listCode: string;
  basisRecordIds: string[];
  legalBasis: LegalDocumentValues;
  effectiveFrom: string;
  effectiveUntil: string;
}

export default function DecideListing() {
  const { t } = useTranslation();
  const { code = "" } = useParams();
  const { session } = useSession();
  const navigate = useNavigate();
  const [now] = useState(() => new Date().toISOString());
  const [{ data, fetching, error }] = useQuery({ query: CONTEXT, variables: { code, now } });
  const [decision, decide] = useMutation(DECIDE);
  const errors = useFormErrors(FIELDS);
  const [reviewing, setReviewing] = useState(false);
  const { register, handleSubmit, watch } = useForm<DecideValues>({
    defaultValues: { listCode: "", basisRecordIds: [], effectiveFrom: "", effectiveUntil: "",
                     legalBasis: { number: "", kind: "", issuedOn: "", authority: "" } },
  });
  const subject = data?.subject;
  const lists = useMemo(
    () => (data?.creditLists ?? []).filter((l) => mayDecideOn(session, l) && !!subject && l.admits.includes(subject.kind)),
    [data, session, subject],
  );
  const listCode = watch("listCode");
  const chosen = lists.find((l) => l.code === listCode);
  const preview = useMemo(() => (data && chosen ? previewDecision(data, chosen.code, new Date(now)) : null), [data, chosen, now]);

  if (!subject) {
    return (
      <>
        <h1>{t("decide.title")}</h1>
        <QueryState fetching={fetching} error={error} />
        {data && !error && <p role="status">{t("subject.notFound", { code })}</p>}
      </>
    );
  }

  const confirm = handleSubmit(async (v) => {
    const result = await decide({ input: {
      listCode: v.listCode, subjectCode: code, basisRecordIds: v.basisRecordIds,
      legalBasis: v.legalBasis,
      effectiveFrom: v.effectiveFrom ? shanghaiMidnight(v.effectiveFrom) : null,
      effectiveUntil: v.effectiveUntil ? shanghaiMidnight(v.effectiveUntil) : null,
    } });
    if (errors.show(result.error) && result.data) {
      navigate(`/listings/${result.data.decideListing.id}`);
    } else {
      setReviewing(false);
    }
  });

  return (
    <>
      <h1>{t("decide.title")}</h1>
      <p>{t("decide.for")} <strong>{subject.name}</strong> <Code code={subject.code} link={false} /></p>
      <QueryState fetching={false} error={error} />
      {lists.length === 0 ? (
        <p role="status">{t("decide.noLists")}</p>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (reviewing) void confirm(); else setReviewing(true); }}
              aria-labelledby="decide-h" className="decide">
          <h2 id="decide-h" className="visually-hidden">{t("decide.title")}</h2>
          <ErrorList errors={errors.general} />
          <div hidden={reviewing}>
            <Field label={t("decide.list")} error={errors.byField.listCode}>
              <select {...register("listCode")} required>
                <option value="">{t("decide.pickList")}</option>
                {lists.map((l) => <option key={l.code} value={l.code}>{l.name} ({l.code})</option>)}
              </select>
            </Field>
            {chosen && (
              <p className="muted" data-testid="list-rules">
                {t("decide.listRules", {
                  publicity: chosen.publicityWorkingDays,
                  duration: chosen.defaultDurationDays ?? "—",
                  max: chosen.maxDurationDays ?? "—",
                })}
              </p>
            )}
            <fieldset aria-describedby={errors.byField.basisRecordIds ? "basis-error" : undefined}>
              <legend>{t("decide.basis")}</legend>
              {subject.recordPage.nodes.length === 0 && <p className="muted">{t("record.none")}</p>}
              {subject.recordPage.nodes.map((r) => (
                <label key={r.id} className="record-pick">
                  <input type="checkbox" value={r.id} {...register("basisRecordIds")} />
                  <span><Day value={r.occurredOn} /> · {t(`enum.RecordCategory.${r.category}`)} · {r.agency} · {t(`enum.RecordStatus.${r.status}`)}<br />{r.summary}</span>
                </label>
              ))}
              {subject.recordPage.hasMore && <p className="muted">{t("decide.moreRecords")}</p>}
              {errors.byField.basisRecordIds && <ErrorText error={errors.byField.basisRecordIds} id="basis-error" />}
            </fieldset>
            <LegalDocumentFields register={register} errors={errors.byField} />
            <fieldset>
              <legend>{t("decide.window")}</legend>
              <Field label={t("listing.effectiveFrom")} error={errors.byField.effectiveFrom} hint={t("decide.fromHint")}>
                <input type="date" {...register("effectiveFrom")} />
              </Field>
              <Field label={t("listing.effectiveUntil")} error={errors.byField.effectiveUntil} hint={t("decide.untilHint")}>
                <input type="date" {...register("effectiveUntil")} />
              </Field>
            </fieldset>
            {errors.byField.subjectCode && <ErrorText error={errors.byField.subjectCode} />}
            <button type="submit" className="primary" disabled={!chosen}>{t("decide.review")}</button>
          </div>
          {reviewing && chosen && preview && (
            <section aria-labelledby="review-h" className="review" data-testid="decision-preview">
              <h2 id="review-h">{t("decide.reviewTitle", { list: chosen.name })}</h2>
              <p className="muted">{t("decide.previewNote")}</p>
              <h3>{t("listing.measures")}</h3>
              {preview.measures.length === 0 ? <p>{t("decide.noMeasures")}</p> : (
                <ul>
                  {preview.measures.map((m) => (
                    <li key={m.code}>{m.name} — {t(`enum.Purpose.${m.purpose}`)}, {t(`enum.MeasureEffect.${m.effect}`)} <span className="muted">({m.memoranda.join(", ")})</span></li>
                  ))}
                </ul>
              )}
              <h3>{t("listing.reach")}</h3>
              {preview.reaches.length === 0 ? <p>{t("listing.reachNone")}</p> : (
                <ul>
                  {preview.reaches.map((r) => <li key={r.id}><Code code={r.personCode} link={false} /> — {t(`enum.Role.${r.role}`)}</li>)}
                </ul>
              )}
              <div className="buttons">
                <button type="button" onClick={() => setReviewing(false)}>{t("common.back")}</button>
                <button type="submit" className="primary" disabled={decision.fetching}>{t("decide.confirm")}</button>
              </div>
            </section>
          )}
        </form>
      )}
      <p><Link to={`/subjects/${encodeURIComponent(code)}`}>{t("decide.backToFile")}</Link></p>
    </>
  );
}
