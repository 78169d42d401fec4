// Listings on a timeline (Observable Plot): the publicity window, the validity window and any
// time an objection held the listing, each as the API dated it; "now" as a rule. The table
// below the chart carries the same facts as text.
import * as Plot from "@observablehq/plot";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import type { FileListing } from "./SubjectFile";

type L = FileListing;

interface Segment {
  lane: string;
  phase: string;
  from: Date;
  until: Date;
}

export default function ListingTimeline({ listings }: { listings: L[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const now = new Date();
    const segments: Segment[] = [];
    if (!listings.length) return;
    for (const [i, l] of listings.entries()) {
      const lane = `${i + 1}. ${l.list.name} · ${t(`enum.ListingStatus.${l.status}`)}`;
      const from = new Date(l.effectiveFrom);
      const publicity = new Date(l.publicityUntil);
      const until = l.effectiveUntil ? new Date(l.effectiveUntil)
        : new Date(Math.max(now.getTime(), publicity.getTime()) + 90 * 86400e3);
      if (publicity > from) segments.push({ lane, phase: t("timeline.publicity"), from, until: publicity });
      if (until > publicity) segments.push({ lane, phase: t("timeline.inForce"), from: publicity, until });
      for (const o of l.objections.filter((o) => o.suspends)) {
        segments.push({ lane, phase: t("timeline.held"), from: new Date(o.filedAt),
                        until: o.resolvedAt ? new Date(o.resolvedAt) : now });
      }
    }
    const chart = Plot.plot({
      ariaLabel: t("timeline.label"),
      marginLeft: Math.min(280, 16 + 13 * Math.max(...segments.map((s) => s.lane.length))),
      height: 60 + 34 * listings.length,
      width: ref.current?.clientWidth || 800,
      x: { type: "time", label: null, grid: true },
      y: { label: null, tickSize: 0, domain: [...new Set(segments.map((s) => s.lane))] },
      color: { legend: true, domain: [t("timeline.publicity"), t("timeline.inForce"), t("timeline.held")],
               range: ["#d9a400", "#b3261e", "#5b6ee1"] },
      marks: [
        Plot.barX(segments, { x1: "from", x2: "until", y: "lane", fill: "phase", insetTop: 6, insetBottom: 6,
                              title: (s: Segment) => `${s.lane}\n${s.phase}: ${s.from.toISOString()} – ${s.until.toISOString()}` }),
        Plot.ruleX([now], { stroke: "#222", strokeDasharray: "3,3" }),
      ],
    });
    // The table below carries the facts as text: the chart is one image to assistive technology,
    // and Plot's aria-labels on its groups (not allowed on a bare <g>) go.
    const svg = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector("svg[aria-label]");
    svg?.setAttribute("role", "img");
    chart.querySelectorAll("g[aria-label]").forEach((g) => g.removeAttribute("aria-label"));
    ref.current?.replaceChildren(chart);
    return () => chart.remove();
  }, [listings, t]);
  return <figure className="timeline"><div ref={ref} data-testid="listing-timeline" /><figcaption className="muted">{t("timeline.caption")}</figcaption></figure>;
}
