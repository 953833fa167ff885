import type { AlertsApi } from '../alerts/module.ts';
import type { CablingRegister, CablingReportFacts } from '../cabling/register.ts';
import type { CollectorConfig } from '../../config/schema/collector.ts';
import type { InspectionRecord, ProblemRecord } from '../inspections/store.ts';
import { type InfluxReader, ident, num, ts, val, type Series } from '../store/influx-reader.ts';
import { availability, DayCounts, ledgerCounts, periodDays, type Coverage } from './coverage.ts';
import { DeviceIndex, sectionOf } from './devices.ts';
import type { Period } from '../../lib/month-period.ts';
import { localMidnight } from '../../lib/zoned-time.ts';
import type { UptimeLedger } from '../uptime/ledger.ts';
import type { UptimeService } from '../uptime/module.ts';

/** Where a row's device is: its inventory location (empty strings when unregistered). */
export interface RowPlace {
  building: string;
  floor: string;
  shaft: string;
  room: string;
}

export interface DeviceRow extends RowPlace {
  name: string;
  /** Inventory kind (switch, router, …), or "unregistered" for a target not in the inventory. */
  kind: string;
  /** Up share of the monitored time, in %; null when never seen this month. */
  availability_pct: number | null;
  coverage: Coverage;
  reboots: number;
  ports_down: number;
  port_errors: number;
  flaps: number;
  peak_temp_c: number | null;
}

export interface CameraRow extends RowPlace {
  name: string;
  kind: string;
  /** Camera-days: monitored days, and those whose uptime met the 24 h target. */
  days: number;
  compliant_days: number;
  worst_24h_pct: number | null;
  month_pct: number | null;
  coverage: Coverage;
}

/** A PC, printer or server. A null `*_ok` means the check was not made (no data, or not applicable): not checked, never failed. */
export interface PcRow extends RowPlace {
  host: string;
  kind: string;
  availability_pct: number | null;
  coverage: Coverage;
  days_since_patch: number | null;
  security_pending: number | null;
  av_protected: boolean | null;
  disk_used_max_pct: number | null;
  patch_ok: boolean | null;
  av_ok: boolean | null;
  /** Printers: pages printed this month (sum of the probe's reset-safe per-poll counts); null when not polled. */
  pages_month?: number | null;
  /** Printers: each supply at the end of the month, in words (zh) and by name (en). */
  supplies?: { words: string; name: string; percent: number | null; state: string }[];
}

/** A checked website (http_response) in the month: availability over monitored days, median response. */
export interface WebsiteRow extends RowPlace {
  name: string;
  availability_pct: number | null;
  coverage: Coverage;
  median_ms: number | null;
}

/** A certificate (x509_cert, its chain's earliest expiry) or domain registration ending within 60 days. */
export interface ExpiryRow {
  what: 'certificate' | 'domain';
  site: string;
  /** The certificate's name (the one in the chain that ends first) or the domain. */
  name: string;
  end_ms: number;
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
  /** Websites the http probe checked, and certificates/domains that expire within 60 days of the report. */
  websites?: WebsiteRow[];
  expiring?: ExpiryRow[];
}

/**
 * What the alerts module offers the report (AlertsApi in collector/alerts/module.ts, or the
 * CLI's SLA over the state DB). When it is absent the report reads alert_state and sms_usage
 * from InfluxDB.
 */
export type AlertsProvider = Pick<AlertsApi, 'sla'> & Partial<Pick<AlertsApi, 'smsUsage'>>;
/**
 * The uptime ledger (UptimeService in collector/uptime/module.ts, or the CLI's ledger over the
 * state DB): exact intervals with maintenance excluded. Targets it knows are reported from it;
 * the others from polls in InfluxDB.
 */
export type UptimeProvider = Pick<UptimeService, 'report'> & { ledger: Pick<UptimeLedger, 'targets'> };

