import pino from 'pino';
import t from 'tap';
import { startCollector } from '../../../collector/main.ts';
import type { Maintenance } from '../../../collector/maintenance/module.ts';
import { hashToken, newToken } from '../../../collector/store/agents.ts';
import type { UptimeReport } from '../../../collector/uptime/ledger.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

t.test('the uptime module: ingest → intervals → GET /api/uptime, maintenance from the maintenance module', async (t) => {
  const dir = tempDir('uptime');
  const token = newToken();
  const apiToken = newToken();
  const cfg = collectorConfigSchema.parse({
    alerts: { api_tokens: [{ name: 'report-tool', token_sha256: hashToken(apiToken) }] },
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dir, log_level: 'warn' },
    http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(token) }] },
    uptime: { silence_s: 300, write_interval_s: 3600, timezone: 'Asia/Shanghai', compliant_24h_pct: 99.5 },
  });
  let now = at('2026-11-11T00:00:00+08:00');
  const windows = [{ start: at('2026-11-09T22:00:00+08:00'), end: at('2026-11-09T23:45:00+08:00') }];
  // A maintenance source given in place of the maintenance module: the ledger asks it for intervals.
  const maintenance = { intervals: (target: string, from: number, to: number) => (target === 'cam-lobby' ? windows.filter((w) => w.end > from && w.start < to) : []) };
  const c = await startCollector(cfg, pino({ level: 'silent' }), { modules: ['uptime'], given: { maintenance: maintenance as unknown as Maintenance }, uptime: { writeIntervalMs: 200 }, now: () => now });
  t.teardown(async () => {
    await c.stop();
    removeDir(dir);
  });
  // Two days of one-minute polls as Telegraf-style line protocol; down 23:30–00:30 across midnight.
  const lines: string[] = [];
  const outage = { start: at('2026-11-09T23:30:00+08:00'), end: at('2026-11-10T00:30:00+08:00') };
  for (let x = at('2026-11-09T00:00:00+08:00'); x < now; x += 60_000) {
    const down = x >= outage.start && x < outage.end;
    lines.push(`camera,camera=cam-lobby up=${down ? 0 : 1}i,reachable=${!down}${down ? ',error_class="unreachable"' : ''} ${x}`);
    lines.push(`snmp_device,device=sw-a-3f-01 up=1i ${x}`);
  }
  const w = await fetch(`${c.url}/api/v2/write?precision=ms`, { method: 'POST', headers: { authorization: `Token ${token}` }, body: lines.join('\n') });
  t.equal(w.status, 204);
  const get = async (q: string) => {
    const r = await fetch(`${c.url}/api/uptime${q}`, { headers: { authorization: `Bearer ${apiToken}` } });
    return { status: r.status, body: (await r.json()) as UptimeReport & { targets: { target: string; kind: string }[]; error: string } };
  };
  t.equal((await fetch(`${c.url}/api/uptime?target=cam-lobby`)).status, 401, 'the uptime API needs an API token');
  const day9 = await get(`?target=cam-lobby&from=2026-11-09T00:00:00%2B08:00&to=2026-11-10T00:00:00%2B08:00`);
  t.equal(day9.status, 200);
  t.match(day9.body, { counted_ms: 22.25 * H, up_ms: 22 * H, down_ms: 0.25 * H, unknown_ms: 0, maintenance_ms: 1.75 * H });
  t.equal(day9.body.uptime_pct!.toFixed(9), '98.876404494');
  t.same(day9.body.outages, [{ start: outage.start, end: at('2026-11-10T00:00:00+08:00'), reason: 'unreachable' }]);
  const day10 = await get(`?target=cam-lobby&from=${at('2026-11-10T00:00:00+08:00')}&to=${now}`);
  t.equal(day10.body.uptime_pct!.toFixed(9), '97.916666667');
  const last24 = await get('?target=cam-lobby&period=24h');
  t.equal(last24.body.down_ms, 0.5 * H);
  const month = await get('?target=cam-lobby&period=month&month=2026-11');
  t.equal(month.body.from, at('2026-11-01T00:00:00+08:00'));
  t.equal(month.body.to, now, 'the month so far');
  t.equal(month.body.unknown_ms, 8 * 24 * H, 'Nov 1–8: no reports yet, unknown');
  const list = await get('');
  t.same(list.body.targets.map((x) => [x.target, x.kind]), [['cam-lobby', 'camera'], ['sw-a-3f-01', 'device']]);
  for (const bad of ['?target=x&from=yesterday&to=1', '?target=x&from=5&to=1', '?target=x&period=week', '?target=x&period=month&month=2026-13', '?target=x&to=1']) t.equal((await get(bad)).status, 400, bad);

  // The points written to InfluxDB.
  now = at('2026-11-10T12:00:00+08:00') + 0;
  const svc = c.modules.uptime!;
  const pts = svc.points();
  const cam = pts.find((p) => p.measurement === 'camera_uptime')!;
  t.same(cam.tags, { camera: 'cam-lobby' });
  // 24 h to Nov 10 12:00: maintenance 1.75 h, down 0.25 + 0.5 h of 22.25 h counted.
  t.equal((cam.fields.uptime_24h_pct as number).toFixed(9), ((100 * 21.5) / 22.25).toFixed(9));
  t.equal(cam.fields.compliant_24h, false);
  const sw = pts.find((p) => p.measurement === 'device_uptime')!;
  t.same(sw.tags, { device: 'sw-a-3f-01' });
  t.equal(sw.fields.uptime_24h_pct, 100);
  t.equal(sw.fields.compliant_24h, undefined, 'compliance is a camera field');

  // And they reach ingest (→ spool → InfluxDB) on the write interval.
  const written: string[] = [];
  c.ctx.ingest.addListener({ onSamples: (s) => written.push(...s.filter((x) => x.measurement.endsWith('_uptime')).map((x) => `${x.measurement} ${x.tags.camera ?? x.tags.device}`)) });
  await waitFor('camera_uptime through ingest', async () => written.includes('camera_uptime cam-lobby') && written.includes('device_uptime sw-a-3f-01'), 10_000);
  t.pass('camera_uptime and device_uptime written through ingest');
});
