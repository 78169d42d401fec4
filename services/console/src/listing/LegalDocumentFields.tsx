// The four fields of a LegalDocumentInput, named as the API names them (`legalBasis.number`, ...).
import type { UseFormRegister } from "react-hook-form";
import { useTranslation } from "react-i18next";

import type { TypedError } from "../api/errors";
import { Field } from "../ui/Field";

export const LEGAL_DOCUMENT_FIELDS = ["legalBasis.number", "legalBasis.kind", "legalBasis.issuedOn", "legalBasis.authority"] as const;

export interface LegalDocumentValues {
  number: string;
  kind: string;
  issuedOn: string;
  authority: string;
}

export function LegalDocumentFields({ register, errors, required = true }: {
  register: UseFormRegister<any>;
  errors: Record<string, TypedError>;
  required?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <fieldset>
      <legend>{t("listing.legalBasis")}</legend>
      <Field label={t("doc.number")} error={errors["legalBasis.number"]}><input {...register("legalBasis.number")} required={required} /></Field>
      <Field label={t("doc.kind")} error={errors["legalBasis.kind"]} hint={t("doc.kindHint")}><input {...register("legalBasis.kind")} required={required} /></Field>
      <Field label={t("doc.issuedOn")} error={errors["legalBasis.issuedOn"]}><input type="date" {...register("legalBasis.issuedOn")} required={required} /></Field>
      <Field label={t("doc.authority")} error={errors["legalBasis.authority"]}><input {...register("legalBasis.authority")} required={required} /></Field>
    </fieldset>
  );
}
