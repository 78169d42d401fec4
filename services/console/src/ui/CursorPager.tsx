// Pages of a cursor-paged API list (`endCursor`, `hasMore`): forward by cursor, back by the
// cursors already seen.
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

export function useCursor() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1];
  const next = useCallback((cursor: string | null | undefined) => {
    if (cursor) setStack((s) => [...s, cursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after, page: stack.length, next, previous, reset };
}

export function CursorPager({ cursor, endCursor, hasMore, label }: {
  cursor: ReturnType<typeof useCursor>;
  endCursor: string | null | undefined;
  hasMore: boolean;
  label: string;
}) {
  const { t } = useTranslation();
  if (cursor.page === 1 && !hasMore) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={cursor.previous} disabled={cursor.page === 1}>
        {t("common.previous")}
      </button>
      <span>{t("common.page", { page: cursor.page })}</span>
      <button type="button" onClick={() => cursor.next(endCursor)} disabled={!hasMore}>
        {t("common.next")}
      </button>
    </nav>
  );
}
