import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import type { CollectorConfig, DeviceConfig } from '../../config/schema/collector.ts';
import type { InspectionSchedule } from '../../config/schema/inspections-reports.ts';
import { type Event, int, type Sample } from '../../protocol/sample.ts';
import type { AuditLog } from '../store/audit.ts';
import type { AlertsApi } from '../alerts/module.ts';
import type { SoftwareService } from '../software/module.ts';
import { softwareInspectionItems } from './software-items.ts';
import { cablingItems, DEVICE_KINDS, evaluate, manualItems, type CablingFacts } from './checks.ts';
import type { InspectionInputs } from './inputs.ts';
import { periodOf, scheduleStatus, type ScheduleStatus } from './schedule.ts';
import { InspectionError, InspectionStore, type ItemResult } from './store.ts';

export interface InspectionServiceOptions {
  config: CollectorConfig;
  db: DatabaseSync;
  audit: AuditLog;
  devices: readonly DeviceConfig[];
  inputs?: InspectionInputs | undefined;
  log: Logger;
  now?: () => number;
  /**
   * The alerts module: it turns due/overdue status into alerts by its `inspection` rules and
   * routing. When it is absent, reminders and overdue notices go out as `event`s through
   * ingest instead, once per schedule and due date.
   */
  alerts?: Pick<AlertsApi, 'reportInspection'> | undefined;
  /** The software module: PC inspections check forbidden software and activation. */
  software?: SoftwareService | undefined;
  /** The cabling register: network inspections check moved and unknown nodes. */
  cabling?: CablingFacts | undefined;
  /** Where samples and events go (the collector's ingest). */
  emit?: (samples: Sample[], events: Event[]) => void;
}

/**
 * Inspections: schedules and due dates, runs with automatic and manual checklist items,
 * sign-off and the problem list. The console and the report use it; `tick` is called
 * periodically by the module to publish the `inspection` measurement and raise reminders
 * and overdue alerts (once per schedule and due date, across restarts).
 */
export class InspectionService {
  readonly store: InspectionStore;
  private readonly o: InspectionServiceOptions;
  private readonly now: () => number;

  constructor(o: InspectionServiceOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.store = new InspectionStore(o.db, o.audit, this.now);
  }

  get tz(): string {
    return this.o.config.reports.timezone;
  }

  get lang() {
    return this.o.config.reports.default_lang;
  }

  schedule(id: string): InspectionSchedule {
    const s = this.o.config.inspections.schedules.find((x) => x.id === id);
    if (!s) throw new InspectionError('not_found', `no inspection schedule "${id}"`);
    return s;
  }

  statuses(): ScheduleStatus[] {
    const now = this.now();
    return this.o.config.inspections.schedules.map((s) => {
      const last = this.store.lastSigned(s.id);
      return scheduleStatus(s, now, this.tz, last ? { id: last.id, period: last.period, started_ms: last.started_ms, signed_ms: last.signed_ms! } : undefined);
    });
  }

  /** Inventory devices a schedule covers, by kind and location. */
  scopeDevices(s: InspectionSchedule): string[] {
    const sc = s.scope;
    if (sc.devices.length) return [...sc.devices];
    return this.o.devices
      .filter((d) => DEVICE_KINDS[s.kind].includes(d.kind))
      .filter((d) => (!sc.building || d.building === sc.building) && (!sc.floor || d.floor === sc.floor) && (!sc.shaft || d.shaft === sc.shaft))
      .filter((d) => (sc.area === 'office' ? !d.shaft : sc.area === 'shaft' ? !!d.shaft : true))
      .map((d) => d.name);
  }

