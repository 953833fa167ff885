import { type InfluxReader, ident, num, str, ts, val, type Series } from '../store/influx-reader.ts';

export interface SwitchFacts {
  /** Last poll answered (1/0), null without data in the window. */
  up: number | null;
  reboots: number;
  /** Ports administratively up but operationally down at the last poll. */
  ports_down: string[];
  new_errors: number;
  flaps: number;
  peak_temp_c: number | null;
  /** Fans/PSUs whose last status is not ok, as "kind:entity=status". */
  bad_sensors: string[];
  config_changes: number;
}

export interface CameraFacts {
  up: number | null;
  uptime_24h_pct: number | null;
  uptime_month_pct: number | null;
  clock_drift_s: number | null;
  stream_ok: boolean | null;
  snapshot_problem: string | null;
  firmware: string | null;
}

export interface PcFacts {
  days_since_patch: number | null;
  security_pending: number | null;
  av_protected: boolean | null;
  disk_used_max_pct: number | null;
  smart_failed: number | null;
}

export interface PrinterFacts {
  /** Last poll answered (1/0), null without data in the window. */
  up: number | null;
  /** The printer probe's supplies in words at the last poll ("黑色碳粉 8%"), '' when none. */
  supplies_low: string;
  supplies_empty: string;
  waste_near_full: string;
  waste_full: string;
  /** prtAlertTable rows open at the last poll. */
  alerts_open: number | null;
  /** Error conditions set at the last poll (jammed, door_open, …). */
  conditions: string[];
  /** Sum of pages_printed over the window, null when the printer counts no pages. */
  pages: number | null;
}

export interface ServerFacts {
  checks: { check: string; ok: boolean | null; value: number | null; exit_code: number | null }[];
}

/**
 * Live state and deltas an inspection run evaluates, per device, for a window [sinceMs, untilMs)
 * (since the previous signed inspection). Implemented over InfluxDB; tests may pass their own.
 */
export interface InspectionInputs {
  switches(devices: string[], sinceMs: number, untilMs: number): Promise<Map<string, SwitchFacts>>;
  cameras(devices: string[], sinceMs: number, untilMs: number): Promise<Map<string, CameraFacts>>;
  pcs(devices: string[], sinceMs: number, untilMs: number): Promise<Map<string, PcFacts>>;
  servers(devices: string[], sinceMs: number, untilMs: number): Promise<Map<string, ServerFacts>>;
  /** Printers among the devices (those the printer probe reports); optional for inputs written before printers. */
  printers?(devices: string[], sinceMs: number, untilMs: number): Promise<Map<string, PrinterFacts>>;
}

/** Printer conditions an inspection lists (the printer probe's 0/1 fields). */
export const PRINTER_CONDITIONS = [
  'jammed',
  'door_open',
  'offline',
  'service_requested',
  'no_toner',
  'no_paper',
  'marker_supply_missing',
  'input_tray_missing',
  'output_full',
  'overdue_prevent_maint',
] as const;

const inList = (tag: string, names: string[]) => `(${names.map((n) => `${ident(tag)} = ${str(n)}`).join(' OR ')})`;
const first = (s: Series) => s.values[0] ?? [];
const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);

const range = (a: number, b: number) => `time >= ${ts(a)} AND time < ${ts(b)}`;

/** Switches: reachability, reboots, ports down, new errors, flaps, peak temperature, bad fans/PSUs, config changes. */
async function switchesFacts(q: InfluxReader, devices: string[], since: number, until: number): Promise<Map<string, SwitchFacts>> {
  const out = new Map<string, SwitchFacts>();
  if (!devices.length) return out;
  const w = `${range(since, until)} AND ${inList('device', devices)}`;
  const [dev, ifs, temp, sens, ev] = await Promise.all([
    q.query(`SELECT LAST("up") AS up, SUM("reboot") AS reboots FROM "snmp_device" WHERE ${w} GROUP BY "device"`),
    q.query(
      `SELECT LAST("admin_status") AS a, LAST("oper_status") AS o, SPREAD("in_errors") AS e, SUM("flaps") AS f FROM "interface" WHERE ${w} GROUP BY "device", "ifName"`,
    ),
    q.query(`SELECT MAX("value") AS t FROM "sensor" WHERE ${w} AND "kind" = 'temperature' GROUP BY "device"`),
    q.query(`SELECT LAST("status") AS s FROM "sensor" WHERE ${w} AND ("kind" = 'fan' OR "kind" = 'psu') GROUP BY "device", "kind", "entity"`),
    q.query(
      `SELECT COUNT("message") AS n FROM "event" WHERE ${range(since, until)} AND "kind" = 'config_change' AND ${inList('target', devices)} GROUP BY "target"`,
    ),
  ]);
  const get = (d: string) => {
    let f = out.get(d);
    if (!f) out.set(d, (f = { up: null, reboots: 0, ports_down: [], new_errors: 0, flaps: 0, peak_temp_c: null, bad_sensors: [], config_changes: 0 }));
    return f;
  };
  for (const s of dev) Object.assign(get(s.tags.device!), { up: num(s, first(s), 'up'), reboots: num(s, first(s), 'reboots') ?? 0 });
  for (const s of ifs) {
    const f = get(s.tags.device!);
    if (num(s, first(s), 'a') === 1 && num(s, first(s), 'o') === 2) f.ports_down.push(s.tags.ifName!);
    f.new_errors += num(s, first(s), 'e') ?? 0;
    f.flaps += num(s, first(s), 'f') ?? 0;
  }
  for (const s of temp) get(s.tags.device!).peak_temp_c = num(s, first(s), 't');
  for (const s of sens) {
    const st = String(val(s, first(s), 's'));
    if (st !== 'ok' && st !== 'absent') get(s.tags.device!).bad_sensors.push(`${s.tags.kind}:${s.tags.entity}=${st}`);
  }
  for (const s of ev) get(s.tags.target!).config_changes = num(s, first(s), 'n') ?? 0;
  return out;
}

