import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import getExePath from '../../node_modules/typescript/lib/getExePath.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA = path.join(ROOT, 'node_modules/@grafana/schema/dist/types');
/** TypeScript 7's native compiler, run directly (not through node, so tap's loader hooks stay out). */
const TSC = getExePath();

/** Panel plugin id → its folder in @grafana/schema and its options / custom field config types. */
const PANEL_TYPES: Record<string, { mod: string; options: string; fieldConfig?: string }> = {
  stat: { mod: 'stat', options: 'Options' },
  bargauge: { mod: 'bargauge', options: 'Options' },
  table: { mod: 'table', options: 'Options', fieldConfig: 'FieldConfig' },
  timeseries: { mod: 'timeseries', options: 'Options', fieldConfig: 'FieldConfig' },
  'state-timeline': { mod: 'statetimeline', options: 'Options', fieldConfig: 'FieldConfig' },
  'status-history': { mod: 'statushistory', options: 'Options', fieldConfig: 'FieldConfig' },
};

export interface SchemaProblem {
  file: string;
  /** Where in the dashboard: "dashboard", or "panel <id> <title> options|fieldConfig.custom". */
  where: string;
  message: string;
}

interface PanelLike {
  id?: number;
  type?: string;
  title?: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  panels?: PanelLike[];
}

/**
 * Checks dashboards against @grafana/schema's TypeScript types with the TypeScript compiler:
 * each dashboard JSON becomes an object literal that must satisfy `Dashboard` (excess
 * properties are errors), and each panel's `options` and `fieldConfig.defaults.custom` must
 * satisfy the panel plugin's own `Options`/`FieldConfig` (the dashboard type leaves them open).
 * JSON carries an enum's string values, so string enums are compared by value.
 */
export function checkDashboards(
  dashboards: { file: string; json: unknown }[],
  workDir: string,
): { problems: SchemaProblem[]; unknownPanelTypes: string[]; checked: number } {
  mkdirSync(workDir, { recursive: true });
  const unknownPanelTypes = new Set<string>();
  const where = new Map<string, { file: string; where: string }>();
  let checked = 0;
  const files: string[] = [];
  dashboards.forEach((d, i) => {
    const name = `d${i}.ts`;
    let src = `import type { Dashboard } from '${SCHEMA}/index';\n`;
    for (const { mod } of Object.values(PANEL_TYPES)) src += `import type * as ${mod} from '${SCHEMA}/raw/composable/${mod}/panelcfg/x/types.gen';\n`;
    src += `
type J<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends readonly (infer U)[] ? J<U>[] : T extends object ? { [K in keyof T]: J<T[K]> } : T;
`;
    const line = () => src.split('\n').length;
    where.set(`${name}:${line()}`, { file: d.file, where: 'dashboard' });
    src += `export const dashboard = ${JSON.stringify(d.json)} satisfies J<Dashboard>;\n`;
    checked++;
    const panels = ((d.json as { panels?: PanelLike[] }).panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
    for (const p of panels) {
      if (p.type === 'row' || !p.type) continue;
      const types = PANEL_TYPES[p.type];
      if (!types) {
        unknownPanelTypes.add(p.type);
        continue;
      }
      const label = `panel ${p.id} "${p.title}" (${p.type})`;
      where.set(`${name}:${line()}`, { file: d.file, where: `${label} options` });
      src += `export const p${p.id}_options = ${JSON.stringify(p.options ?? {})} satisfies J<${types.mod}.${types.options}>;\n`;
      checked++;
      if (types.fieldConfig) {
        where.set(`${name}:${line()}`, { file: d.file, where: `${label} fieldConfig.defaults.custom` });
        src += `export const p${p.id}_custom = ${JSON.stringify(p.fieldConfig?.defaults?.custom ?? {})} satisfies Partial<J<${types.mod}.${types.fieldConfig}>>;\n`;
        checked++;
      }
    }
    writeFileSync(path.join(workDir, name), src);
    files.push(name);
  });
  writeFileSync(
    path.join(workDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, types: [] },
      files,
    }),
  );
  const r = spawnSync(TSC, ['-p', path.join(workDir, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const problems: SchemaProblem[] = [];
  for (const m of (r.stdout + r.stderr).matchAll(/^(?:.*\/)?(d\d+\.ts)\((\d+),\d+\): error (TS\d+: .*)$/gm)) {
    const w = where.get(`${m[1]}:${m[2]}`);
    problems.push({ file: w?.file ?? m[1]!, where: w?.where ?? `line ${m[2]}`, message: m[3]! });
  }
  if (r.status !== 0 && !problems.length) throw new Error(`tsc failed without diagnostics:\n${r.stdout}${r.stderr}`);
  return { problems, unknownPanelTypes: [...unknownPanelTypes], checked };
}
