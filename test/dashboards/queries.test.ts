import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { DASHBOARDS } from '../../dashboards/generate.ts';
import { startDemoPipeline } from '../peers/demo-pipeline.ts';
import { waitFor } from '../peers/util.ts';
import { interpolate, interval, relative, type Range, type VarValue } from './grafana.ts';
import { seedLines } from './seed.ts';

interface Target {
  refId: string;
  query: string;
  rawQuery: boolean;
  datasource: { type: string; uid: string };
}
interface PanelJson {
  id: number;
  type: string;
  title: string;
  interval?: string;
  maxDataPoints?: number;
  targets?: Target[];
  panels?: PanelJson[];
}
interface VarJson {
  name: string;
  type: string;
  query: string;
  allValue?: string;
  datasource: { type: string; uid: string };
}
interface DashJson {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: PanelJson[];
  templating: { list?: VarJson[] };
}

const GENERATED = path.resolve(import.meta.dirname, '../../dashboards/generated');
const load = (lang: string, name: string) => JSON.parse(readFileSync(path.join(GENERATED, lang, `${name}.json`), 'utf8')) as DashJson;
const queriesOf = (d: DashJson) => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).flatMap((p) => (p.targets ?? []).map((x) => x.query));

t.test('both languages carry the same queries and variables', async (t) => {
  for (const def of DASHBOARDS) {
    const zh = load('zh', def.name);
    const en = load('en', def.name);
    t.same(queriesOf(en), queriesOf(zh), `${def.name}: same queries`);
    t.same(en.templating.list?.map((v) => v.query), zh.templating.list?.map((v) => v.query), `${def.name}: same variables`);
    t.not(en.title, zh.title, `${def.name}: titles translated`);
    t.ok(queriesOf(zh).length > 0, `${def.name} has queries`);
  }
});

