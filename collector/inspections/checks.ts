import type { InspectionsConfig } from '../../config/schema/inspections-reports.ts';
import type { Lang } from '../i18n/index.ts';
import type { InspectionInputs } from './inputs.ts';
import type { InspectionItem, InspectionRecord, ItemResult } from './store.ts';

type Thresholds = InspectionsConfig['thresholds'];
type NewItem = Omit<InspectionItem, 'seq'>;
export type InspectionKind = 'network' | 'cctv' | 'pc' | 'server';

const LABELS: Record<string, [string, string]> = {
  reachable: ['Reachable', '设备在线'],
  reboots: ['No unexpected reboots', '无异常重启'],
  ports_down: ['Ports down vs previous inspection', '端口中断（与上次巡检比较）'],
  port_errors: ['New port errors (CRC)', '新增端口错误（CRC）'],
  flaps: ['Port flaps', '端口抖动'],
  temperature: ['Peak temperature', '最高温度'],
  fan_psu: ['Fans and power supplies', '风扇与电源'],
  config_changed: ['Configuration changes', '配置变更'],
  uptime_24h: ['Uptime last 24 h', '近24小时在线率'],
  uptime_month: ['Uptime since last inspection', '自上次巡检在线率'],
  clock_drift: ['Clock drift', '时钟偏差'],
  stream: ['Video stream', '视频流'],
  snapshot: ['Snapshot (black/frozen)', '抓图（黑屏/画面冻结）'],
  firmware: ['Firmware unchanged', '固件未变更'],
  patch: ['Days since patch', '距上次补丁天数'],
  security_updates: ['Pending security updates', '待装安全补丁'],
  antivirus: ['Antivirus active and up to date', '杀毒软件启用且最新'],
  disk: ['Disk space', '磁盘空间'],
  disk_health: ['Disk health (SMART)', '磁盘健康（SMART）'],
  ssh: ['SSH check', 'SSH 检查'],
  supplies: ['Supplies above threshold', '耗材余量正常'],
  printer_alerts: ['No open printer alerts or faults', '无未处理的打印机告警或故障'],
  pages: ['Pages printed since last inspection', '自上次巡检打印页数'],
  cabling_changed: ['Ports whose device changed since the last signed inspection', '自上次签字巡检以来终端变化的端口'],
  cabling_unknown: ['Unknown devices on edge ports', '接入端口上的未知终端'],
};

/** Default manual checklist items per kind, [en, zh]. */
export const MANUAL_DEFAULTS: Record<InspectionKind, [string, string][]> = {
  network: [
    ['Cabling tidy and labelled', '线缆整齐、标签清晰'],
    ['Shaft / closet door locked', '竖井/机柜门已上锁'],
    ['UPS status normal', 'UPS 状态正常'],
    ['Closet dust and temperature acceptable', '机柜积尘与温度正常'],
  ],
  cctv: [
    ['Camera lenses clean', '摄像机镜头清洁'],
    ['Mounts and housings secure', '支架与护罩牢固'],
    ['NVR recording and storage normal', '录像机录像与存储正常'],
  ],
  pc: [
    ['Printers and peripherals working', '打印机等外设工作正常'],
    ['Cables and power strips safe', '线缆与插线板安全'],
  ],
  server: [
    ['Server room environment normal', '机房环境正常'],
    ['Backups verified', '备份已核验'],
  ],
};

function label(code: string, lang: Lang): string {
  const l = LABELS[code];
  return l ? (lang === 'en' ? l[0] : l[1]) : code;
}

const grade = (v: number, warn: number, fail: number): ItemResult => (v >= fail ? 'fail' : v >= warn ? 'warn' : 'pass');

/** Devices of each inspection kind, by inventory device kind. */
export const DEVICE_KINDS: Record<InspectionKind, readonly string[]> = {
  network: ['switch', 'router'],
  cctv: ['camera', 'nvr'],
  pc: ['pc', 'printer'],
  server: ['server'],
};

/**
 * Evaluates the automatic checklist for the devices in scope: one item per device and check,
 * pass/warn/fail with the values it was judged on. `previous` (the last signed run of the same
 * schedule) is the baseline for ports down and firmware. A device without data fails "reachable".
 */
