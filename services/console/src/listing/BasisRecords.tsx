// The records a listing was decided on, each fetched by id (the API has no Listing.basisRecords).
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { QueryState } from "../ui/Loading";
import { Day } from "../ui/When";

const RECORD = graphql(`
  query BasisRecord($id: ID!) {
    creditRecord(id: $id) {
      id category summary agency occurredOn status version disclosure
      legalBasis { number kind issuedOn authority }
    }
  }
`);

export function BasisRecords({ ids, withdrawn }: { ids: string[]; withdrawn: string[] }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="basis-h">
      <h2 id="basis-h">{t("listing.basis")}</h2>
      <ul className="cards" data-testid="basis-records">
        {ids.map((id) => <BasisRecord key={id} id={id} withdrawn={withdrawn.includes(id)} />)}
      </ul>
    </section>
  );
}

function BasisRecord({ id, withdrawn }: { id: string; withdrawn: boolean }) {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: RECORD, variables: { id } });
  const r = data?.creditRecord;
  return (
    <li className="card">
      <code className="id">{id}</code>
      {withdrawn && <strong className="warn"> {t("listing.withdrawnRecord")}</strong>}
      <QueryState fetching={fetching && !data} error={error} />
      {data && !r && <p className="muted">{t("listing.recordHidden")}</p>}
      {r && (
        <>
          <p>{r.summary}</p>
          <p className="muted">
            {t(`enum.RecordCategory.${r.category}`)} · {r.agency} · <Day value={r.occurredOn} /> ·{" "}
            {t(`enum.RecordStatus.${r.status}`)} · {t(`enum.Disclosure.${r.disclosure}`)} · {t("record.versionN", { version: r.version })}
          </p>
          <p className="muted">{r.legalBasis.kind} {r.legalBasis.number} ({r.legalBasis.authority}, {r.legalBasis.issuedOn})</p>
        </>
      )}
    </li>
  );
}
