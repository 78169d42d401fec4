// Tables: TanStack Table (headless) for sorting and paging, rendered as plain accessible HTML.
import {
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from "@tanstack/react-table";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

export type Columns<T> = ColumnDef<T, any>[];

interface Props<T> {
  caption: ReactNode;
  columns: Columns<T>;
  data: T[];
  /** Rows per page when the whole list is already here; longer lists get a pager. */
  pageSize?: number;
  empty?: ReactNode;
  testId?: string;
  /** A class for a row (e.g. one past its deadline). */
  rowClass?: (row: T) => string | undefined;
}

export function DataTable<T>({ caption, columns, data, pageSize = 20, empty, testId, rowClass }: Props<T>) {
  const { t } = useTranslation();
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageSize } },
    autoResetPageIndex: true,
  });
  const pages = table.getPageCount();
  return (
    <div className="table-wrap" data-testid={testId}>
      <table>
        <caption>{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const canSort = header.column.getCanSort() && header.column.columnDef.enableSorting !== false;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}>
                    {canSort ? (
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        {label}
                        <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
                      </button>
                    ) : label}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className={rowClass?.(row.original)}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
          {data.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="muted">{empty ?? t("common.empty")}</td>
            </tr>
          )}
        </tbody>
      </table>
      {pages > 1 && (
        <nav className="pager" aria-label={t("common.pages")}>
          <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
            {t("common.previous")}
          </button>
          <span>{t("common.pageOf", { page: table.getState().pagination.pageIndex + 1, pages })}</span>
          <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
            {t("common.next")}
          </button>
        </nav>
      )}
    </div>
  );
}
