// A statutory deadline as the API gives it (`dueAt`, `overdue`), counted down for a person:
// "3 working days left", "due today", "overdue by 2 days". The deadline itself and whether it is
// overdue are the API's; the console only counts the days up to it, on the working calendar the
// API serves (`workingCalendar`: holidays and make-up days; otherwise Monday to Friday).
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { addDays, daysBetween, shanghaiDay, When } from "./When";

const CALENDAR = graphql(`
  query DeadlineCalendar($from: Date!, $to: Date!) { workingCalendar(from: $from, to: $to) { day working } }
`);

/** Exceptions to Monday-Friday: day -> working. */
export type WorkingCalendar = ReadonlyMap<string, boolean>;

/** The calendar exceptions from today to the last of `dueAts` (null until it is loaded). */
export function useWorkingCalendar(dueAts: (string | null | undefined)[]): WorkingCalendar | null {
  const today = shanghaiDay(new Date());
  const last = dueAts.filter((d): d is string => !!d).map((d) => lastDay(d)).sort().at(-1);
  const to = last && last > today ? last : today;
  const context = useMemo(() => ({ additionalTypenames: ["CalendarDay"] }), []);
  const [{ data }] = useQuery({ query: CALENDAR, variables: { from: today, to }, context });
  return useMemo(() => (data ? new Map(data.workingCalendar.map((d) => [d.day, d.working])) : null), [data]);
}

/** A deadline is the instant its period closes (00:00 Beijing time after its last day). */
function lastDay(dueAt: string): string {
  return shanghaiDay(new Date(new Date(dueAt).getTime() - 1));
}

function isWorking(day: string, calendar: WorkingCalendar): boolean {
  const known = calendar.get(day);
  if (known !== undefined) return known;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

export type Countdown =
  | { kind: "overdue"; days: number }
  | { kind: "today" }
  | { kind: "left"; workingDays: number }
  | { kind: "none" };

/** Working days after today up to the deadline's last day; days past it when overdue. */
export function countdown(dueAt: string | null | undefined, overdue: boolean, calendar: WorkingCalendar | null,
                          now: Date = new Date()): Countdown | null {
  if (!dueAt) return { kind: "none" };
  const today = shanghaiDay(now);
  const last = lastDay(dueAt);
  if (overdue) return { kind: "overdue", days: Math.max(1, daysBetween(last, today)) };
  if (last <= today) return { kind: "today" };
  if (!calendar) return null;
  let workingDays = 0;
  for (let day = addDays(today, 1); day <= last; day = addDays(day, 1)) {
    if (isWorking(day, calendar)) workingDays += 1;
  }
  return { kind: "left", workingDays };
}

export function Deadline({ dueAt, overdue, calendar }: {
  dueAt: string | null | undefined;
  overdue: boolean;
  calendar: WorkingCalendar | null;
}) {
  const { t } = useTranslation();
  const left = countdown(dueAt, overdue, calendar);
  let text = "";
  if (left?.kind === "overdue") text = t("deadline.overdue", { count: left.days });
  else if (left?.kind === "today") text = t("deadline.today");
  else if (left?.kind === "left") text = left.workingDays === 0 ? t("deadline.noWorkingDay") : t("deadline.left", { count: left.workingDays });
  else if (left?.kind === "none") text = t("deadline.none");
  return (
    <span className={`deadline${overdue ? " overdue" : ""}${left?.kind === "today" ? " today" : ""}`} data-testid="deadline">
      <strong>{text}</strong>
      {dueAt && <span className="muted due">{t("deadline.due")} <When value={dueAt} lastDay /></span>}
    </span>
  );
}
