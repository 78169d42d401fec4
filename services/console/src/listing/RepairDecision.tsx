// Deciding a credit-repair application. The API has no query for an application: the work
// queue lists it (kind REPAIR_APPLICATION) and opens its listing with the application's id,
// where this form sits; `/repairs/:id` reaches it by the id alone. The application is shown as
// decideRepair returns it.
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useMutation } from "urql";

import { useFormErrors } from "../api/errors";
import { useSession } from "../auth/session";
import { graphql } from "../gql";
import { mayDecideRepairs } from "../permissions";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import { Status } from "../ui/Status";
import { When } from "../ui/When";

const DECIDE_REPAIR = graphql(`
  mutation DecideRepair($input: DecideRepairInput!) {
    decideRepair(input: $input) {
      id status statement appliedAt decidedAt reason
      listing { id status endReason list { name } }
    }
  }
`);

const FIELDS = ["approve", "reason"] as const;

export default function RepairDecision() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  return (
    <>
      <h1>{t("repair.title")}</h1>
      <RepairDecisionForm applicationId={id} />
    </>
  );
}

/** The decision on one application; `list` (when known) narrows who is offered it. */
export function RepairDecisionForm({ applicationId, list, headingLevel = 2 }: {
  applicationId: string;
  list?: { authority: string };
  headingLevel?: 2 | 3;
}) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [state, decide] = useMutation(DECIDE_REPAIR);
  const errors = useFormErrors(FIELDS);
  const { register, handleSubmit } = useForm<{ approve: "yes" | "no"; reason: string }>({ defaultValues: { approve: "yes", reason: "" } });
  const decided = state.data?.decideRepair;
  const H = headingLevel === 2 ? "h2" : "h3";
  const submit = handleSubmit(async (v) => {
    const result = await decide({ input: { applicationId, approve: v.approve === "yes", reason: v.reason.trim() || null } });
    errors.show(result.error);
  });
  return (
    <>
      <p>{t("repair.application")} <code className="id">{applicationId}</code></p>
      {decided ? (
        <section aria-labelledby="repair-done" role="status">
          <H id="repair-done">{t(`enum.RepairStatus.${decided.status}`)}</H>
          <dl className="facts">
            <dt>{t("repair.statement")}</dt><dd>{decided.statement}</dd>
            <dt>{t("repair.appliedAt")}</dt><dd><When value={decided.appliedAt} /></dd>
            <dt>{t("repair.decidedAt")}</dt><dd><When value={decided.decidedAt} /></dd>
            {decided.reason && <><dt>{t("repair.reason")}</dt><dd>{decided.reason}</dd></>}
            <dt>{t("listing.title")}</dt>
            <dd><Link to={`/listings/${decided.listing.id}`}>{decided.listing.list.name}</Link> <Status status={decided.listing.status} /></dd>
          </dl>
        </section>
      ) : mayDecideRepairs(session, list) ? (
        <form onSubmit={submit} aria-labelledby="repair-form" className="action">
          <H id="repair-form">{t("repair.decide")}</H>
          <ErrorList errors={errors.general} />
          <fieldset>
            <legend>{t("repair.decision")}</legend>
            <label className="inline"><input type="radio" value="yes" {...register("approve")} /> {t("repair.approve")}</label>
            <label className="inline"><input type="radio" value="no" {...register("approve")} /> {t("repair.reject")}</label>
          </fieldset>
          <Field label={t("repair.reason")} error={errors.byField.reason}><textarea {...register("reason")} rows={3} /></Field>
          <button type="submit" className="primary" disabled={state.fetching}>{t("repair.submit")}</button>
        </form>
      ) : <p>{t("repair.notYours")}</p>}
    </>
  );
}
