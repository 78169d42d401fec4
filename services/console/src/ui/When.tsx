// Instants shown in Asia/Shanghai; the exact instant with its UTC offset on hover.
import { useTranslation } from "react-i18next";

const ZONE = "Asia/Shanghai";

function offsetIso(date: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset",
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const offset = get("timeZoneName").replace("GMT", "") || "+00:00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}${offset}`;
}

export function When({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  const { t, i18n } = useTranslation();
  if (!value) return <span className="muted">{t("common.none")}</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const english = i18n.language.startsWith("en");
  const shown = new Intl.DateTimeFormat(english ? "en-GB" : "zh-CN", {
    timeZone: ZONE, year: "numeric", month: english ? "short" : "2-digit", day: english ? "numeric" : "2-digit",
    ...(dateOnly ? {} : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  }).format(date);
  const exact = offsetIso(date);
  return (
    <time dateTime={value} title={`${exact} (${ZONE})`}>
      {shown}
    </time>
  );
}

/** A calendar date (GraphQL `Date`, YYYY-MM-DD): no time zone to convert. */
export function Day({ value }: { value: string | null | undefined }) {
  const { t } = useTranslation();
  if (!value) return <span className="muted">{t("common.none")}</span>;
  return <time dateTime={value}>{value}</time>;
}

/** A date picked in a form as the instant it names: 00:00 in Asia/Shanghai (DESIGN.md). */
export function shanghaiMidnight(day: string): string {
  return `${day}T00:00:00+08:00`;
}