/** Cameras: last state, uptime (the ledger's when written), clock drift, stream and snapshot, firmware. */
async function camerasFacts(q: InfluxReader, devices: string[], since: number, until: number): Promise<Map<string, CameraFacts>> {
  const out = new Map<string, CameraFacts>();
  if (!devices.length) return out;
  const w = `${range(since, until)} AND ${inList('camera', devices)}`;
  const day = `${range(until - 86_400_000, until)} AND ${inList('camera', devices)}`;
  const [last, ledger, day24, whole] = await Promise.all([
    q.query(
      `SELECT LAST("up") AS up, LAST("clock_drift_s") AS drift, LAST("stream_ok") AS stream, LAST("reachable") AS reach, LAST("auth") AS auth, LAST("snapshot_problem") AS snap, LAST("firmware") AS fw FROM "camera" WHERE ${w} GROUP BY "camera"`,
    ),
    q.query(`SELECT LAST("uptime_24h_pct") AS d, LAST("uptime_month_pct") AS m FROM "camera_uptime" WHERE ${w} GROUP BY "camera"`),
    q.query(`SELECT MEAN("up") AS u FROM "camera" WHERE ${day} GROUP BY "camera"`),
    q.query(`SELECT MEAN("up") AS u FROM "camera" WHERE ${w} GROUP BY "camera"`),
  ]);
  const get = (d: string) => {
    let f = out.get(d);
    if (!f)
      out.set(
        d,
        (f = { up: null, uptime_24h_pct: null, uptime_month_pct: null, clock_drift_s: null, stream_ok: null, snapshot_problem: null, firmware: null }),
      );
    return f;
  };
  for (const s of day24) get(s.tags.camera!).uptime_24h_pct = (num(s, first(s), 'u') ?? 0) * 100;
  for (const s of whole) get(s.tags.camera!).uptime_month_pct = (num(s, first(s), 'u') ?? 0) * 100;
  // The uptime ledger's figures (which exclude maintenance windows) win over raw means.
  for (const s of ledger) {
    const f = get(s.tags.camera!);
    f.uptime_24h_pct = num(s, first(s), 'd') ?? f.uptime_24h_pct;
    f.uptime_month_pct = num(s, first(s), 'm') ?? f.uptime_month_pct;
  }
  for (const s of last) {
    const r = first(s);
    const f = get(s.tags.camera!);
    const snap = val(s, r, 'snap');
    const fw = val(s, r, 'fw');
    const up = num(s, r, 'up');
    // Older agents wrote stream_ok=false when the stream check was off or the camera was
    // unreachable. up = reachable ∧ auth ok ∧ (stream ok or not tried), so a false stream_ok
    // is a failed stream only when the camera was down while reachable and authenticated.
    let stream = bool(val(s, r, 'stream'));
    if (stream === false && !(up === 0 && bool(val(s, r, 'reach')) === true && val(s, r, 'auth') !== 'failed')) stream = null;
    Object.assign(f, {
      up,
      clock_drift_s: num(s, r, 'drift'),
      stream_ok: stream,
      snapshot_problem: typeof snap === 'string' ? snap : null,
      firmware: typeof fw === 'string' ? fw : null,
    });
  }
  return out;
}

