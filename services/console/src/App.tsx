import { Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, NavLink, Route, Routes, useLocation } from "react-router";

import { GraphQLProvider } from "./api/client";
import { hasRole, SessionProvider, useSession } from "./auth/session";
import { SignIn } from "./auth/SignIn";
import { LanguageSwitch } from "./i18n/LanguageSwitch";
import { isSubject, mayEditCatalogue, mayReadOverview, mayReadWorkQueue, maySearchListings, maySearchSubjects } from "./permissions";
import { Home } from "./pages/Home";
import { Catalogue, DecideListing, ListingPage, ListingSearch, MyFile, Overview, RepairDecision, SubjectFile, WorkQueue } from "./rooms";
import { SubjectSearch } from "./subject/SubjectSearch";

/** Where "/" leads: an official's work queue, a subject's own file, everybody else's home. */
function Landing() {
  const { session } = useSession();
  if (hasRole(session, "authority")) return <Navigate to="/work" replace />;
  if (isSubject(session)) return <Navigate to="/me" replace />;
  return <Home />;
}

function Shell() {
  const { t } = useTranslation();
  const { session, signOut } = useSession();
  const location = useLocation();
  useEffect(() => {
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [location.pathname]);
  if (!session) {
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  }
  const who = session.claims.agency ? `${session.claims.sub} · ${session.claims.agency}` : session.claims.sub;
  return (
    <>
      <a className="skip" href="#main">{t("nav.skip")}</a>
      <header className="top">
        <NavLink to="/" className="brand">{t("app.name")}</NavLink>
        <nav aria-label={t("nav.label")}>
          <ul>
            {mayReadWorkQueue(session) && <li><NavLink to="/work">{t("nav.work")}</NavLink></li>}
            {isSubject(session) && <li><NavLink to="/me">{t("nav.me")}</NavLink></li>}
            {maySearchSubjects(session) && <li><NavLink to="/subjects">{t("nav.subjects")}</NavLink></li>}
            {maySearchListings(session) && <li><NavLink to="/listings" end>{t("nav.listings")}</NavLink></li>}
            {mayReadOverview(session) && <li><NavLink to="/overview">{t("nav.overview")}</NavLink></li>}
            <li><NavLink to="/catalogue">{mayEditCatalogue(session) ? t("nav.catalogueAdmin") : t("nav.catalogue")}</NavLink></li>
          </ul>
        </nav>
        <div className="who">
          <span data-testid="who">
            {who} <span className="muted">({session.claims.roles.map((r) => t(`role.${r}`, { defaultValue: r })).join(", ")})</span>
          </span>
          <LanguageSwitch />
          <button type="button" onClick={signOut}>{t("auth.signOut")}</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted" aria-busy="true">{t("common.loading")}</p>}>
          <Routes>
            <Route path="/" element={<Landing />} />
            <Route path="/home" element={<Home />} />
            <Route path="/work" element={<WorkQueue />} />
            <Route path="/overview" element={<Overview />} />
            <Route path="/listings" element={<ListingSearch />} />
            <Route path="/me" element={<MyFile />} />
            <Route path="/subjects" element={<SubjectSearch />} />
            <Route path="/subjects/:code" element={<SubjectFile />} />
            <Route path="/subjects/:code/decide" element={<DecideListing />} />
            <Route path="/listings/:id" element={<ListingPage />} />
            <Route path="/repairs/:id" element={<RepairDecision />} />
            <Route path="/catalogue" element={<Catalogue />} />
            <Route path="*" element={<p>{t("common.notFound")}</p>} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <GraphQLProvider>
        <Routes>
          <Route path="/signin" element={<SignIn />} />
          <Route path="/signin/callback" element={<SignIn callback />} />
          <Route path="*" element={<Shell />} />
        </Routes>
      </GraphQLProvider>
    </SessionProvider>
  );
}

