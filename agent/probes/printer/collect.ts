import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Event, type Sample } from '../../../protocol/sample.ts';
import type { Probe, ProbeContext } from '../probe.ts';
import { snmpErrorClass } from '../snmp/probe.ts';
import { createClient, type SnmpClient, type SnmpTarget } from '../snmp/client.ts';
import type { Thresholds } from './levels.ts';
import { ERROR_BITS, fieldName } from './mib.ts';
import { pollPrinter, type PrinterAlert, type PrinterReport, type Supply } from './poll.ts';
import type { PrinterConfig, PrinterDeviceConfig } from './schema.ts';
import { PrinterState } from './state.ts';
export type { PrinterConfig, PrinterDeviceConfig } from './schema.ts';

export function printerName(d: PrinterDeviceConfig): string {
  return d.name ?? (d.port === 161 ? d.host : `${d.host}:${d.port}`);
}

const alertKey = (a: PrinterAlert) => `${a.index}:${a.code ?? ''}:${a.timeTicks ?? ''}`;
const alertText = (a: PrinterAlert) => a.description || a.code || `alert ${a.index}`;
const EVENT_SEVERITY: Record<string, Event['severity']> = { critical: 'critical', warning: 'warning', warningBinaryChangeEvent: 'warning' };

/** "黑色碳粉 8%" — the supply in words with its percentage (or how full, for a waste box). */
function said(s: Supply): string {
  const pct = s.receptacle ? s.fillPct : s.percent;
  return pct === null ? s.words : `${s.words} ${pct}%`;
}

type Memory = ReturnType<PrinterState['get']>;

/** The `printer` sample's fields: identity, status, conditions, page counts (reset-safe against the remembered counter) and supplies in words. */
function deviceFields(r: PrinterReport, mem: Memory, pollMs: number): Sample['fields'] {
  const f: Sample['fields'] = {
    up: 1n,
    result_code: 0n,
    poll_ms: pollMs,
    sys_name: r.sysName,
    sys_descr: r.sysDescr,
    sys_object_id: r.sysObjectID,
    model: r.model,
  };
  if (r.serial) f.serial = r.serial;
  if (r.uptimeSeconds !== null) f.uptime_s = int(r.uptimeSeconds);
  if (r.printerStatus) f.status = r.printerStatus;
  if (r.deviceStatus) f.device_status = r.deviceStatus;
  // Conditions are fields only when the printer answers hrPrinterDetectedErrorState: unknown is not 0.
  if (r.errors) for (const c of ERROR_BITS) f[fieldName(c)] = r.errors.includes(c) ? 1n : 0n;
  if (r.pagesTotal !== null) {
    f.pages_total = int(r.pagesTotal);
    // Pages since the last poll, reset-safe: a counter that went backwards (new mainboard) counts from 0; another serial starts over.
    if (mem?.pages != null && mem.serial === r.serial) f.pages_printed = int(r.pagesTotal >= mem.pages ? r.pagesTotal - mem.pages : r.pagesTotal);
  }
  if (r.consoleText) f.console_text = r.consoleText;
  const consumed = r.supplies.filter((s) => !s.receptacle);
  const waste = r.supplies.filter((s) => s.receptacle);
  // What the example rules fire on: the supplies in words, '' when none (so the alert clears).
  f.supplies_low = consumed
    .filter((s) => s.state === 'low')
    .map(said)
    .join('、');
  f.supplies_empty = consumed
    .filter((s) => s.state === 'empty')
    .map(said)
    .join('、');
  f.waste_near_full = waste
    .filter((s) => s.state === 'near_full')
    .map(said)
    .join('、');
  f.waste_full = waste
    .filter((s) => s.state === 'full')
    .map(said)
    .join('、');
  f.alerts_open = BigInt(r.alerts.length);
  return f;
}

function supplySamples(r: PrinterReport, base: Record<string, string>, t: number): Sample[] {
  const out: Sample[] = [];
  for (const s of r.supplies) {
    const tags: Record<string, string> = { ...base, index: String(s.index), colour: s.colour };
    if (s.type) tags.type = s.type;
    const sf: Sample['fields'] = { state: s.state, description: s.description, name: s.name, words: s.words };
    if (s.class) sf.class = s.class;
    if (s.unit) sf.unit = s.unit;
    if (s.level !== null) sf.level = int(s.level);
    if (s.max !== null) sf.max = int(s.max);
    if (s.percent !== null) sf.percent = s.percent;
    if (s.fillPct !== null) sf.fill_pct = s.fillPct;
    out.push({ measurement: 'printer_supply', tags, fields: sf, time: t });
  }
  return out;
}

function traySamples(r: PrinterReport, base: Record<string, string>, t: number): Sample[] {
  const out: Sample[] = [];
  for (const y of r.trays) {
    const tf: Sample['fields'] = { state: y.state, name: y.name };
    if (y.media !== null) tf.media = y.media;
    if (y.unit) tf.unit = y.unit;
    if (y.level !== null) tf.level = int(y.level);
    if (y.max !== null) tf.max = int(y.max);
    if (y.percent !== null) tf.percent = y.percent;
    out.push({ measurement: 'printer_tray', tags: { ...base, index: String(y.index) }, fields: tf, time: t });
  }
  return out;
}

