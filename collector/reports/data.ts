import type { CablingReportFacts } from '../cabling/register.ts';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { InspectionRecord, ProblemRecord } from '../inspections/store.ts';
import { type InfluxReader, ident, num, ts, val, type Series } from './influxql.ts';
import { localMidnight, type Period } from './period.ts';

export interface DeviceRow {
  name: string;
  kind: string;
  building: string;
  floor: string;
  shaft: string;
  /** Share of polls the device answered, in %; null without data. */
  availability_pct: number | null;
  reboots: number;
  ports_down: number;
  port_errors: number;
  flaps: number;
  peak_temp_c: number | null;
}

export interface CameraRow {
  name: string;
  building: string;
  floor: string;
  /** Days with data, and days whose 24 h uptime met the target. */
  days: number;
  compliant_days: number;
  worst_24h_pct: number | null;
  month_pct: number | null;
}

export interface PcRow {
  host: string;
  building: string;
  floor: string;
  days_since_patch: number | null;
  security_pending: number | null;
  av_protected: boolean | null;
  disk_used_max_pct: number | null;
  patch_ok: boolean;
  av_ok: boolean;
}

export interface AlertRow {
  rule: string;
  target: string;
  severity: string;
  started_ms: number;
  acked_ms: number | null;
  resolved_ms: number | null;
  /** When the engineer was recorded on site; null when not recorded (ack is then the proxy). */
  onsite_ms: number | null;
  /** The alerts module's own SLA verdict (not resolved within the contract time), when it provides one. */
  sla_breach?: boolean;
}

export interface SmsRow {
  purpose: string;
  sent_parts: number;
  budget_used_pct: number | null;
}

export interface DailyPoint {
  /** Local date, YYYY-MM-DD. */
  day: string;
  value: number | null;
}

/** Everything one monthly report shows; made by a ReportSource, rendered by renderReport. */
export interface ReportData {
  period: Period;
  organisation: string;
  contractor: string;
  generated_ms: number;
  targets: { camera_24h_pct: number; device_availability_pct: number; onsite_sla_minutes: number; patch_warn_days: number };
  devices: DeviceRow[];
  cameras: CameraRow[];
  pcs: PcRow[];
  alerts: AlertRow[];
  sms: SmsRow[];
  sms_budget_parts: number | null;
  trend: { device_availability: DailyPoint[]; camera_uptime: DailyPoint[] };
  inspections: InspectionRecord[];
  problems: ProblemRecord[];
  /** The cabling register's figures, when it runs and has a port map. */
  cabling?: CablingReportFacts | null;
}

/**
 * What the alerts module offers the report (ctx.modules.get('alerts'), see AlertsApi in
 * collector/alerts/module.ts), looked up by duck typing at run time. When it is absent the
 * report reads alert_state and sms_usage from InfluxDB.
 */
export interface AlertsProvider {
  /** SLA rows for alerts fired in [fromMs, toMs): `breach` = not resolved within the contract time. */
  sla?(
    fromMs: number,
    toMs: number,
  ): { rows: { rule: string; target: string; severity: string; fired_ms: number; acked_ms: number | null; resolved_ms: number | null; breach: boolean; silenced?: boolean }[] };
  smsUsage?(year?: number): { quota: number; used_parts: number; by_purpose: Record<string, number> } | undefined;
}
/**
 * The uptime ledger (ctx.modules.get('uptime'), UptimeService in collector/uptime/module.ts):
 * exact intervals with maintenance excluded. When it runs, per-camera daily and monthly
 * uptime come from it instead of InfluxDB.
 */
export interface UptimeProvider {
  ledger?: { targets(): { target: string; kind: string }[] };
  report?(target: string, from: number, to: number): { uptime_pct: number | null };
}

