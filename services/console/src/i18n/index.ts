// Message catalogues (zh-CN, en): the language is the user's choice, remembered in localStorage.
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";

import en from "./en.json";
import zhCN from "./zh-CN.json";

export const LANGUAGES = ["zh-CN", "en"] as const;
export const LANGUAGE_KEY = "xinyong.lang";

declare module "i18next" {
  interface CustomTypeOptions {
    resources: { translation: typeof zhCN };
  }
}

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { "zh-CN": { translation: zhCN }, en: { translation: en } },
    supportedLngs: [...LANGUAGES],
    fallbackLng: "zh-CN",
    nonExplicitSupportedLngs: false,
    load: "currentOnly",
    detection: { order: ["localStorage", "navigator"], lookupLocalStorage: LANGUAGE_KEY, caches: ["localStorage"] },
    interpolation: { escapeValue: false },
    returnNull: false,
  });

function syncHtmlLang(lng: string) {
  document.documentElement.lang = lng;
  document.title = i18n.t("app.title");
}
syncHtmlLang(i18n.resolvedLanguage ?? "zh-CN");
i18n.on("languageChanged", syncHtmlLang);

export default i18n;
