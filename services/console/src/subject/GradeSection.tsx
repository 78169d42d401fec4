// The organisation's A-D grade as the API explains it: base score, and each record's points.
import { useTranslation } from "react-i18next";

import { DataTable, type Columns } from "../ui/DataTable";
import type { FileGrade } from "./SubjectFile";

type Grade = FileGrade;
type Adjustment = Grade["deductions"][number];

export function GradeSection({ grade }: { grade: Grade }) {
  const { t } = useTranslation();
  const columns: Columns<Adjustment> = [
    { header: t("grade.points"), accessorKey: "points" },
    { header: t("grade.reason"), accessorKey: "reason" },
    { header: t("record.category"), accessorKey: "category", cell: ({ row }) => t(`enum.RecordCategory.${row.original.category}`) },
    { header: t("grade.record"), accessorKey: "recordId", cell: ({ row }) => (
      row.original.record ? <span>{row.original.record.summary} <code className="id">{row.original.recordId}</code></span>
        : <span className="muted" title={t("grade.undisclosed")}><code className="id">{row.original.recordId}</code></span>
    ) },
  ];
  return (
    <>
      <p className="grade">
        <span className={`grade-letter grade-${grade.grade}`} data-testid="grade-letter">{grade.grade}</span>
        {t("grade.score", { score: grade.score, base: grade.baseScore })}
      </p>
      <DataTable caption={t("grade.deductions")} columns={columns} data={grade.deductions} empty={t("grade.noDeductions")} testId="deductions" />
      {grade.bonuses.length > 0 && <DataTable caption={t("grade.bonuses")} columns={columns} data={grade.bonuses} testId="bonuses" />}
    </>
  );
}