/** Per-camera rows from the uptime ledger: one report per local day and one for the month (up to now). */
export function camerasFromLedger(u: Required<UptimeProvider>, p: Period, target24: number, now: number, loc: (name: string) => { building: string; floor: string }): { rows: CameraRow[]; trend: Map<string, { sum: number; n: number }> } {
  const days: { day: string; from: number; to: number }[] = [];
  const [y, m] = p.month.split('-').map(Number) as [number, number];
  for (let d = 1; ; d++) {
    const from = localMidnight(y, m, d, p.tz);
    if (from >= p.endMs || from >= now) break;
    days.push({ day: `${p.month}-${String(d).padStart(2, '0')}`, from, to: Math.min(localMidnight(y, m, d + 1, p.tz), now) });
  }
  const trend = new Map<string, { sum: number; n: number }>();
  const rows: CameraRow[] = [];
  for (const { target } of u.ledger.targets().filter((x) => x.kind === 'camera')) {
    const c: CameraRow = { name: target, ...loc(target), days: 0, compliant_days: 0, worst_24h_pct: null, month_pct: u.report(target, p.startMs, Math.min(p.endMs, now)).uptime_pct };
    for (const d of days) {
      const pct = u.report(target, d.from, d.to).uptime_pct;
      if (pct === null) continue;
      c.days++;
      if (pct >= target24) c.compliant_days++;
      c.worst_24h_pct = c.worst_24h_pct === null ? pct : Math.min(c.worst_24h_pct, pct);
      const t = trend.get(d.day) ?? { sum: 0, n: 0 };
      t.sum += pct;
      t.n++;
      trend.set(d.day, t);
    }
    if (c.days || c.month_pct !== null) rows.push(c);
  }
  return { rows, trend };
}

/** Inspections and problems for a period (the inspections module's store). */
export interface InspectionFacts {
  inspectionsIn(startMs: number, endMs: number): InspectionRecord[];
  problemsFor(startMs: number, endMs: number): ProblemRecord[];
}

export interface ReportSourceDeps {
  config: CollectorConfig;
  influx: InfluxReader | undefined;
  inspections?: InspectionFacts | undefined;
  modules?: Map<string, unknown>;
  now?: () => number;
}

function tagOf(s: Series, k: string): string {
  return s.tags[k] ?? '';
}

