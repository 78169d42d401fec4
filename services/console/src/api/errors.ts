// Typed GraphQL errors (`extensions.code`, `extensions.field`) as the forms show them: each beside
// the field it names, the rest at the top of the form.
import { useCallback, useState } from "react";
import type { CombinedError } from "urql";

export interface TypedError {
  code: string;
  field?: string;
  message: string;
}

export function typedErrors(error: CombinedError | undefined): TypedError[] {
  if (!error) return [];
  if (error.graphQLErrors.length) {
    return error.graphQLErrors.map((e) => ({
      code: String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR"),
      field: typeof e.extensions?.field === "string" ? e.extensions.field : undefined,
      message: e.message,
    }));
  }
  return [{ code: "NETWORK", message: error.networkError?.message ?? error.message }];
}

/** Errors whose field is one of `fields` go to that field; the others stay with the form. */
export function splitByField(errors: TypedError[], fields: readonly string[]) {
  const byField: Record<string, TypedError> = {};
  const general: TypedError[] = [];
  for (const e of errors) {
    if (e.field && fields.includes(e.field) && !byField[e.field]) byField[e.field] = e;
    else general.push(e);
  }
  return { byField, general };
}

/**
 * Error state of one form: `fields` are the input fields it has (API names, dotted for nested
 * inputs); `aliases` maps a field name an API error uses to the form's own name for it.
 */
export function useFormErrors(fields: readonly string[], aliases: Record<string, string> = {}) {
  const [state, setState] = useState<{ byField: Record<string, TypedError>; general: TypedError[] }>(
    { byField: {}, general: [] });
  const show = useCallback((error: CombinedError | undefined) => {
    const errors = typedErrors(error).map((e) => (e.field && aliases[e.field] ? { ...e, field: aliases[e.field] } : e));
    setState(splitByField(errors, fields));
    return errors.length === 0;
  }, [fields, aliases]);
  const clear = useCallback(() => setState({ byField: {}, general: [] }), []);
  return { ...state, show, clear };
}
