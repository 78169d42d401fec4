import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../auth/session";
import { mayEditCatalogue, mayReadOverview, mayReadWorkQueue, maySearchListings, maySearchSubjects } from "../permissions";
import { SearchBox } from "../subject/SubjectSearch";

export function Home() {
  const { t } = useTranslation();
  const { session } = useSession();
  return (
    <>
      <h1>{t("home.title")}</h1>
      {maySearchSubjects(session) && (
        <section aria-labelledby="home-search">
          <h2 id="home-search">{t("search.title")}</h2>
          <SearchBox />
        </section>
      )}
      <section aria-labelledby="home-rooms">
        <h2 id="home-rooms">{t("home.rooms")}</h2>
        <ul className="rooms">
          {mayReadWorkQueue(session) && <li><Link to="/work">{t("nav.work")}</Link> — {t("home.workHint")}</li>}
          {maySearchSubjects(session) && <li><Link to="/subjects">{t("nav.subjects")}</Link> — {t("home.subjectsHint")}</li>}
          {maySearchListings(session) && <li><Link to="/listings">{t("nav.listings")}</Link> — {t("home.listingsHint")}</li>}
          {mayReadOverview(session) && <li><Link to="/overview">{t("nav.overview")}</Link> — {t("home.overviewHint")}</li>}
          <li><Link to="/catalogue">{t("nav.catalogue")}</Link> — {mayEditCatalogue(session) ? t("home.catalogueAdminHint") : t("home.catalogueHint")}</li>
        </ul>
      </section>
    </>
  );
}