/** `GROUP BY time(1d)` aligned to local midnight of the report's time zone. */
function dayGroup(p: Period): string {
  const offMin = (((p.startMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  return `time(1d, ${offMin}m)`;
}

function dayLabel(ms: number, p: Period): string {
  // Buckets start at local midnight; the local date is the bucket start shifted by the offset.
  const off = (86_400_000 - (((p.startMs % 86_400_000) + 86_400_000) % 86_400_000)) % 86_400_000;
  return new Date(ms + off).toISOString().slice(0, 10);
}

/** Gathers ReportData for one month: from InfluxDB (InfluxQL), the state DB and, when present, other modules. */
export async function gatherReportData(period: Period, deps: ReportSourceDeps): Promise<ReportData> {
  const cfg = deps.config;
  const r = cfg.reports;
  const th = cfg.inspections.thresholds;
  const now = deps.now ?? Date.now;
  const q = deps.influx;
  const range = `time >= ${ts(period.startMs)} AND time < ${ts(period.endMs)}`;
  const EDGE = 3 * 86_400_000;
  const head = `time >= ${ts(period.startMs)} AND time < ${ts(Math.min(period.endMs, period.startMs + EDGE))}`;
  const tail = `time >= ${ts(Math.max(period.startMs, period.endMs - EDGE))} AND time < ${ts(period.endMs)}`;
  const lastWeek = `time >= ${ts(Math.max(period.startMs, period.endMs - 7 * 86_400_000))} AND time < ${ts(period.endMs)}`;
  const run = async (s: string): Promise<Series[]> => (q ? q.query(s) : []);
  const inv = new Map(cfg.inventory.devices.map((d) => [d.name, d]));
  const loc = (name: string, s?: Series) => {
    const d = inv.get(name);
    return {
      building: d?.building ?? (s ? tagOf(s, 'building') : ''),
      floor: d?.floor ?? (s ? tagOf(s, 'floor') : ''),
      shaft: d?.shaft ?? (s ? tagOf(s, 'shaft') : ''),
    };
  };
  const locGroup = `${ident('building')}, ${ident('floor')}, ${ident('shaft')}`;

  // Network devices.
  const [avail, temps, ports, devUptime, dailyAvail] = await Promise.all([
    run(`SELECT MEAN("up") AS avail, SUM("reboot") AS reboots FROM "snmp_device" WHERE ${range} GROUP BY "device", ${locGroup}`),
    run(`SELECT MAX("value") AS peak FROM "sensor" WHERE ${range} AND "kind" = 'temperature' GROUP BY "device"`),
    // Whole-month scans only where the month is needed (flaps); state at the end and counter
    // deltas come from the first and last days, which keeps InfluxDB's work near one field.
    Promise.all([
      run(`SELECT LAST("admin_status") AS admin, LAST("oper_status") AS oper, LAST("in_errors") AS last_errs FROM "interface" WHERE ${tail} GROUP BY "device", "ifName"`),
      run(`SELECT FIRST("in_errors") AS first_errs FROM "interface" WHERE ${head} GROUP BY "device", "ifName"`),
      run(`SELECT SUM("flaps") AS flaps FROM "interface" WHERE ${range} GROUP BY "device", "ifName"`),
    ]),
    run(`SELECT LAST("uptime_month_pct") AS month FROM "device_uptime" WHERE ${range} GROUP BY "device"`),
    run(`SELECT MEAN("up") AS avail FROM "snmp_device" WHERE ${range} GROUP BY ${dayGroup(period)}`),
  ]);
  const devices = new Map<string, DeviceRow>();
  const dev = (name: string, s?: Series): DeviceRow => {
    let d = devices.get(name);
    if (!d) {
      d = { name, kind: inv.get(name)?.kind ?? 'switch', ...loc(name, s), availability_pct: null, reboots: 0, ports_down: 0, port_errors: 0, flaps: 0, peak_temp_c: null };
      devices.set(name, d);
    }
    return d;
  };
  for (const s of avail) {
    const row = s.values[0]!;
    const d = dev(tagOf(s, 'device'), s);
    const a = num(s, row, 'avail');
    d.availability_pct = a === null ? null : a * 100;
    d.reboots = num(s, row, 'reboots') ?? 0;
  }
  for (const s of devUptime) {
    const m = num(s, s.values[0]!, 'month');
    if (m !== null) dev(tagOf(s, 'device')).availability_pct = m;
  }
  for (const s of temps) dev(tagOf(s, 'device')).peak_temp_c = num(s, s.values[0]!, 'peak');
  const [portEnd, portStart, portFlaps] = ports;
  const portKey = (s: Series) => `${tagOf(s, 'device')}\u0000${tagOf(s, 'ifName')}`;
  const firstErrs = new Map(portStart.map((s) => [portKey(s), num(s, s.values[0]!, 'first_errs')]));
  for (const s of portEnd) {
    const row = s.values[0]!;
    const d = dev(tagOf(s, 'device'));
    if (num(s, row, 'admin') === 1 && num(s, row, 'oper') === 2) d.ports_down++;
    const last = num(s, row, 'last_errs');
    const first = firstErrs.get(portKey(s));
    // A counter that went down was reset (reboot): count what it gained since.
    if (last !== null) d.port_errors += first === null || first === undefined ? 0 : last >= first ? last - first : last;
  }
  for (const s of portFlaps) dev(tagOf(s, 'device')).flaps += num(s, s.values[0]!, 'flaps') ?? 0;

  // Cameras: the uptime ledger when it runs, else camera_uptime from InfluxDB, else raw `camera.up`.
  const uptime = deps.modules?.get('uptime') as UptimeProvider | undefined;
  let cameras: CameraRow[] | undefined;
  const camTrend = new Map<string, { sum: number; n: number }>();
  if (typeof uptime?.report === 'function' && typeof uptime.ledger?.targets === 'function') {
    const l = camerasFromLedger(uptime as Required<UptimeProvider>, period, r.camera_24h_target_pct, now(), (n) => loc(n));
    if (l.rows.length) {
      cameras = l.rows;
      for (const [k, v] of l.trend) camTrend.set(k, v);
    }
  }
  const target24 = r.camera_24h_target_pct;
  const [camDaily, camMonth] = cameras
    ? [[], []]
    : await Promise.all([
        run(`SELECT LAST("uptime_24h_pct") AS u FROM "camera_uptime" WHERE ${range} GROUP BY "camera", ${locGroup}, ${dayGroup(period)}`),
        run(`SELECT LAST("uptime_month_pct") AS m FROM "camera_uptime" WHERE ${range} GROUP BY "camera"`),
      ]);
  // Raw `camera.up` only when the uptime ledger wrote nothing for the month.
  const camRaw = cameras || camDaily.length ? [] : await run(`SELECT MEAN("up") AS u FROM "camera" WHERE ${range} GROUP BY "camera", ${locGroup}, ${dayGroup(period)}`);
  if (!cameras) {
    const byCam = new Map<string, CameraRow>();
    const daily = camDaily.length ? camDaily : camRaw;
    const scale = camDaily.length ? 1 : 100;
    for (const s of daily) {
      const name = tagOf(s, 'camera');
      const old = byCam.get(name);
      const c: CameraRow = old ?? { name, ...loc(name, s), days: 0, compliant_days: 0, worst_24h_pct: null, month_pct: null };
      if (!old) byCam.set(name, c);
      if (!c.building) Object.assign(c, { building: tagOf(s, 'building'), floor: tagOf(s, 'floor') });
      let sum = 0;
      let n = 0;
      for (const row of s.values) {
        const u = num(s, row, 'u');
        if (u === null) continue;
        const pct = u * scale;
        c.days++;
        if (pct >= target24) c.compliant_days++;
        c.worst_24h_pct = c.worst_24h_pct === null ? pct : Math.min(c.worst_24h_pct, pct);
        sum += pct;
        n++;
        const day = dayLabel(Date.parse(String(val(s, row, 'time'))), period);
        const t = camTrend.get(day) ?? { sum: 0, n: 0 };
        t.sum += pct;
        t.n++;
        camTrend.set(day, t);
      }
      if (n && !camDaily.length) c.month_pct = sum / n;
    }
    for (const s of camMonth) {
      const c = byCam.get(tagOf(s, 'camera'));
      if (c) c.month_pct = num(s, s.values[0]!, 'm');
    }
    cameras = [...byCam.values()];
  }

  // PCs.
  const [patches, av, disks] = await Promise.all([
    // Patch and antivirus state at the end of the month: the last week is enough.
    run(`SELECT LAST("days_since_patch") AS days, LAST("security_pending") AS sec FROM "patches" WHERE ${lastWeek} GROUP BY "host", ${locGroup}`),
    run(`SELECT LAST("protected") AS p FROM "antivirus_status" WHERE ${lastWeek} GROUP BY "host", ${locGroup}`),
    run(`SELECT MAX("used_percent") AS used FROM "disk" WHERE ${range} GROUP BY "host"`),
  ]);
  const pcs = new Map<string, PcRow>();
  const pc = (s: Series): PcRow => {
    const host = tagOf(s, 'host');
    let p = pcs.get(host);
    if (!p) {
      const l = loc(host, s);
      p = { host, building: l.building, floor: l.floor, days_since_patch: null, security_pending: null, av_protected: null, disk_used_max_pct: null, patch_ok: false, av_ok: false };
      pcs.set(host, p);
    }
    return p;
  };
  for (const s of patches) {
    const p = pc(s);
    p.days_since_patch = num(s, s.values[0]!, 'days');
    p.security_pending = num(s, s.values[0]!, 'sec');
  }
  for (const s of av) {
    const v = val(s, s.values[0]!, 'p');
    pc(s).av_protected = typeof v === 'boolean' ? v : null;
  }
  for (const s of disks) {
    const p = pcs.get(tagOf(s, 'host'));
    if (p) p.disk_used_max_pct = num(s, s.values[0]!, 'used');
  }
  for (const p of pcs.values()) {
    p.patch_ok = p.days_since_patch !== null && p.days_since_patch <= th.patch_warn_days && (p.security_pending ?? 0) === 0;
    p.av_ok = p.av_protected === true;
  }

  // Alerts and SMS: the alerts module's own SLA rows and SMS budget when it runs, else InfluxDB.
  const alertsMod = deps.modules?.get('alerts') as AlertsProvider | undefined;
  let alerts: AlertRow[];
  if (typeof alertsMod?.sla === 'function') {
    alerts = alertsMod.sla(period.startMs, period.endMs).rows.map((a) => ({
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      started_ms: a.fired_ms,
      acked_ms: a.acked_ms,
      resolved_ms: a.resolved_ms,
      onsite_ms: null,
      sla_breach: a.silenced ? false : a.breach,
    }));
  } else alerts = episodes(await run(`SELECT "state" FROM "alert_state" WHERE ${range} GROUP BY "rule", "target", "severity"`));

  let sms: SmsRow[] = [];
  let budget: number | null = r.sms_yearly_budget_parts ?? null;
  const usage = typeof alertsMod?.smsUsage === 'function' ? alertsMod.smsUsage(Number(period.month.slice(0, 4))) : undefined;
  if (usage) {
    budget = usage.quota || budget;
    sms = Object.entries(usage.by_purpose).map(([purpose, n]) => ({ purpose, sent_parts: n, budget_used_pct: usage.quota ? (n * 100) / usage.quota : null }));
  } else {
    for (const s of await run(`SELECT LAST("sent_parts") AS sent, LAST("budget_used_pct") AS pct FROM "sms_usage" WHERE time < ${ts(period.endMs)} AND time >= ${ts(period.endMs - 366 * 86_400_000)} GROUP BY "purpose"`)) {
      sms.push({ purpose: tagOf(s, 'purpose'), sent_parts: num(s, s.values[0]!, 'sent') ?? 0, budget_used_pct: num(s, s.values[0]!, 'pct') });
    }
    if (budget === null) {
      const total = sms.reduce((a, b) => a + b.sent_parts, 0);
      const pct = sms.reduce((a, b) => a + (b.budget_used_pct ?? 0), 0);
      if (pct > 0) budget = Math.round((total * 100) / pct);
    }
  }

  const deviceTrend: DailyPoint[] = [];
  for (const s of dailyAvail)
    for (const row of s.values) {
      const a = num(s, row, 'avail');
      deviceTrend.push({ day: dayLabel(Date.parse(String(val(s, row, 'time'))), period), value: a === null ? null : a * 100 });
    }
  const cameraTrend = [...camTrend.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, t]) => ({ day, value: t.sum / t.n }));

  const byLoc = (a: { building: string; floor: string; name?: string; host?: string }, b: typeof a) =>
    a.building.localeCompare(b.building) || a.floor.localeCompare(b.floor, undefined, { numeric: true }) || (a.name ?? a.host ?? '').localeCompare(b.name ?? b.host ?? '');
  return {
    period,
    organisation: r.organisation,
    contractor: r.contractor,
    generated_ms: now(),
    targets: { camera_24h_pct: target24, device_availability_pct: r.device_availability_target_pct, onsite_sla_minutes: r.onsite_sla_minutes, patch_warn_days: th.patch_warn_days },
    devices: [...devices.values()].sort((a, b) => a.shaft.localeCompare(b.shaft) || byLoc(a, b)),
    cameras: cameras.sort(byLoc),
    pcs: [...pcs.values()].sort(byLoc),
    alerts: alerts.sort((a, b) => a.started_ms - b.started_ms),
    sms,
    sms_budget_parts: budget,
    trend: { device_availability: deviceTrend, camera_uptime: cameraTrend },
    inspections: deps.inspections?.inspectionsIn(period.startMs, period.endMs) ?? [],
    problems: deps.inspections?.problemsFor(period.startMs, period.endMs) ?? [],
    cabling: cablingFacts(deps.modules, period),
  };
}

function cablingFacts(modules: Map<string, unknown> | undefined, p: Period): CablingReportFacts | null {
  const reg = (modules?.get('cabling') as { register?: { reportFacts?(a: number, b: number): CablingReportFacts } } | undefined)?.register;
  if (typeof reg?.reportFacts !== 'function') return null;
  const f = reg.reportFacts(p.startMs, p.endMs);
  return f.switches ? f : null;
}

/** Alert episodes from alert_state transitions: firing → acknowledged → resolved. */
export function episodes(series: Series[]): AlertRow[] {
  const out: AlertRow[] = [];
  for (const s of series) {
    let cur: AlertRow | undefined;
    for (const row of s.values) {
      const t = Date.parse(String(val(s, row, 'time')));
      const state = String(val(s, row, 'state'));
      if (state === 'firing' && !cur) {
        cur = { rule: tagOf(s, 'rule'), target: tagOf(s, 'target'), severity: tagOf(s, 'severity'), started_ms: t, acked_ms: null, resolved_ms: null, onsite_ms: null };
        out.push(cur);
      } else if (state === 'acknowledged' && cur && cur.acked_ms === null) cur.acked_ms = t;
      else if (state === 'resolved' && cur) {
        cur.resolved_ms = t;
        cur = undefined;
      }
    }
  }
  return out;
}
