/**
 * The collector's one i18n module: its languages, the lookup that fills `{placeholders}`, and
 * how a console request's language is chosen. Each area's strings live in ./messages/<area>.ts
 * as an `{ en, zh }` pair of tables with the same keys (zh serves zh-CN).
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

export function isLang(s: unknown): s is Lang {
  return LANGS.includes(s as Lang);
}

export type Vars = Record<string, string | number>;

/**
 * What a `{name}` with no value becomes: '' on console pages (a page never shows a brace), or
 * `{name}` itself in reports, so a value the code forgot shows in the PDF instead of vanishing.
 */
export type Missing = 'empty' | 'keep';

export function fill(template: string, vars: Vars = {}, missing: Missing = 'empty'): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? (missing === 'keep' ? `{${k}}` : '')));
}

/** One area's tables: `zh` has every key of `en`. */
export interface Tables<T extends Record<string, string>> {
  en: T;
  zh: { readonly [K in keyof T]: string };
}

/**
 * The lookup over one area's tables, given a language or a page (anything with `lang`); every
 * language but 'en' reads `zh`. A key not in the table (one built at run time) returns itself.
 * Pure, never throws.
 */
export function translator<T extends Record<string, string>>(tables: Tables<T>, missing: Missing = 'empty') {
  return (to: Lang | { readonly lang: Lang }, key: keyof T & string, vars?: Vars): string => {
    const lang = typeof to === 'string' ? to : to.lang;
    return fill((lang === 'en' ? tables.en : tables.zh)[key] ?? key, vars, missing);
  };
}

/**
 * A console request's language: a valid `?lang=` wins (`chosen`: the caller remembers it in a
 * cookie), then a valid cookie, then the configured default.
 */
export function negotiateLang(query: string | null, cookie: string | undefined, fallback: Lang): { lang: Lang; chosen: boolean } {
  if (isLang(query)) return { lang: query, chosen: true };
  return { lang: isLang(cookie) ? cookie : fallback, chosen: false };
}
