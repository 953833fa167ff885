import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { render } from '../../dashboards/generate.ts';
import { removeDir, tempDir } from '../peers/util.ts';
import { checkDashboards } from './schema-check.ts';

const GENERATED = path.resolve(import.meta.dirname, '../../dashboards/generated');

const committed = () =>
  readdirSync(GENERATED).flatMap((lang) =>
    readdirSync(path.join(GENERATED, lang)).map((f) => ({
      file: `${lang}/${f}`,
      json: JSON.parse(readFileSync(path.join(GENERATED, lang, f), 'utf8')) as unknown,
    })),
  );

t.test('the committed JSON is what `npm run dashboards` generates', async (t) => {
  const fresh = render();
  const files = committed();
  t.same(files.map((f) => f.file).sort(), [...fresh.keys()].sort(), 'same files');
  for (const [rel, text] of fresh) t.equal(readFileSync(path.join(GENERATED, rel), 'utf8'), text, `${rel} up to date`);
  t.equal(JSON.stringify([...render()]), JSON.stringify([...fresh]), 'generation is deterministic');
});

t.test("every generated dashboard satisfies @grafana/schema (Dashboard, and each panel plugin's Options/FieldConfig)", async (t) => {
  const dir = tempDir('schema');
  t.teardown(() => removeDir(dir));
  const files = committed();
  const r = checkDashboards(files, dir);
  t.same(r.unknownPanelTypes, [], 'every panel type is checked against its plugin schema');
  t.same(r.problems, [], 'no schema problems');
  t.ok(r.checked > files.length * 5, `${r.checked} objects checked in ${files.length} dashboards`);
  const uids = files.map((f) => (f.json as { uid: string }).uid);
  t.equal(new Set(uids).size, uids.length, 'uids are unique');
  for (const f of files) {
    const d = f.json as { panels: { id: number; gridPos: { x: number; w: number } }[] };
    const ids = d.panels.map((p) => p.id);
    t.equal(new Set(ids).size, ids.length, `${f.file}: panel ids unique`);
    t.ok(
      d.panels.every((p) => p.gridPos.x + p.gridPos.w <= 24),
      `${f.file}: panels fit the 24-column grid`,
    );
  }
});

t.test('the schema check rejects what Grafana would not understand', async (t) => {
  const dir = tempDir('schema-bad');
  t.teardown(() => removeDir(dir));
  const good = committed().find((f) => f.file === 'en/wall.json')!.json as {
    panels: { type: string; options?: Record<string, unknown>; gridPos: Record<string, unknown> }[];
  } & Record<string, unknown>;
  const clone = () => structuredClone(good);
  const badTop = clone();
  badTop.refreshInterval = '30s';
  const badEnum = clone();
  badEnum.panels.find((p) => p.type === 'stat')!.options!.colorMode = 'rainbow';
  const badType = clone();
  badType.panels[1]!.gridPos.w = 'wide';
  const badOption = clone();
  badOption.panels.find((p) => p.type === 'table')!.options!.cellHeigth = 'lg';
  const badCustom = structuredClone(committed().find((f) => f.file === 'en/self.json')!.json) as {
    panels: { type: string; fieldConfig?: { defaults: { custom?: Record<string, unknown> } } }[];
  };
  badCustom.panels.find((p) => p.type === 'timeseries')!.fieldConfig!.defaults.custom!.drawStyle = 'zigzag';
  const r = checkDashboards(
    [
      { file: 'custom', json: badCustom },
      { file: 'top', json: badTop },
      { file: 'enum', json: badEnum },
      { file: 'type', json: badType },
      { file: 'option', json: badOption },
    ],
    dir,
  );
  for (const f of ['custom', 'top', 'enum', 'type', 'option'])
    t.ok(
      r.problems.some((p) => p.file === f),
      `${f}: rejected`,
      { problems: r.problems.filter((p) => p.file === f) },
    );
  t.match(r.problems.find((p) => p.file === 'enum')?.where, /options$/, 'the plugin options are where the bad enum is');
  t.match(r.problems.find((p) => p.file === 'custom')?.where, /fieldConfig\.defaults\.custom$/, 'the field config is where the bad draw style is');
  t.equal(r.problems.filter((p) => p.file === 'custom').length, 1, 'only the injected fault is reported');
});
