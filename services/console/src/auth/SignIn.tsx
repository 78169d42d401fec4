// Sign-in. In development the console server mints a dev token (POST /dev/session); in production
// the deployment's identity provider issues the bearer token (OpenID Connect, code flow with PKCE).
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router";

import { config } from "../config";
import { LanguageSwitch } from "../i18n/LanguageSwitch";
import { ErrorList } from "../ui/Errors";
import { Field } from "../ui/Field";
import type { TypedError } from "../api/errors";
import { useSession } from "./session";

const DEV_ROLES = ["authority", "analyst", "admin", "subject"] as const;

interface DevForm {
  role: (typeof DEV_ROLES)[number];
  agency: string;
  sub: string;
  code: string;
}

async function oidcManager() {
  const { UserManager, WebStorageStateStore } = await import("oidc-client-ts");
  const oidc = config.oidc!;
  return new UserManager({
    authority: oidc.authority,
    client_id: oidc.clientId,
    scope: oidc.scope,
    redirect_uri: `${location.origin}/signin/callback`,
    post_logout_redirect_uri: `${location.origin}/signin`,
    response_type: "code",
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

export function SignIn({ callback = false }: { callback?: boolean }) {
  const { t } = useTranslation();
  const { session, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  const [errors, setErrors] = useState<TypedError[]>([]);
  const [codeError, setCodeError] = useState<TypedError | undefined>();
  const { register, handleSubmit, watch, formState } = useForm<DevForm>({
    defaultValues: { role: "authority", agency: config.devAgencies[0] ?? "SPC", sub: "", code: "" },
  });
  const role = watch("role");

  useEffect(() => {
    if (!callback || !config.oidc) return;
    void (async () => {
      try {
        const user = await (await oidcManager()).signinRedirectCallback();
        if (signIn(user.access_token)) navigate("/", { replace: true });
        else setErrors([{ code: "UNAUTHENTICATED", message: t("auth.badToken") }]);
      } catch (exc) {
        setErrors([{ code: "UNAUTHENTICATED", message: String(exc) }]);
      }
    })();
  }, [callback, navigate, signIn, t]);

  if (session && !callback) return <Navigate to={from} replace />;

  const devSubmit = handleSubmit(async (form) => {
    setErrors([]);
    setCodeError(undefined);
    const body = form.role === "subject"
      ? { role: form.role, code: form.code }
      : { role: form.role, agency: form.role === "authority" ? form.agency : null, sub: form.sub.trim() || null };
    try {
      const response = await fetch("/dev/session", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { token?: string; error?: TypedError };
      if (!response.ok || !answer.token) {
        const error = answer.error ?? { code: "UNAUTHENTICATED", message: response.statusText };
        if (error.field === "code") setCodeError(error);
        else setErrors([error]);
        return;
      }
      signIn(answer.token);
      navigate(from, { replace: true });
    } catch (exc) {
      setErrors([{ code: "NETWORK", message: String(exc) }]);
    }
  });

  return (
    <main id="main" className="signin">
      <div className="signin-top">
        <h1>{t("app.name")}</h1>
        <LanguageSwitch />
      </div>
      <p>{t("auth.intro")}</p>
      <ErrorList errors={errors} />
      {config.devSignIn && (
        <form onSubmit={devSubmit} aria-labelledby="dev-signin">
          <h2 id="dev-signin">{t("auth.devTitle")}</h2>
          <p className="muted">{t("auth.devHint")}</p>
          <Field label={t("auth.role")}>
            <select {...register("role")}>
              {DEV_ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
            </select>
          </Field>
          {role === "authority" && (
            <Field label={t("auth.agency")} hint={t("auth.agencyHint")}>
              <select {...register("agency")}>
                {config.devAgencies.map((a) => <option key={a} value={a}>{a}</option>)}
              </select>
            </Field>
          )}
          {role === "subject" ? (
            <Field label={t("auth.code")} hint={t("auth.codeHint")} error={codeError}>
              <input {...register("code")} autoComplete="username" required />
            </Field>
          ) : (
            <Field label={t("auth.sub")} hint={t("auth.subHint")}>
              <input {...register("sub")} autoComplete="username" />
            </Field>
          )}
          <button type="submit" className="primary" disabled={formState.isSubmitting}>{t("auth.signIn")}</button>
        </form>
      )}
      {config.oidc && !callback && (
        <section>
          <h2>{t("auth.providerTitle")}</h2>
          <button type="button" className="primary" onClick={() => void oidcManager().then((m) => m.signinRedirect())}>
            {t("auth.withProvider")}
          </button>
        </section>
      )}
      {!config.devSignIn && !config.oidc && <p role="alert">{t("auth.noProvider")}</p>}
    </main>
  );
}
