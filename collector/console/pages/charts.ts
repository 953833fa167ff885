import type { CollectorConfig } from '../../../config/schema/collector.ts';
import type { DeviceDetail } from '../../devices/module.ts';
import type { Safe } from '../ui/html.ts';
import { lineChart } from './device-pages.ts';

const lit = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The InfluxQL series a device page charts: RTT and loss, camera clock drift, temperatures, port traffic. */
export function chartQueries(d: DeviceDetail): { title: string; unit: string; q: string }[] {
  const out: { title: string; unit: string; q: string }[] = [];
  const span = 'time > now() - 24h GROUP BY time(10m) fill(none)';
  const url = d.latest.ping?.[0]?.tags.url;
  if (url) {
    out.push({ title: 'RTT', unit: 'ms', q: `SELECT mean("average_response_ms") FROM "ping" WHERE "url" = ${lit(url)} AND ${span}` });
    out.push({ title: 'Loss', unit: '%', q: `SELECT mean("percent_packet_loss") FROM "ping" WHERE "url" = ${lit(url)} AND ${span}` });
  }
  if (d.latest.camera)
    out.push({
      title: 'Clock drift',
      unit: 's',
      q: `SELECT mean("clock_drift_s") FROM "camera" WHERE "camera" = ${lit(d.latest.camera[0]!.tags.camera ?? d.name)} AND ${span}`,
    });
  if (d.latest.sensor?.some((s) => s.tags.kind === 'temperature'))
    out.push({
      title: 'Temperature',
      unit: '°C',
      q: `SELECT max("value") FROM "sensor" WHERE "device" = ${lit(d.name)} AND "kind" = 'temperature' AND ${span}`,
    });
  if (d.latest.interface) {
    out.push({
      title: 'Traffic in',
      unit: 'b/s',
      q: `SELECT sum("in_bps") FROM (SELECT mean("in_bps") AS "in_bps" FROM "interface" WHERE "device" = ${lit(d.name)} AND ${span}, "ifName") GROUP BY time(10m) fill(none)`,
    });
  }
  return out;
}

/**
 * Draws the device's charts from InfluxDB (server-side SVG). A query that fails or times out
 * is left out: the page never waits more than `timeoutMs` on InfluxDB.
 */
export async function deviceCharts(cfg: CollectorConfig['influxdb'], d: DeviceDetail, timeoutMs = 3000): Promise<Safe[]> {
  if (!cfg) return [];
  const qs = chartQueries(d);
  const headers: Record<string, string> = {};
  if (cfg.token) headers.authorization = `Token ${cfg.token}`;
  else if (cfg.username) headers.authorization = `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}`;
  const res = await Promise.all(
    qs.map(async (c) => {
      try {
        const u = new URL('/query', cfg.url);
        u.searchParams.set('db', cfg.database);
        u.searchParams.set('epoch', 'ms');
        u.searchParams.set('q', c.q);
        const r = await fetch(u, { headers, signal: AbortSignal.timeout(timeoutMs) });
        if (!r.ok) return undefined;
        const body = (await r.json()) as { results?: { series?: { values?: [number, number | null][] }[] }[] };
        const pts = (body.results?.[0]?.series?.[0]?.values ?? []).filter((v): v is [number, number] => typeof v[1] === 'number');
        return pts.length >= 2 ? lineChart(c.title, pts, c.unit) : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return res.filter((x): x is Safe => x !== undefined);
}