t.test('every panel and variable query parses and returns data from the demo pipeline', async (t) => {
  const instance = 'demo-collector';
  const p = await startDemoPipeline({ modules: ['self'], selfMetrics: { intervalMs: 250, instance } });
  t.teardown(() => p.stop());
  const seed = seedLines(Date.now(), instance, p.host);
  await p.write(seed.agent, 'agent');
  await p.write(seed.collector, 'http');
  const q = (s: string) => p.influx.query(s, p.database);
  const has = async (s: string) => (await q(s)).length > 0;
  // The live pipeline: the agent's host probe, the scheduler's own measurement, the collector's self-metrics.
  await waitFor('host probe data', () => has(`SELECT last("usage_idle") FROM "cpu" WHERE "host"='${p.host}'`), 60_000);
  await waitFor('probe runs', () => has(`SELECT last("duration_ms") FROM "watchpost_probe"`), 60_000);
  await waitFor('agent connected', async () => (await q(`SELECT last("connected") FROM "watchpost_agent" WHERE "agent"='${p.agentName}'`))[0]?.values[0]?.[1] === 1, 30_000);
  await waitFor('seeded points', () => has(`SELECT last("state") FROM "alert_state"`), 30_000);
  const location = await q(`SHOW TAG VALUES FROM "mem" WITH KEY = "building"`);
  t.same(location[0]?.values, [['building', 'A']], 'the pipeline enriched the host samples with the inventory location');

  const now = Date.now() + 1000;
  let ran = 0;
  const results = new Map<string, Awaited<ReturnType<typeof q>>>();
  for (const def of DASHBOARDS) {
    const d = load('zh', def.name);
    const range: Range = { fromMs: relative(d.time.from, now), toMs: now };
    const vars = d.templating.list ?? [];
    const run = async (label: string, query: string, values: Record<string, VarValue>, minInterval?: string) => {
      const text = interpolate(query, { range, interval: interval(range, 1000, minInterval), vars: values });
      let series: Awaited<ReturnType<typeof q>>;
      try {
        series = await q(text);
      } catch (e) {
        t.fail(`${label}: ${(e as Error).message}`);
        return [];
      }
      ran++;
      const cells = series.flatMap((s) => s.values.flatMap((row) => row.slice(1))).filter((v) => v !== null);
      t.ok(cells.length > 0, `${label} returns data`, { query: text });
      return series;
    };
    // Pass 1: every variable on "All"; pass 2: each variable on the first value it offers (chained).
    for (const mode of ['all', 'first'] as const) {
      const values: Record<string, VarValue> = {};
      for (const v of vars) {
        t.equal(v.datasource.uid, 'watchpost-influxdb');
        const series = await run(`${def.name} [${mode}] variable $${v.name}`, v.query, values);
        const offered = series.flatMap((s) => s.values.map((row) => String(row[1])));
        values[v.name] = mode === 'all' ? { all: v.allValue ?? '.*' } : offered.slice(0, 1);
      }
      for (const panel of d.panels.flatMap((x) => [x, ...(x.panels ?? [])])) {
        for (const target of panel.targets ?? []) {
          t.equal(target.rawQuery, true);
          const series = await run(`${def.name} [${mode}] "${panel.title}" ${target.refId}`, target.query, values, panel.interval);
          results.set(`${def.name}/${mode}/${panel.type}/${panel.title}/${target.refId}`, series);
        }
      }
    }
  }
  t.ok(ran > 100, `${ran} queries ran`);

  // The wall screen finds exactly the faults the seed contains.
  const wall = (type: string, title: string) => results.get(`wall/all/${type}/${title}/A`) ?? [];
  const single = (type: string, title: string) => wall(type, title)[0]?.values[0]?.[1];
  t.equal(single('stat', '离线交换机'), 1, 'one switch down');
  t.equal(single('stat', '离线摄像机'), 1, 'one camera down');
  t.equal(single('stat', '不可达终端'), 1, 'one printer unreachable');
  t.equal(single('stat', '告警中'), 1, 'one alert firing (the resolved one is not counted)');
  t.equal(single('stat', '24小时在线率不达标摄像机'), 1, 'one camera below the 24 h requirement');
  t.equal(single('stat', '逾期巡检'), 1, 'one inspection overdue');
  t.same(wall('table', '离线交换机').map((s) => s.tags), [{ device: 'sw-a-3f-01', building: 'A', floor: '3', shaft: 'A-1', room: 'shaft-3' }], 'the down switch, with where it is');
  t.same(wall('table', '离线交换机')[0]?.values.map((v) => v.slice(1)), [[0, 'timeout']], 'and why (the probe\'s error_class)');
  const nw = (title: string) => results.get(`network/all/table/${title}/A`) ?? [];
  t.same(nw('交换机状态').map((s) => [s.tags?.device, s.values[0]?.[1]]).sort(), [['sw-a-3f-01', 0], ['sw-b-1f-02', 1]], 'one row per switch: no stale row from the vendor tag changing when it went down');
  const cams = results.get('cctv/all/table/视频流与抓图/A') ?? [];
  t.same(cams.map((s) => [s.tags?.camera, s.values[0]?.[1]]).sort(), [['cam-a-1f-lobby', 0], ['cam-b-2f-hall', 1]], 'one row per camera');
  t.same(wall('table', '上联中断或端口错误').map((s) => s.tags?.ifName), ['GE0/0/1'], 'the down uplink; the healthy access port is not listed');
  t.same(wall('table', '活动告警（持续时间）').map((s) => [s.tags?.target, s.values[0]?.[2]]), [['sw-a-3f-01', 1200]], 'the firing alert with its age');
  const timeline = (ref: string) => results.get(`wall/all/state-timeline/故障时间线：红色段起点即故障开始时间/${ref}`) ?? [];
  t.same(timeline('A').map((s) => s.tags?.device), ['sw-a-3f-01'], 'outage timeline: only the switch that was down');
  t.same(timeline('B').map((s) => s.tags?.camera), ['cam-a-1f-lobby']);
  t.same(timeline('C').map((s) => s.tags?.url), ['prn-a-3f-01']);
  const since = Date.parse(String(timeline('A')[0]?.values[0]?.[0]));
  // The bucket holding the first down poll (20 min before seeding) starts at most one $__interval (5m for 24 h) earlier.
  const ago = (now - since) / 60_000;
  t.ok(ago >= 20 && ago <= 26, `the switch's outage shows as starting 20 min ago (${ago.toFixed(1)} min)`);
  t.same(
    wall('table', '巡检到期与逾期').map((s) => s.tags?.kind),
    ['cctv', 'network'],
    'the overdue inspection and the one due within a week',
  );
});