/** PCs: patches, antivirus, fullest disk, SMART failures. */
async function pcsFacts(q: InfluxReader, devices: string[], since: number, until: number): Promise<Map<string, PcFacts>> {
  const out = new Map<string, PcFacts>();
  if (!devices.length) return out;
  const w = `${range(since, until)} AND ${inList('host', devices)}`;
  const [p, a, d, inv] = await Promise.all([
    q.query(`SELECT LAST("days_since_patch") AS days, LAST("security_pending") AS sec FROM "patches" WHERE ${w} GROUP BY "host"`),
    q.query(`SELECT LAST("protected") AS p FROM "antivirus_status" WHERE ${w} GROUP BY "host"`),
    q.query(`SELECT MAX("used_percent") AS u FROM "disk" WHERE ${w} GROUP BY "host"`),
    q.query(`SELECT LAST("disks_smart_failed") AS f FROM "host_inventory" WHERE ${w} GROUP BY "host"`),
  ]);
  const get = (h: string) => {
    let f = out.get(h);
    if (!f) out.set(h, (f = { days_since_patch: null, security_pending: null, av_protected: null, disk_used_max_pct: null, smart_failed: null }));
    return f;
  };
  for (const s of p) Object.assign(get(s.tags.host!), { days_since_patch: num(s, first(s), 'days'), security_pending: num(s, first(s), 'sec') });
  for (const s of a) get(s.tags.host!).av_protected = bool(val(s, first(s), 'p'));
  for (const s of d) get(s.tags.host!).disk_used_max_pct = num(s, first(s), 'u');
  for (const s of inv) get(s.tags.host!).smart_failed = num(s, first(s), 'f');
  return out;
}

/** Printers: supplies, waste, open alerts, conditions, pages printed. */
async function printersFacts(q: InfluxReader, devices: string[], since: number, until: number): Promise<Map<string, PrinterFacts>> {
  const out = new Map<string, PrinterFacts>();
  if (!devices.length) return out;
  const w = `${range(since, until)} AND ${inList('device', devices)}`;
  const conds = PRINTER_CONDITIONS.map((c) => `LAST(${ident(c)}) AS ${ident(c)}`).join(', ');
  const [last, pages] = await Promise.all([
    q.query(
      `SELECT LAST("up") AS up, LAST("supplies_low") AS sl, LAST("supplies_empty") AS se, LAST("waste_near_full") AS wn, LAST("waste_full") AS wf, LAST("alerts_open") AS ao, ${conds} FROM "printer" WHERE ${w} GROUP BY "device"`,
    ),
    q.query(`SELECT SUM("pages_printed") AS p FROM "printer" WHERE ${w} GROUP BY "device"`),
  ]);
  const text = (s: Series, k: string) => {
    const v = val(s, first(s), k);
    return typeof v === 'string' ? v : '';
  };
  for (const s of last) {
    out.set(s.tags.device!, {
      up: num(s, first(s), 'up'),
      supplies_low: text(s, 'sl'),
      supplies_empty: text(s, 'se'),
      waste_near_full: text(s, 'wn'),
      waste_full: text(s, 'wf'),
      alerts_open: num(s, first(s), 'ao'),
      conditions: PRINTER_CONDITIONS.filter((c) => num(s, first(s), c) === 1),
      pages: null,
    });
  }
  for (const s of pages) {
    const f = out.get(s.tags.device!);
    if (f) f.pages = num(s, first(s), 'p');
  }
  return out;
}

/** Servers: the last result of each ssh check. */
async function serversFacts(q: InfluxReader, devices: string[], since: number, until: number): Promise<Map<string, ServerFacts>> {
  const out = new Map<string, ServerFacts>();
  if (!devices.length) return out;
  const rows = await q.query(
    `SELECT LAST("ok") AS ok, LAST("value") AS v, LAST("exit_code") AS x FROM "ssh_check" WHERE ${range(since, until)} AND ${inList('device', devices)} GROUP BY "device", "check"`,
  );
  for (const s of rows) {
    const d = s.tags.device!;
    const f = out.get(d) ?? { checks: [] };
    out.set(d, f);
    f.checks.push({ check: s.tags.check!, ok: bool(val(s, first(s), 'ok')), value: num(s, first(s), 'v'), exit_code: num(s, first(s), 'x') });
  }
  return out;
}

/** InspectionInputs read from InfluxDB with InfluxQL. */
export function influxInspectionInputs(q: InfluxReader): InspectionInputs {
  return {
    switches: (devices, since, until) => switchesFacts(q, devices, since, until),
    cameras: (devices, since, until) => camerasFacts(q, devices, since, until),
    pcs: (devices, since, until) => pcsFacts(q, devices, since, until),
    printers: (devices, since, until) => printersFacts(q, devices, since, until),
    servers: (devices, since, until) => serversFacts(q, devices, since, until),
  };
}
