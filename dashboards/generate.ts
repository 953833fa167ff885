/**
 * `npm run dashboards`: writes every dashboard, in every language, as Grafana JSON into
 * dashboards/generated/<lang>/<name>.json. Output is deterministic (CI regenerates and diffs).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DashboardDef } from './lib/dashboard.ts';
import { LANGS } from './lib/i18n.ts';
import { cctv } from './cctv.ts';
import { network } from './network.ts';
import { office } from './office.ts';
import { self } from './self.ts';
import { wall } from './wall.ts';

export const DASHBOARDS: readonly DashboardDef[] = [wall, network, cctv, office, self];

export const OUT_DIR = path.join(import.meta.dirname, 'generated');

/** Every dashboard as JSON text, keyed by its path under dashboards/generated/. */
export function render(): Map<string, string> {
  const out = new Map<string, string>();
  for (const lang of LANGS) for (const d of DASHBOARDS) out.set(`${lang}/${d.name}.json`, JSON.stringify(d.build(lang), null, 2) + '\n');
  return out;
}

if (import.meta.main) {
  const files = render();
  for (const lang of LANGS) {
    const dir = path.join(OUT_DIR, lang);
    mkdirSync(dir, { recursive: true });
    // Dashboards that were removed must not linger in the provisioned folder.
    for (const f of readdirSync(dir)) if (!files.has(`${lang}/${f}`)) rmSync(path.join(dir, f));
  }
  for (const [rel, text] of files) writeFileSync(path.join(OUT_DIR, rel), text);
  console.log(`dashboards: wrote ${files.size} files to ${path.relative(process.cwd(), OUT_DIR) || '.'}`);
}