/** One `printer_alert` sample per open alert row; rows new since the last poll are `printer_alert` events, rows gone `printer_alert_cleared`. Returns the rows to remember. */
function alertSamples(
  r: PrinterReport,
  device: string,
  base: Record<string, string>,
  mem: Memory,
  t: number,
  emit: ProbeContext['emitEvent'],
  out: Sample[],
): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const a of r.alerts) {
    const af: Sample['fields'] = { description: a.description };
    for (const [k, v] of [
      ['severity', a.severity],
      ['training', a.training],
      ['group', a.group],
      ['code', a.code],
    ] as const)
      if (v) af[k] = v;
    if (a.groupIndex !== null) af.group_index = int(a.groupIndex);
    if (a.location !== null) af.location = int(a.location);
    if (a.timeTicks !== null) af.time_ticks = int(a.timeTicks);
    // When it was raised: now minus the uptime that has passed since prtAlertTime.
    if (a.timeTicks !== null && r.uptimeSeconds !== null && a.timeTicks <= r.uptimeSeconds * 100 + 99)
      af.raised_ms = int(t - (r.uptimeSeconds * 100 - a.timeTicks) * 10);
    out.push({ measurement: 'printer_alert', tags: { ...base, index: String(a.index) }, fields: af, time: t });
    const key = alertKey(a);
    seen[key] = alertText(a);
    if (!mem?.alerts[key]) {
      emit({
        kind: 'printer_alert',
        target: device,
        severity: EVENT_SEVERITY[a.severity ?? ''] ?? 'info',
        message: alertText(a),
        attrs: {
          index: a.index,
          severity: a.severity ?? '',
          group: a.group ?? '',
          code: a.code ?? '',
          training: a.training ?? '',
          description: a.description,
        },
        time: t,
      });
    }
  }
  for (const [key, text] of Object.entries(mem?.alerts ?? {})) {
    if (seen[key] !== undefined) continue;
    emit({
      kind: 'printer_alert_cleared',
      target: device,
      severity: 'info',
      message: `${text}（已清除 cleared）`,
      attrs: { index: Number(key.split(':')[0]), description: text },
      time: t,
    });
  }
  return seen;
}

/**
 * Printers, copiers and MFPs over SNMP (Printer-MIB, HOST-RESOURCES): identity, status and
 * error conditions, supplies, trays, alerts and page counts. One session per device, at most
 * `concurrency` at once; a device that does not answer is `printer up=0` with its error class.
 * Alert rows that appear or go are events; pages printed between polls are counted here, from
 * a remembered counter (survives restarts through the state directory).
 */
export function createPrinterProbe(
  cfg: PrinterConfig,
  ctx: Pick<ProbeContext, 'now' | 'emitEvent' | 'log'> & { stateDir?: string },
  connect: (t: SnmpTarget) => SnmpClient = createClient,
): Probe {
  const state = new PrinterState(ctx.stateDir);
  const thresholds = (d: PrinterDeviceConfig): Thresholds => ({
    low_pct: d.low_pct ?? cfg.low_pct,
    full_pct: d.full_pct ?? cfg.full_pct,
    receptacle_level: d.receptacle_level ?? cfg.receptacle_level,
  });

  const pollOne = async (d: PrinterDeviceConfig, signal: AbortSignal): Promise<Sample[]> => {
    const device = printerName(d);
    const start = performance.now();
    let client: SnmpClient | undefined;
    const onAbort = () => client?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let report: PrinterReport | undefined;
    let cls = 'internal';
    try {
      client = connect(d);
      report = await pollPrinter(client, thresholds(d));
    } catch (e) {
      cls = signal.aborted ? 'timeout' : snmpErrorClass(e);
      if (cls === 'unsupported' || cls === 'config' || cls === 'internal') ctx.log.error({ device, err: e }, 'printer poll cannot work for this device');
    } finally {
      signal.removeEventListener('abort', onAbort);
      client?.close();
    }
    const pollMs = performance.now() - start;
    const t = ctx.now();
    const base = { device, ...d.tags };
    if (!report)
      return [
        { measurement: 'printer', tags: { ...base, vendor: 'unknown' }, fields: { up: 0n, result_code: 1n, error_class: cls, poll_ms: pollMs }, time: t },
      ];
    return toSamples(device, base, report, pollMs, t);
  };

  const toSamples = (device: string, base: Record<string, string>, r: PrinterReport, pollMs: number, t: number): Sample[] => {
    const mem = state.get(device);
    const out: Sample[] = [
      { measurement: 'printer', tags: { ...base, vendor: r.vendor }, fields: deviceFields(r, mem, pollMs), time: t },
      ...supplySamples(r, base, t),
      ...traySamples(r, base, t),
    ];
    const seen = alertSamples(r, device, base, mem, t, (e) => ctx.emitEvent(e), out);
    state.set(device, { alerts: seen, pages: r.pagesTotal, serial: r.serial });
    return out;
  };

  return {
    async collect(signal) {
      const all = await mapLimit(cfg.devices, cfg.concurrency, (d) => pollOne(d, signal));
      try {
        state.save();
      } catch (e) {
        ctx.log.warn({ err: e }, 'printer state not saved: alert and page baselines restart with the agent');
      }
      return all.flat().map((s) => ({ ...s, tags: { ...s.tags, ...cfg.tags } }));
    },
  };
}