/** Inspections and problems for a period (the inspections module's store). */
export interface InspectionFacts {
  inspectionsIn(startMs: number, endMs: number): InspectionRecord[];
  problemsFor(startMs: number, endMs: number): ProblemRecord[];
}

export interface ReportSourceDeps {
  config: CollectorConfig;
  influx: InfluxReader | undefined;
  inspections?: InspectionFacts | undefined;
  uptime?: UptimeProvider | undefined;
  alerts?: AlertsProvider | undefined;
  /** The cabling register: the report's cabling section. */
  cabling?: Pick<CablingRegister, 'reportFacts'> | undefined;
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

/** What every section of the gathering shares: the period, its days, the time ranges, the query runner, the inventory. */
interface Gather {
  period: Period;
  cfg: CollectorConfig;
  nowMs: number;
  run(s: string): Promise<Series[]>;
  idx: DeviceIndex;
  days: ReturnType<typeof periodDays>;
  /** The day index of a GROUP BY time(1d) row; -1 outside the period. */
  bucket(s: Series, row: unknown[]): number;
  since(name: string): number | undefined;
  range: string;
  head: string;
  tail: string;
  lastWeek: string;
  byDay: string;
}

function gatherContext(period: Period, deps: ReportSourceDeps): Gather {
  const q = deps.influx;
  const EDGE = 3 * 86_400_000;
  const idx = new DeviceIndex(deps.config.inventory.devices);
  const days = periodDays(period);
  const dayAt = new Map(days.map((d, i) => [d.day, i]));
  return {
    period,
    cfg: deps.config,
    nowMs: (deps.now ?? Date.now)(),
    run: async (s) => (q ? q.query(s) : []),
    idx,
    days,
    bucket: (s, row) => dayAt.get(dayLabel(Date.parse(String(val(s, row, 'time'))), period)) ?? -1,
    since: (name) => idx.monitoredSince(name, (y, m, d) => localMidnight(y, m, d, period.tz)),
    range: `time >= ${ts(period.startMs)} AND time < ${ts(period.endMs)}`,
    head: `time >= ${ts(period.startMs)} AND time < ${ts(Math.min(period.endMs, period.startMs + EDGE))}`,
    tail: `time >= ${ts(Math.max(period.startMs, period.endMs - EDGE))} AND time < ${ts(period.endMs)}`,
    lastWeek: `time >= ${ts(Math.max(period.startMs, period.endMs - 7 * 86_400_000))} AND time < ${ts(period.endMs)}`,
    byDay: `${dayGroup(period)} fill(none)`,
  };
}

/** What was seen of a device: which measurements named it, its day counts, reboots per day. */
interface Seen {
  camera: boolean;
  counts: DayCounts;
  reboots: number[];
}

interface Polls {
  polled: Map<string, Seen>;
  seen(target: string): Seen;
  pages: Map<string, number>;
  supplyRows: Map<string, { index: number; words: string; name: string; percent: number | null; state: string }[]>;
}

/** Availability day by day from polls in InfluxDB (snmp, ping, cameras, printers), printed pages and printer supplies. */
async function polledAvailability(g: Gather): Promise<Polls> {
  const { range, byDay, lastWeek, idx, days, bucket } = g;
  const [snmpDaily, pingAll, pingUp, camDaily, printerDaily, supplies] = await Promise.all([
    g.run(`SELECT SUM("up") AS up, COUNT("up") AS n, SUM("reboot") AS reboots FROM "snmp_device" WHERE ${range} GROUP BY "device", ${byDay}`),
    g.run(`SELECT COUNT("result_code") AS n FROM "ping" WHERE ${range} GROUP BY "url", ${byDay}`),
    g.run(`SELECT COUNT("result_code") AS n FROM "ping" WHERE ${range} AND "result_code" = 0 GROUP BY "url", ${byDay}`),
    g.run(`SELECT SUM("up") AS up, COUNT("up") AS n FROM "camera" WHERE ${range} GROUP BY "camera", ${byDay}`),
    g.run(`SELECT SUM("up") AS up, COUNT("up") AS n, SUM("pages_printed") AS pages FROM "printer" WHERE ${range} GROUP BY "device", ${byDay}`),
    // Written together each poll, so the last values of one supply belong to the same poll.
    g.run(
      `SELECT LAST("percent") AS pct, LAST("state") AS state, LAST("words") AS words, LAST("name") AS label FROM "printer_supply" WHERE ${lastWeek} GROUP BY "device", "index"`,
    ),
  ]);
  const polled = new Map<string, Seen>();
  const seen = (target: string): Seen => {
    const name = idx.nameOf(target);
    let x = polled.get(name);
    if (!x) polled.set(name, (x = { camera: false, counts: new DayCounts(days.length), reboots: new Array<number>(days.length).fill(0) }));
    return x;
  };
  for (const s of snmpDaily) {
    const x = seen(tagOf(s, 'device'));
    for (const row of s.values) {
      const i = bucket(s, row);
      x.counts.add(i, num(s, row, 'up') ?? 0, num(s, row, 'n') ?? 0);
      if (i >= 0) x.reboots[i]! += num(s, row, 'reboots') ?? 0;
    }
  }
  const upPings = new Map<string, number>();
  for (const s of pingUp) for (const row of s.values) upPings.set(`${tagOf(s, 'url')}\u0000${bucket(s, row)}`, num(s, row, 'n') ?? 0);
  for (const s of pingAll) {
    const x = seen(tagOf(s, 'url'));
    for (const row of s.values) {
      const i = bucket(s, row);
      x.counts.add(i, upPings.get(`${tagOf(s, 'url')}\u0000${i}`) ?? 0, num(s, row, 'n') ?? 0);
    }
  }
  const pages = new Map<string, number>();
  for (const s of printerDaily) {
    const name = idx.nameOf(tagOf(s, 'device'));
    const x = seen(name);
    for (const row of s.values) {
      const i = bucket(s, row);
      x.counts.add(i, num(s, row, 'up') ?? 0, num(s, row, 'n') ?? 0);
      // Pages of days before monitoring began are not this report's to count.
      if (i >= 0) pages.set(name, (pages.get(name) ?? 0) + (num(s, row, 'pages') ?? 0));
    }
    if (!pages.has(name)) pages.set(name, 0);
  }
  const supplyRows: Polls['supplyRows'] = new Map();
  for (const s of supplies) {
    const name = idx.nameOf(tagOf(s, 'device'));
    const row = s.values[0]!;
    const list = supplyRows.get(name) ?? [];
    list.push({
      index: Number(tagOf(s, 'index')),
      words: String(val(s, row, 'words') ?? ''),
      name: String(val(s, row, 'label') ?? ''),
      percent: num(s, row, 'pct'),
      state: String(val(s, row, 'state') ?? 'unknown'),
    });
    supplyRows.set(name, list);
  }
  for (const s of camDaily) {
    const x = seen(tagOf(s, 'camera'));
    x.camera = true;
    for (const row of s.values) x.counts.add(bucket(s, row), num(s, row, 'up') ?? 0, num(s, row, 'n') ?? 0);
  }
  return { polled, seen, pages, supplyRows };
}

/** Peak temperatures and the port series (state at the end, error counters at both ends, flaps) for the network section. */
async function networkSeries(g: Gather): Promise<{ temps: Series[]; portEnd: Series[]; portStart: Series[]; portFlaps: Series[] }> {
  const [temps, [portEnd, portStart, portFlaps]] = await Promise.all([
    g.run(`SELECT MAX("value") AS peak FROM "sensor" WHERE ${g.range} AND "kind" = 'temperature' GROUP BY "device"`),
    // Whole-month scans only where the month is needed (flaps); state at the end and counter
    // deltas come from the first and last days, which keeps InfluxDB's work near one field.
    Promise.all([
      g.run(
        `SELECT LAST("admin_status") AS admin, LAST("oper_status") AS oper, LAST("in_errors") AS last_errs FROM "interface" WHERE ${g.tail} GROUP BY "device", "ifName"`,
      ),
      g.run(`SELECT FIRST("in_errors") AS first_errs FROM "interface" WHERE ${g.head} GROUP BY "device", "ifName"`),
      g.run(`SELECT SUM("flaps") AS flaps FROM "interface" WHERE ${g.range} GROUP BY "device", "ifName"`),
    ]),
  ]);
  return { temps, portEnd, portStart, portFlaps };
}

/**
 * Websites: availability by day from the http probe's polls (into `polls`), the month's median
 * response, and what expires soon — the chain's earliest certificate (trust anchor excluded) and the domain.
 */
async function websiteFacts(g: Gather, polls: Polls): Promise<{ sites: Set<string>; medians: Map<string, number[]>; expiring: ExpiryRow[] }> {
  const { range, byDay, lastWeek, idx, bucket } = g;
  const [httpDaily, httpMedian, certs, certNames, domains] = await Promise.all([
    g.run(`SELECT SUM("up") AS up, COUNT("up") AS n FROM "http_response" WHERE ${range} GROUP BY "target_name", "server", ${byDay}`),
    g.run(`SELECT MEDIAN("response_time") AS med FROM "http_response" WHERE ${range} AND "up" = 1 GROUP BY "target_name", "server"`),
    // One selector per query: with two, InfluxDB reports the range's start as the time, and
    // chain_expiry counts from the sample's own time.
    g.run(`SELECT LAST("chain_expiry") AS left FROM "x509_cert" WHERE ${lastWeek} GROUP BY "target_name", "source", "common_name"`),
    g.run(`SELECT LAST("chain_expiry_common_name") AS cn FROM "x509_cert" WHERE ${lastWeek} GROUP BY "target_name", "source", "common_name"`),
    g.run(`SELECT LAST("enddate") AS enddate FROM "domain" WHERE ${lastWeek} GROUP BY "target_name", "domain"`),
  ]);
  const siteName = (s: Series) => idx.nameOf(tagOf(s, 'target_name') || tagOf(s, 'server'));
  const sites = new Set<string>();
  for (const s of httpDaily) {
    const name = siteName(s);
    sites.add(name);
    const x = polls.seen(name);
    for (const row of s.values) x.counts.add(bucket(s, row), num(s, row, 'up') ?? 0, num(s, row, 'n') ?? 0);
  }
  const medians = new Map<string, number[]>();
  for (const s of httpMedian) {
    const m = num(s, s.values[0]!, 'med');
    if (m !== null) medians.set(siteName(s), [...(medians.get(siteName(s)) ?? []), m]);
  }
  const horizon = g.nowMs + 60 * 86_400_000;
  const expiring: ExpiryRow[] = [];
  const certKey = (s: Series) => `${tagOf(s, 'target_name')}\u0000${tagOf(s, 'source')}\u0000${tagOf(s, 'common_name')}`;
  const cnOf = new Map(certNames.map((s) => [certKey(s), String(val(s, s.values[0]!, 'cn') ?? '')]));
  for (const s of certs) {
    const row = s.values[0]!;
    const left = num(s, row, 'left');
    if (left === null) continue;
    // `left` was measured at the sample's own time; the report compares it with its generation time.
    const end = Date.parse(String(val(s, row, 'time'))) + left * 1000;
    if (end < horizon) expiring.push({ what: 'certificate', site: siteName(s), name: cnOf.get(certKey(s)) || tagOf(s, 'common_name'), end_ms: end });
  }
  for (const s of domains) {
    const end = (num(s, s.values[0]!, 'enddate') ?? 0) * 1000;
    if (end && end < horizon) expiring.push({ what: 'domain', site: siteName(s), name: tagOf(s, 'domain'), end_ms: end });
  }
  return { sites, medians, expiring };
}

/** The ledger's day counts for every device it observed (one unit per device: ms, not polls). */
function ledgerAvailability(g: Gather, uptime: UptimeProvider | undefined): Map<string, { camera: boolean; counts: DayCounts }> {
  const ledgered = new Map<string, { camera: boolean; counts: DayCounts }>();
  if (!uptime) return ledgered;
  const reader = { targets: () => uptime.ledger.targets(), report: uptime.report.bind(uptime) };
  for (const [target, l] of ledgerCounts(reader, g.days, g.nowMs)) {
    const name = g.idx.nameOf(target);
    const x = ledgered.get(name) ?? { camera: false, counts: new DayCounts(g.days.length) };
    ledgered.set(name, x);
    x.camera ||= l.kind === 'camera';
    l.counts.days.forEach((c, i) => c && x.counts.add(i, c.up, c.known));
  }
  return ledgered;
}

interface HostFacts {
  tags: RowPlace;
  days_since_patch: number | null;
  security_pending: number | null;
  av_protected: boolean | null;
  disk_used_max_pct: number | null;
}

/** PCs, printers and servers report patches, antivirus and disks about themselves (host tag). */
async function hostFacts(g: Gather): Promise<Map<string, HostFacts>> {
  const { idx } = g;
  const locGroup = `${ident('building')}, ${ident('floor')}, ${ident('shaft')}`;
  const [patches, av, disks] = await Promise.all([
    // Patch and antivirus state at the end of the month: the last week is enough.
    g.run(`SELECT LAST("days_since_patch") AS days, LAST("security_pending") AS sec FROM "patches" WHERE ${g.lastWeek} GROUP BY "host", ${locGroup}`),
    g.run(`SELECT LAST("protected") AS p FROM "antivirus_status" WHERE ${g.lastWeek} GROUP BY "host", ${locGroup}`),
    g.run(`SELECT MAX("used_percent") AS used FROM "disk" WHERE ${g.range} GROUP BY "host"`),
  ]);
  const hosts = new Map<string, HostFacts>();
  const host = (s: Series): HostFacts => {
    const name = idx.nameOf(tagOf(s, 'host'));
    let h = hosts.get(name);
    // The tags of a PC's own samples are its own agent's: its location when it is not in the inventory.
    if (!h)
      hosts.set(
        name,
        (h = {
          tags: { building: tagOf(s, 'building'), floor: tagOf(s, 'floor'), shaft: tagOf(s, 'shaft'), room: '' },
          days_since_patch: null,
          security_pending: null,
          av_protected: null,
          disk_used_max_pct: null,
        }),
      );
    return h;
  };
  for (const s of patches) {
    const h = host(s);
    h.days_since_patch = num(s, s.values[0]!, 'days');
    h.security_pending = num(s, s.values[0]!, 'sec');
  }
  for (const s of av) {
    const v = val(s, s.values[0]!, 'p');
    host(s).av_protected = typeof v === 'boolean' ? v : null;
  }
  // Disks of hosts already known as PCs only: every agent's own host reports its disks too.
  for (const s of disks) {
    const name = idx.nameOf(tagOf(s, 'host'));
    const inv = idx.resolve(name);
    if (hosts.has(name) || (inv && sectionOf(inv.kind) === 'pcs')) host(s).disk_used_max_pct = num(s, s.values[0]!, 'used');
  }
  return hosts;
}

type Avail = (name: string) => ReturnType<typeof availability>;

/** One PC section row (printers and servers too). */
function pcRow(g: Gather, name: string, kind: string, place: RowPlace, a: ReturnType<Avail>, h: HostFacts | undefined, polls: Polls): PcRow {
  const th = g.cfg.inspections.thresholds;
  const patch = h?.days_since_patch ?? null;
  const sec = h?.security_pending ?? null;
  return {
    host: name,
    kind,
    ...place,
    availability_pct: a.pct,
    coverage: a.coverage,
    days_since_patch: patch,
    security_pending: sec,
    av_protected: h?.av_protected ?? null,
    disk_used_max_pct: h?.disk_used_max_pct ?? null,
    patch_ok: patch === null && sec === null ? null : patch !== null && patch <= th.patch_warn_days && (sec ?? 0) === 0,
    av_ok: h?.av_protected === undefined || h.av_protected === null ? null : h.av_protected,
    ...(kind === 'printer' || polls.pages.has(name)
      ? {
          pages_month: polls.pages.get(name) ?? null,
          supplies: (polls.supplyRows.get(name) ?? []).sort((x, y) => x.index - y.index).map(({ index: _i, ...rest }) => rest),
        }
      : {}),
  };
}

/** Every inventory device is listed, seen or not; every target seen is listed, registered or not: one row each in its section. */
function deviceSections(
  g: Gather,
  s: { polls: Polls; ledgered: ReturnType<typeof ledgerAvailability>; hosts: Map<string, HostFacts>; avail: Avail },
): { devices: DeviceRow[]; cameras: CameraRow[]; pcs: PcRow[]; byName: Map<string, DeviceRow> } {
  const { idx } = g;
  const { polled, pages } = s.polls;
  const names = new Set<string>([...idx.devices.map((d) => d.name), ...polled.keys(), ...s.ledgered.keys(), ...s.hosts.keys()]);
  const devices: DeviceRow[] = [];
  const cameras: CameraRow[] = [];
  const pcs: PcRow[] = [];
  const target24 = g.cfg.reports.camera_24h_target_pct;
  const byName = new Map<string, DeviceRow>();
  for (const name of names) {
    const inv = idx.resolve(name);
    const kind = inv?.kind ?? 'unregistered';
    const section = inv
      ? sectionOf(inv.kind)
      : s.hosts.has(name) || pages.has(name)
        ? 'pcs'
        : s.ledgered.get(name)?.camera || polled.get(name)?.camera
          ? 'cctv'
          : 'network';
    const a = s.avail(name);
    const h = s.hosts.get(name);
    const place = inv ? idx.place(name) : (h?.tags ?? { building: '', floor: '', shaft: '', room: '' });
    if (section === 'cctv') {
      const daily = a.daily.filter((v): v is number => v !== null);
      cameras.push({
        name,
        kind,
        ...place,
        days: daily.length,
        compliant_days: daily.filter((v) => v >= target24).length,
        worst_24h_pct: daily.length ? Math.min(...daily) : null,
        month_pct: a.pct,
        coverage: a.coverage,
      });
    } else if (section === 'pcs') {
      pcs.push(pcRow(g, name, kind, place, a, h, s.polls));
    } else {
      const reboots = (polled.get(name)?.reboots ?? []).reduce((sum, n, i) => (a.daily[i] === null ? sum : sum + n), 0);
      const row: DeviceRow = {
        name,
        kind,
        ...place,
        availability_pct: a.pct,
        coverage: a.coverage,
        reboots,
        ports_down: 0,
        port_errors: 0,
        flaps: 0,
        peak_temp_c: null,
      };
      devices.push(row);
      byName.set(name, row);
    }
  }
  return { devices, cameras, pcs, byName };
}

/** Peak temperature, ports down, port errors and flaps into the network rows. */
function applyNetworkSeries(g: Gather, byName: Map<string, DeviceRow>, n: Awaited<ReturnType<typeof networkSeries>>): void {
  const dev = (target: string) => byName.get(g.idx.nameOf(target));
  for (const s of n.temps) {
    const d = dev(tagOf(s, 'device'));
    if (d) d.peak_temp_c = num(s, s.values[0]!, 'peak');
  }
  const portKey = (s: Series) => `${tagOf(s, 'device')}\u0000${tagOf(s, 'ifName')}`;
  const firstErrs = new Map(n.portStart.map((s) => [portKey(s), num(s, s.values[0]!, 'first_errs')]));
  for (const s of n.portEnd) {
    const row = s.values[0]!;
    const d = dev(tagOf(s, 'device'));
    if (!d) continue;
    if (num(s, row, 'admin') === 1 && num(s, row, 'oper') === 2) d.ports_down++;
    const last = num(s, row, 'last_errs');
    const first = firstErrs.get(portKey(s));
    // A counter that went down was reset (reboot): count what it gained since.
    if (last !== null) d.port_errors += first === null || first === undefined ? 0 : last >= first ? last - first : last;
  }
  for (const s of n.portFlaps) {
    const d = dev(tagOf(s, 'device'));
    if (d) d.flaps += num(s, s.values[0]!, 'flaps') ?? 0;
  }
}

/** Alerts: the alerts module's own SLA rows when it runs, else episodes from alert_state in InfluxDB. */
async function alertRows(g: Gather, provider: AlertsProvider | undefined): Promise<AlertRow[]> {
  const { period } = g;
  let alerts: AlertRow[];
  if (provider) {
    alerts = provider.sla(period.startMs, period.endMs).rows.map((a) => ({
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      started_ms: a.fired_ms,
      acked_ms: a.acked_ms,
      resolved_ms: a.resolved_ms,
      onsite_ms: null,
      sla_breach: a.silenced ? false : a.breach,
    }));
  } else alerts = episodes(await g.run(`SELECT "state" FROM "alert_state" WHERE ${g.range} GROUP BY "rule", "target", "severity"`));
  // An alert about 10.3.1.21 is about pc-0301.
  for (const a of alerts) a.target = g.idx.nameOf(a.target);
  return alerts;
}

/** SMS sent by purpose and the yearly budget: the alerts module's budget when it runs, else sms_usage in InfluxDB. */
async function smsRows(g: Gather, provider: AlertsProvider | undefined): Promise<{ sms: SmsRow[]; budget: number | null }> {
  const { period } = g;
  let sms: SmsRow[] = [];
  let budget: number | null = g.cfg.reports.sms_yearly_budget_parts ?? null;
  const usage = provider?.smsUsage?.(Number(period.month.slice(0, 4)));
  if (usage) {
    budget = usage.quota || budget;
    sms = Object.entries(usage.by_purpose).map(([purpose, n]) => ({ purpose, sent_parts: n, budget_used_pct: usage.quota ? (n * 100) / usage.quota : null }));
    return { sms, budget };
  }
  for (const s of await g.run(
    `SELECT LAST("sent_parts") AS sent, LAST("budget_used_pct") AS pct FROM "sms_usage" WHERE time < ${ts(period.endMs)} AND time >= ${ts(period.endMs - 366 * 86_400_000)} GROUP BY "purpose"`,
  )) {
    sms.push({ purpose: tagOf(s, 'purpose'), sent_parts: num(s, s.values[0]!, 'sent') ?? 0, budget_used_pct: num(s, s.values[0]!, 'pct') });
  }
  if (budget === null) {
    const total = sms.reduce((a, b) => a + b.sent_parts, 0);
    const pct = sms.reduce((a, b) => a + (b.budget_used_pct ?? 0), 0);
    if (pct > 0) budget = Math.round((total * 100) / pct);
  }
  return { sms, budget };
}

/** Daily trends: the mean over the devices monitored that day; a day nobody was monitored has no bar (and no day at all: empty). */
function trend(g: Gather, avail: Avail, rows: string[]): DailyPoint[] {
  const daily = rows.map((n) => avail(n).daily);
  const points = g.days.map((d, i) => {
    const v = daily.map((x) => x[i]).filter((x): x is number => x !== null && x !== undefined);
    return { day: d.day, value: v.length ? v.reduce((s, x) => s + x, 0) / v.length : null };
  });
  return points.some((p) => p.value !== null) ? points : [];
}

/** The websites section's rows: availability over monitored days and the median of a site's URLs' medians. */
function websiteRows(g: Gather, avail: Avail, w: Awaited<ReturnType<typeof websiteFacts>>): WebsiteRow[] {
  return [...w.sites].sort().map((name) => {
    const a = avail(name);
    const ms = w.medians.get(name) ?? [];
    const place = g.idx.resolve(name) ? g.idx.place(name) : { building: '', floor: '', shaft: '', room: '' };
    const med = ms.length ? [...ms].sort((x, y) => x - y)[Math.floor((ms.length - 1) / 2)]! : null;
    return { name, ...place, availability_pct: a.pct, coverage: a.coverage, median_ms: med === null ? null : Math.round(med * 1000) };
  });
}

const byLoc = (a: RowPlace & { name?: string; host?: string }, b: typeof a) =>
  a.building.localeCompare(b.building) ||
  a.floor.localeCompare(b.floor, undefined, { numeric: true }) ||
  a.room.localeCompare(b.room) ||
  (a.name ?? a.host ?? '').localeCompare(b.name ?? b.host ?? '');

/** Gathers ReportData for one month, section by section: from InfluxDB (InfluxQL), the state DB and, when present, other modules. */
export async function gatherReportData(period: Period, deps: ReportSourceDeps): Promise<ReportData> {
  const g = gatherContext(period, deps);
  const r = g.cfg.reports;
  // Availability, day by day: the uptime ledger for the targets it knows, else polls in InfluxDB.
  const [polls, network] = await Promise.all([polledAvailability(g), networkSeries(g)]);
  const web = await websiteFacts(g, polls);
  const ledgered = ledgerAvailability(g, deps.uptime);
  const avail: Avail = (name) => availability(ledgered.get(name)?.counts ?? polls.polled.get(name)?.counts, g.days, g.since(name));
  const hosts = await hostFacts(g);
  const { devices, cameras, pcs, byName } = deviceSections(g, { polls, ledgered, hosts, avail });
  applyNetworkSeries(g, byName, network);
  const alerts = await alertRows(g, deps.alerts);
  const { sms, budget } = await smsRows(g, deps.alerts);
  return {
    period,
    organisation: r.organisation,
    contractor: r.contractor,
    generated_ms: g.nowMs,
    targets: {
      camera_24h_pct: r.camera_24h_target_pct,
      device_availability_pct: r.device_availability_target_pct,
      onsite_sla_minutes: r.onsite_sla_minutes,
      patch_warn_days: g.cfg.inspections.thresholds.patch_warn_days,
    },
    devices: devices.sort((a, b) => a.shaft.localeCompare(b.shaft) || byLoc(a, b)),
    cameras: cameras.sort(byLoc),
    pcs: pcs.sort(byLoc),
    alerts: alerts.sort((a, b) => a.started_ms - b.started_ms),
    sms,
    sms_budget_parts: budget,
    trend: {
      device_availability: trend(
        g,
        avail,
        devices.map((d) => d.name),
      ),
      camera_uptime: trend(
        g,
        avail,
        cameras.map((c) => c.name),
      ),
    },
    inspections: deps.inspections?.inspectionsIn(period.startMs, period.endMs) ?? [],
    problems: deps.inspections?.problemsFor(period.startMs, period.endMs) ?? [],
    cabling: cablingFacts(deps.cabling, period),
    websites: websiteRows(g, avail, web),
    expiring: web.expiring.sort((a, b) => a.end_ms - b.end_ms),
  };
}

function cablingFacts(reg: Pick<CablingRegister, 'reportFacts'> | undefined, p: Period): CablingReportFacts | null {
  if (!reg) return null;
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
        cur = {
          rule: tagOf(s, 'rule'),
          target: tagOf(s, 'target'),
          severity: tagOf(s, 'severity'),
          started_ms: t,
          acked_ms: null,
          resolved_ms: null,
          onsite_ms: null,
        };
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
