// What a decision on a list would trigger, read from the catalogue the API serves: the measures
// that memoranda in force bind to the list, and the persons holding, in this organisation, the
// roles those bindings extend to. The API has no dry run of decideListing yet; the listing it
// creates shows its own measures and reach, which are authoritative.
import type { DecideContextQuery } from "../gql/graphql";

type Measure = DecideContextQuery["measures"][number];

export function previewDecision(ctx: DecideContextQuery, listCode: string, now: Date) {
  const measures = new Map<string, Measure & { memoranda: string[] }>();
  const roles = new Set<string>();
  for (const memo of ctx.memoranda) {
    const inForce = new Date(memo.validFrom) <= now && (!memo.validUntil || now < new Date(memo.validUntil));
    if (!inForce) continue;
    for (const b of memo.bindings.filter((b) => b.listCode === listCode)) {
      const m = ctx.measures.find((x) => x.code === b.measureCode);
      if (!m) continue;
      const entry = measures.get(m.code) ?? { ...m, memoranda: [] };
      entry.memoranda.push(memo.code);
      measures.set(m.code, entry);
      b.extendsTo.forEach((r) => roles.add(r));
    }
  }
  const subject = ctx.subject;
  const reaches = (subject?.roles ?? []).filter((r) => r.organizationCode === subject?.code && roles.has(r.role));
  return { measures: [...measures.values()], reaches };
}
