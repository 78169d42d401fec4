import { useTranslation } from "react-i18next";

import type { ListingStatus } from "../gql/graphql";

export function Status({ status }: { status: ListingStatus }) {
  const { t } = useTranslation();
  return <span className={`status status-${status.toLowerCase()}`}>{t(`enum.ListingStatus.${status}`)}</span>;
}