export async function evaluate(
  kind: InspectionKind,
  devices: string[],
  inputs: InspectionInputs,
  window: { sinceMs: number; untilMs: number },
  th: Thresholds,
  lang: Lang,
  previous?: InspectionRecord,
): Promise<NewItem[]> {
  const items: NewItem[] = [];
  const add = (device: string, code: string, result: ItemResult, evidence: Record<string, unknown>) =>
    items.push({ mode: 'auto', code, device, label: label(code, lang), result, evidence, note: '', photo: null });
  const base = (device: string, code: string) => previous?.items.find((i) => i.device === device && i.code === code)?.evidence;
  const { sinceMs, untilMs } = window;
  if (kind === 'network') {
    const facts = await inputs.switches(devices, sinceMs, untilMs);
    for (const d of devices) {
      const f = facts.get(d);
      if (!f || f.up === null) {
        add(d, 'reachable', 'fail', { data: 'none' });
        continue;
      }
      add(d, 'reachable', f.up === 1 ? 'pass' : 'fail', { up: f.up });
      add(d, 'reboots', f.reboots > 0 ? 'warn' : 'pass', { reboots: f.reboots });
      const before = new Set(((base(d, 'ports_down')?.ports as string[] | undefined) ?? []).map(String));
      const newly = f.ports_down.filter((p) => !before.has(p));
      add(d, 'ports_down', newly.length ? 'warn' : 'pass', { ports: f.ports_down, new: newly });
      add(d, 'port_errors', grade(f.new_errors, Math.max(th.port_errors_warn, 1), th.port_errors_fail), { new_errors: Math.round(f.new_errors) });
      add(d, 'flaps', f.flaps >= th.flaps_warn ? 'warn' : 'pass', { flaps: f.flaps });
      if (f.peak_temp_c !== null) add(d, 'temperature', grade(f.peak_temp_c, th.temperature_warn_c, th.temperature_fail_c), { peak_c: f.peak_temp_c });
      add(d, 'fan_psu', f.bad_sensors.length ? 'fail' : 'pass', { bad: f.bad_sensors });
      add(d, 'config_changed', f.config_changes ? 'warn' : 'pass', { changes: f.config_changes });
    }
  } else if (kind === 'cctv') {
    const facts = await inputs.cameras(devices, sinceMs, untilMs);
    for (const d of devices) {
      const f = facts.get(d);
      if (!f || f.up === null) {
        add(d, 'reachable', 'fail', { data: 'none' });
        continue;
      }
      add(d, 'reachable', f.up === 1 ? 'pass' : 'fail', { up: f.up });
      if (f.uptime_24h_pct !== null) add(d, 'uptime_24h', f.uptime_24h_pct >= th.camera_uptime_24h_pct ? 'pass' : 'fail', { pct: f.uptime_24h_pct });
      if (f.uptime_month_pct !== null) add(d, 'uptime_month', f.uptime_month_pct >= th.camera_uptime_month_pct ? 'pass' : 'warn', { pct: f.uptime_month_pct });
      if (f.clock_drift_s !== null)
        add(d, 'clock_drift', grade(Math.abs(f.clock_drift_s), th.clock_drift_warn_s, th.clock_drift_fail_s), { drift_s: f.clock_drift_s });
      if (f.stream_ok !== null) add(d, 'stream', f.stream_ok ? 'pass' : 'fail', { stream_ok: f.stream_ok });
      // Reachable, but the stream check is switched off: not checked, never failed.
      else if (f.up === 1) add(d, 'stream', 'na', { checked: false });
      if (f.snapshot_problem !== null) add(d, 'snapshot', f.snapshot_problem === 'none' ? 'pass' : 'fail', { problem: f.snapshot_problem });
      if (f.firmware !== null) {
        const was = base(d, 'firmware')?.firmware;
        add(d, 'firmware', was !== undefined && was !== f.firmware ? 'warn' : 'pass', {
          firmware: f.firmware,
          ...(was !== undefined ? { previous: was } : {}),
        });
      }
    }
  } else if (kind === 'pc') {
    // Printers are the devices the printer probe reports; the rest are PCs.
    const printers = (await inputs.printers?.(devices, sinceMs, untilMs)) ?? new Map();
    const facts = await inputs.pcs(
      devices.filter((d) => !printers.has(d)),
      sinceMs,
      untilMs,
    );
    for (const d of devices) {
      const p = printers.get(d);
      if (p) {
        add(d, 'reachable', p.up === 1 ? 'pass' : 'fail', { up: p.up });
        if (p.up !== 1) continue;
        const bad = [p.supplies_empty, p.waste_full].filter(Boolean);
        const low = [p.supplies_low, p.waste_near_full].filter(Boolean);
        add(d, 'supplies', bad.length ? 'fail' : low.length ? 'warn' : 'pass', {
          empty: p.supplies_empty,
          low: p.supplies_low,
          waste_full: p.waste_full,
          waste_near_full: p.waste_near_full,
        });
        add(d, 'printer_alerts', p.conditions.length ? 'fail' : (p.alerts_open ?? 0) > 0 ? 'warn' : 'pass', {
          open_alerts: p.alerts_open ?? 'unknown',
          conditions: p.conditions,
        });
        if (p.pages !== null) add(d, 'pages', 'pass', { pages: p.pages });
        continue;
      }
      const f = facts.get(d);
      if (!f) {
        add(d, 'reachable', 'fail', { data: 'none' });
        continue;
      }
      if (f.days_since_patch !== null) add(d, 'patch', grade(f.days_since_patch, th.patch_warn_days, th.patch_fail_days), { days: f.days_since_patch });
      if (f.security_pending !== null) add(d, 'security_updates', f.security_pending > 0 ? 'warn' : 'pass', { pending: f.security_pending });
      add(d, 'antivirus', f.av_protected ? 'pass' : 'fail', { protected: f.av_protected ?? 'unknown' });
      if (f.disk_used_max_pct !== null)
        add(d, 'disk', grade(f.disk_used_max_pct, th.disk_used_warn_pct, th.disk_used_fail_pct), { used_pct: f.disk_used_max_pct });
      if (f.smart_failed !== null) add(d, 'disk_health', f.smart_failed > 0 ? 'fail' : 'pass', { smart_failed: f.smart_failed });
    }
  } else {
    const facts = await inputs.servers(devices, sinceMs, untilMs);
    for (const d of devices) {
      const f = facts.get(d);
      if (!f?.checks.length) {
        add(d, 'reachable', 'fail', { data: 'none' });
        continue;
      }
      for (const c of f.checks) {
        items.push({
          mode: 'auto',
          code: `ssh:${c.check}`,
          device: d,
          label: `${label('ssh', lang)} ${c.check}`,
          result: c.ok ? 'pass' : 'fail',
          evidence: { ok: c.ok, exit_code: c.exit_code, value: c.value },
          note: '',
          photo: null,
        });
      }
    }
  }
  return items;
}

