/**
 * The pattern language of licensing-policy rules, shared by the policy's config schema
 * (which reports a bad pattern at load) and the policy engine. A pattern between slashes
 * is a JavaScript regular expression with optional flags (`/迅雷|Thunder/i`); anything else
 * is a glob matched against the whole value, case-insensitively, where `*` is any run of
 * characters and `?` one character.
 */

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;
/** g and y make a RegExp stateful between tests; d is useless here. */
const ALLOWED_FLAGS = /^[imsuv]*$/;

/** Compiles a pattern; throws an Error whose message says what is wrong with it. */
export function compilePattern(p: string): RegExp {
  const m = REGEX_LITERAL.exec(p);
  if (m) {
    if (!ALLOWED_FLAGS.test(m[2]!)) throw new Error(`regular expression flags "${m[2]}" not allowed (use i, m, s, u or v)`);
    try {
      return new RegExp(m[1]!, m[2]);
    } catch (e) {
      throw new Error(`invalid regular expression: ${(e as Error).message}`);
    }
  }
  let src = '';
  for (const ch of p) src += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  return new RegExp(`^${src}$`, 'isu');
}
