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

/**
 * An instant in Beijing time. `lastDay`: the instant closes a period (00:00 after its last day),
 * so show the day before it; the exact instant stays on hover.
 */
export function When({ value, dateOnly = false, lastDay = false }: { value: string | null | undefined; dateOnly?: boolean; lastDay?: boolean }) {
  const { t, i18n } = useTranslation();
  if (!value) return <span className="muted">{t("common.none")}</span>;
  const exactDate = new Date(value);
  const date = lastDay ? new Date(exactDate.getTime() - 1) : exactDate;
  if (lastDay) dateOnly = true;
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const english = i18n.language.startsWith("en");
  const shown = new Intl.DateTimeFormat(english ? "en-GB" : "zh-CN", {
    timeZone: ZONE, year: "numeric", month: english ? "short" : "2-digit", day: english ? "numeric" : "2-digit",
    ...(dateOnly ? {} : { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  }).format(date);
  const exact = offsetIso(exactDate);
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

/** The calendar day (YYYY-MM-DD) an instant falls on in Asia/Shanghai. */
export function shanghaiDay(date: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** `day` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  const utc = (s: string) => { const [y, m, d] = s.split("-").map(Number); return Date.UTC(y, m - 1, d); };
  return Math.round((utc(to) - utc(from)) / 86400e3);
}
