/** The dashboards are generated once per language; Chinese is the building's working language. */
export type Lang = 'zh' | 'en';

export const LANGS: readonly Lang[] = ['zh', 'en'];

/** A label in both languages. */
export interface Text {
  zh: string;
  en: string;
}

export function L(zh: string, en: string): Text {
  return { zh, en };
}

export function tr(lang: Lang, t: Text): string {
  return t[lang];
}
