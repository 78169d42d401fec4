// A subject code exactly as the API returned it; a masked person code links nowhere.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export function isMasked(code: string): boolean {
  return code.includes("*");
}

export function Code({ code, link = true }: { code: string; link?: boolean }) {
  const { t } = useTranslation();
  if (isMasked(code)) {
    return (
      <code className="code masked" title={t("common.maskedHint")}>
        {code}
      </code>
    );
  }
  if (!link) return <code className="code">{code}</code>;
  return (
    <Link to={`/subjects/${encodeURIComponent(code)}`}>
      <code className="code">{code}</code>
    </Link>
  );
}
