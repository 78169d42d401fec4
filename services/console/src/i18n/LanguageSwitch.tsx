import { useTranslation } from "react-i18next";

import { LANGUAGES } from ".";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? "zh-CN";
  return (
    <div className="lang" role="group" aria-label={t("nav.language")}>
      {LANGUAGES.map((lng) => (
        <button key={lng} type="button" lang={lng} aria-pressed={current === lng}
                onClick={() => void i18n.changeLanguage(lng)}>
          {lng === "zh-CN" ? "中文" : "English"}
        </button>
      ))}
    </div>
  );
}