  /**
   * Starts a run of a schedule for the current period: snapshots the devices in scope,
   * evaluates the automatic items over the time since the last signed run (at most one
   * period back), and adds the manual items. Throws InspectionError for an unknown schedule.
   */
  async start(actor: string, scheduleId: string): Promise<number> {
    const s = this.schedule(scheduleId);
    const now = this.now();
    const period = periodOf(s.every, now, this.tz);
    const previous = this.store.lastSigned(s.id);
    const devices = this.scopeDevices(s);
    const periodLen = period.endMs - period.startMs;
    // Deltas since the previous signed run, but at least the last day (live state needs data) and at most one period.
    const sinceMs = Math.max(Math.min(previous?.signed_ms ?? 0, now - 86_400_000), now - periodLen);
    let auto: Awaited<ReturnType<typeof evaluate>> = [];
    if (this.o.inputs)
      auto = await evaluate(s.kind, devices, this.o.inputs, { sinceMs, untilMs: now + 1 }, this.o.config.inspections.thresholds, this.lang, previous);
    else this.o.log.warn({ schedule: s.id }, 'no influxdb configured: the inspection has manual items only');
    // The cabling register (a module, when it runs) is state in SQLite: its items need no InfluxDB.
    const cabling = this.o.cabling;
    if (s.kind === 'network' && cabling) auto.push(...cablingItems(devices, cabling, previous?.signed_ms ?? now - periodLen, this.lang));
    // PC inspections also check the machines' software lists (forbidden software, activation), kept in the state DB.
    const software = this.o.software;
    if (s.kind === 'pc' && software) auto = [...auto, ...softwareInspectionItems(software, devices, this.lang)];
    const items = [...auto, ...manualItems(s.kind, s.manual_items, this.lang)];
    return this.store.create(actor, { schedule_id: s.id, title: s.title, kind: s.kind, period: period.label, inventory: devices, items });
  }

  record(actor: string, id: number, seq: number, v: { result: ItemResult; note: string; photo?: string | null }): void {
    this.store.recordManual(actor, id, seq, v);
  }

  sign(actor: string, id: number, summary: string): { problems: number[] } {
    const ins = this.store.get(id);
    const owner = ins ? (this.o.config.inspections.schedules.find((s) => s.id === ins.schedule_id)?.owner ?? actor) : actor;
    return this.store.sign(actor, id, summary, { owner, dueDays: this.o.config.inspections.problem_due_days });
  }

  /** Publishes schedule state and raises due reminders and overdue alerts. Returns the statuses. */
  tick(): ScheduleStatus[] {
    const now = this.now();
    const st = this.statuses();
    const samples: Sample[] = [];
    const events: Event[] = [];
    for (const s of st) {
      const last = s.done_id ? this.store.get(s.done_id) : this.store.lastSigned(s.id);
      samples.push({
        measurement: 'inspection',
        tags: { kind: s.kind, scope: s.id },
        fields: {
          due_in_days: Math.round(s.due_in_days * 100) / 100,
          overdue: int(s.overdue ? 1 : 0),
          last_done_s: int((s.last_done_ms ?? 0) / 1000),
          items_failed: int(last?.items.filter((i) => i.result === 'fail').length ?? 0),
        },
        time: now,
      });
      const alerts = this.o.alerts;
      if (alerts) {
        alerts.reportInspection({ kind: s.kind, scope: s.id, due_in_days: Math.round(s.due_in_days * 100) / 100, overdue: s.overdue });
        continue;
      }
      const notice = s.overdue ? 'overdue' : s.reminder ? 'reminder' : undefined;
      if (!notice) continue;
      const r = this.o.db
        .prepare('INSERT OR IGNORE INTO inspection_notices (schedule_id, due_ms, kind, sent_ms) VALUES (?, ?, ?, ?)')
        .run(s.id, s.due_ms, notice, now);
      if (r.changes === 0) continue;
      const due = new Date(s.due_ms).toISOString();
      const message = notice === 'overdue' ? `inspection "${s.title}" is overdue (was due ${due})` : `inspection "${s.title}" is due by ${due}`;
      const severity = notice === 'overdue' ? 'warning' : 'info';
      events.push({
        kind: `inspection_${notice}`,
        target: s.id,
        severity,
        message,
        attrs: { schedule: s.id, kind: s.kind, due_ms: s.due_ms, owner: s.owner },
        time: now,
      });
      this.o.audit.append('system', `inspection.${notice}`, `schedule/${s.id}`, { due_ms: s.due_ms });
    }
    try {
      this.o.emit?.(samples, events);
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'could not publish inspection state');
    }
    return st;
  }
}
