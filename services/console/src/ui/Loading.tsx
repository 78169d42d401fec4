import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";

import { typedErrors } from "../api/errors";
import { ErrorList } from "./Errors";

/** What a page shows while its query runs or when it failed. */
export function QueryState({ fetching, error }: { fetching: boolean; error?: CombinedError }) {
  const { t } = useTranslation();
  if (error) return <ErrorList errors={typedErrors(error)} />;
  if (fetching) return <p className="muted" aria-busy="true">{t("common.loading")}</p>;
  return null;
}
