// The overview's charts (Observable Plot), loaded after the tables they stand beside: each
// chart is one image to assistive technology, and the table next to it carries the same
// numbers as text.
import * as Plot from "@observablehq/plot";
import { useEffect, useRef } from "react";

const ACCENT = "#0b5cad";

/** Whole-number ticks for counts (no 0.5 of a listing). */
function countTicks(max: number): number[] | undefined {
  return max <= 10 ? Array.from({ length: Math.max(1, max) + 1 }, (_, i) => i) : undefined;
}

function usePlot(render: (width: number) => (SVGSVGElement | HTMLElement), label: string, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const chart = render(Math.max(320, host.clientWidth || 560));
    const svg = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector("svg");
    svg?.setAttribute("role", "img");
    svg?.setAttribute("aria-label", label);
    // Plot's aria-labels on its groups (not allowed on a bare <g>) go; the table has the facts.
    chart.querySelectorAll("g[aria-label]").forEach((g) => g.removeAttribute("aria-label"));
    host.replaceChildren(chart);
    return () => chart.remove();
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return ref;
}

export interface Bar { label: string; count: number }

/** Horizontal bars, largest first (as the API orders groups), each with its count. */
export function BarChart({ data, label, testId }: { data: Bar[]; label: string; testId?: string }) {
  const ref = usePlot((width) => Plot.plot({
    width,
    height: 40 + 30 * Math.max(1, data.length),
    marginLeft: Math.min(260, 16 + 13 * Math.max(2, ...data.map((d) => d.label.length))),
    style: { fontSize: "12px" },
    marginRight: 48,
    x: { label: null, grid: true, nice: true, ticks: countTicks(Math.max(0, ...data.map((d) => d.count))), tickFormat: "d" },
    y: { label: null, domain: data.map((d) => d.label), tickSize: 0 },
    marks: [
      Plot.barX(data, { x: "count", y: "label", fill: ACCENT, insetTop: 3, insetBottom: 3 }),
      Plot.text(data, { x: "count", y: "label", text: (d: Bar) => String(d.count), textAnchor: "start", dx: 4 }),
      Plot.ruleX([0]),
    ],
  }), label, [data, label]);
  return <div ref={ref} className="chart" data-testid={testId} />;
}

/** Vertical bars per month, oldest first. */
export function MonthChart({ data, label, testId }: { data: Bar[]; label: string; testId?: string }) {
  const ticks = data.length > 12 ? data.filter((_, i) => i % Math.ceil(data.length / 12) === 0).map((d) => d.label) : undefined;
  const ref = usePlot((width) => Plot.plot({
    width, height: 260, marginBottom: 40, style: { fontSize: "12px" },
    x: { label: null, domain: data.map((d) => d.label), ticks, tickRotate: data.length > 8 ? -30 : 0 },
    y: { label: null, grid: true, nice: true, ticks: countTicks(Math.max(0, ...data.map((d) => d.count))), tickFormat: "d" },
    marks: [
      Plot.barY(data, { x: "label", y: "count", fill: ACCENT, insetLeft: 2, insetRight: 2 }),
      Plot.text(data.filter((d) => d.count > 0), { x: "label", y: "count", text: (d: Bar) => String(d.count), dy: -6 }),
      Plot.ruleY([0]),
    ],
  }), label, [data, label]);
  return <div ref={ref} className="chart" data-testid={testId} />;
}

export interface VolumePoint { day: string; purpose: string; checks: number; share: number | null }

/** Checks per day stacked by purpose, and the restricted share per day and purpose below. */
export function VolumeChart({ data, days, purposes, labels }: {
  data: VolumePoint[];
  days: string[];
  purposes: string[];
  labels: { checks: string; share: string };
}) {
  const ticks = days.filter((_, i) => i % 5 === 0 || i === days.length - 1);
  const x = { label: null, domain: days, ticks, tickFormat: (d: string) => d.slice(5) };
  const maxPerDay = Math.max(0, ...days.map((day) => data.filter((d) => d.day === day).reduce((s, d) => s + d.checks, 0)));
  const color = { legend: true, domain: purposes, scheme: "tableau10" as const };
  const checks = usePlot((width) => Plot.plot({
    width, height: 260, marginBottom: 30, x, color, style: { fontSize: "12px" },
    y: { label: null, grid: true, nice: true, ticks: countTicks(maxPerDay), tickFormat: "d" },
    marks: [Plot.barY(data, { x: "day", y: "checks", fill: "purpose", insetLeft: 1, insetRight: 1 }), Plot.ruleY([0])],
  }), labels.checks, [data, days, purposes, labels.checks]);
  const withShare = data.filter((d) => d.share != null);
  const share = usePlot((width) => Plot.plot({
    width, height: 220, marginBottom: 30, style: { fontSize: "12px" }, x: { ...x, type: "point" }, color: { domain: purposes, scheme: "tableau10" },
    y: { label: null, grid: true, domain: [0, 1], tickFormat: "%" },
    marks: [
      Plot.lineY(withShare, { x: "day", y: "share", stroke: "purpose", z: "purpose", strokeWidth: 2 }),
      Plot.dot(withShare, { x: "day", y: "share", fill: "purpose", r: 2.5 }),
      Plot.ruleY([0]),
    ],
  }), labels.share, [data, days, purposes, labels.share]);
  return (
    <>
      <div ref={checks} className="chart" data-testid="volume-chart" />
      <p className="chart-title">{labels.share}</p>
      <div ref={share} className="chart" data-testid="share-chart" />
    </>
  );
}
