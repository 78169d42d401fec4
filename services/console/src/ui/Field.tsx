// A labelled form control with its typed error beside it (aria-describedby points at the error).
import { useId, type ReactElement, cloneElement } from "react";

import type { TypedError } from "../api/errors";
import { ErrorText } from "./Errors";

export function Field({ label, error, hint, children }: {
  label: string;
  error?: TypedError | { code: string; message: string };
  hint?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint && <small id={hintId} className="muted">{hint}</small>}
      {error && <ErrorText error={error} id={errorId} />}
    </div>
  );
}
