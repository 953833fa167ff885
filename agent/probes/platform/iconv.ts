import { createRequire } from 'node:module';
import type Iconv from 'iconv-lite';

let loaded: typeof Iconv | undefined;

/**
 * iconv-lite, loaded the first time a text that is not UTF-8 is decoded (GBK console output,
 * a GBK sysDescr). Linux agents whose tools print UTF-8 never load it.
 */
export function iconv(): typeof Iconv {
  return (loaded ??= createRequire(import.meta.url)('iconv-lite') as typeof Iconv);
}