/** What the cabling register (collector/cabling) offers an inspection of one switch. */
export interface CablingFacts {
  inspect(
    sw: string,
    sinceMs: number,
  ): { changed: { port: string; mac: string; change: string; time_ms: number }[]; unknown: { port: string; mac: string; ips: string[]; vendor: string }[] };
  switches(): { switch: string }[];
}

/**
 * Automatic cabling items for a network inspection: per switch in scope that the register
 * has a port map of, the ports whose device changed since `sinceMs` and the unknown devices
 * on its edge ports (warn when there are any; the evidence lists them).
 */
export function cablingItems(devices: string[], register: CablingFacts, sinceMs: number, lang: Lang): NewItem[] {
  const mapped = new Set(register.switches().map((s) => s.switch));
  const items: NewItem[] = [];
  for (const d of devices) {
    if (!mapped.has(d)) continue;
    const r = register.inspect(d, sinceMs);
    const item = (code: string, list: unknown[], evidence: Record<string, unknown>): NewItem => ({
      mode: 'auto',
      code,
      device: d,
      label: label(code, lang),
      result: list.length ? 'warn' : 'pass',
      evidence,
      note: '',
      photo: null,
    });
    items.push(item('cabling_changed', r.changed, { count: r.changed.length, ports: r.changed.slice(0, 50) }));
    items.push(item('cabling_unknown', r.unknown, { count: r.unknown.length, devices: r.unknown.slice(0, 50) }));
  }
  return items;
}

/** The manual items of a schedule: its configured list, else the kind's defaults. */
export function manualItems(kind: InspectionKind, configured: string[] | undefined, lang: Lang): NewItem[] {
  const labels = configured ?? MANUAL_DEFAULTS[kind].map(([en, zh]) => (lang === 'en' ? en : zh));
  return labels.map((l, i) => ({ mode: 'manual', code: `manual:${i + 1}`, device: '', label: l, result: null, evidence: {}, note: '', photo: null }));
}
