import { useTranslation } from "react-i18next";

import type { TypedError } from "../api/errors";

/** One typed error: the code's meaning in the user's language, then the API's own message. */
export function ErrorText({ error, id }: { error: TypedError; id?: string }) {
  const { t } = useTranslation();
  const known = t(`errors.${error.code}`, { defaultValue: "" });
  return (
    <span className="error" id={id} data-code={error.code}>
      <strong>{known || error.code}</strong> <span className="error-message">{error.message}</span>
    </span>
  );
}

export function ErrorList({ errors }: { errors: TypedError[] }) {
  if (!errors.length) return null;
  return (
    <div role="alert" className="alert">
      {errors.map((e, i) => (
        <p key={i}>
          <ErrorText error={e} />
        </p>
      ))}
    </div>
  );
}
