// "Download CSV" for a table: the same rows as the table, a header row, dated file name.
import { useTranslation } from "react-i18next";

import { download, toCsv, type CsvCell } from "./csv";
import { shanghaiDay } from "./When";

export function CsvButton({ name, what, header, rows }: {
  /** File name stem, e.g. "listings-by-list". */
  name: string;
  /** What the table shows, for the button's accessible name. */
  what: string;
  header: string[];
  rows: CsvCell[][];
}) {
  const { t } = useTranslation();
  return (
    <button type="button" className="csv" disabled={rows.length === 0} aria-label={t("csv.downloadWhat", { what })}
            onClick={() => download(`xinyong-${name}-${shanghaiDay(new Date())}.csv`, toCsv(header, rows))}>
      {t("csv.download")}
    </button>
  );
}
