import type { Logger } from 'pino';
import type { AlertsConfig, RuleConfig } from '../../config/schema/alerts.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import type { AlertView, Notification, NotificationKind } from '../notify/types.ts';
import { timeClasses, type HolidayCalendar } from '../calendar/holiday-calendar.ts';
import type { RouteResult, Router } from './routing.ts';
import type { Alert, AlertStore } from './store.ts';
import type { Topology } from './topology.ts';
import { TARGET_TAGS } from '../../protocol/targets.ts';
import type { Inventory } from '../ingest/inventory.ts';
import { crossed, expirySummary, thresholdsFor } from './expiry.ts';

type Threshold = Extract<RuleConfig, { type: 'threshold' }>;
type Absence = Extract<RuleConfig, { type: 'absence' }>;
type EventRule = Extract<RuleConfig, { type: 'event' }>;
type Inspection = Extract<RuleConfig, { type: 'inspection' }>;
type Expiry = Extract<RuleConfig, { type: 'expiry' }>;

const LABEL_TAGS = ['site', 'building', 'floor', 'shaft', 'room', 'role', 'device_kind', 'agent'] as const;
const SEV_RANK = { info: 0, warning: 1, critical: 2 } as const;

/** What the inspections module reports for one inspection scope (see AlertEngine.reportInspection). */
export interface InspectionStatus {
  kind: string;
  scope: string;
  due_in_days: number;
  overdue: boolean;
}

export interface EngineDeps {
  cfg: AlertsConfig;
  rules: RuleConfig[];
  store: AlertStore;
  router: Router;
  calendar: HolidayCalendar;
  topology: Topology;
  now(): number;
  log: Logger;
  /** Hands one notification for one receiver to the dispatcher (must not throw or block). */
  deliver(n: Notification): void;
  /** Whether a maintenance window covers this target now. */
  inMaintenance(target: string, labels: Record<string, string>, t: number): boolean;
  ackUrl(alert: number, receiver: string): string | undefined;
  /** Records a state change (alert_state measurement). */
  changed(a: Alert): void;
  /**
   * Resolves targets to devices: a rule's target tag value (an IP, a URL) becomes the
   * inventory name, and the default target is what the sample is about (Inventory.subject).
   */
  inventory?: Inventory | undefined;
  /** A threshold alert not re-confirmed by a sample for this long is stale: it suppresses nothing. Default 15 min. */
  staleMs?: number | undefined;
}

/**
 * What a rule looks at: an open alert raised under a different fingerprint belongs to a rule
 * that has since changed (another measurement, field, target tag or filter) and is resolved.
 */
export function ruleFingerprint(r: RuleConfig): string {
  if (r.type === 'threshold') return JSON.stringify([r.type, r.measurement, r.field, r.target_tag ?? '', r.where]);
  if (r.type === 'absence') return JSON.stringify([r.type, r.measurement, r.target_tag ?? '', r.where]);
  if (r.type === 'event') return JSON.stringify([r.type, [...r.kinds].sort()]);
  return JSON.stringify([r.type]);
}

interface Group {
  route: RouteResult;
  flushAt: number;
  alerts: Set<number>;
}

function cmp(op: Threshold['op'], v: number | string | boolean, ref: number | string | boolean): boolean {
  switch (op) {
    case '>':
      return Number(v) > Number(ref);
    case '>=':
      return Number(v) >= Number(ref);
    case '<':
      return Number(v) < Number(ref);
    case '<=':
      return Number(v) <= Number(ref);
    // Loose for numbers (an int 0 field equals fire: 0), strict for strings.
    case '==':
      return typeof ref === 'number' ? Number(v) === ref : String(v) === String(ref);
    case '!=':
      return typeof ref === 'number' ? Number(v) !== ref : String(v) !== String(ref);
  }
}

/** With hysteresis: a firing numeric alert clears only once the value is past `clear`. */
function cleared(r: Threshold, v: number | string | boolean): boolean {
  if (r.clear === undefined || typeof v === 'string' || typeof v === 'boolean') return !cmp(r.op, v, r.fire);
  const n = Number(v);
  if (r.op === '>' || r.op === '>=') return n < r.clear;
  if (r.op === '<' || r.op === '<=') return n > r.clear;
  return !cmp(r.op, v, r.fire);
}

function render(tpl: string | undefined, fallback: string, a: { target: string; value?: string | undefined; labels: Record<string, string> }): string {
  const s = tpl ?? fallback;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k === 'target' ? a.target : k === 'value' ? (a.value ?? '') : (a.labels[k] ?? m)));
}

/**
 * The alert engine: evaluates every accepted sample and event against the rules (threshold
 * with `for` and hysteresis, absence, events, inspections), keeps the lifecycle
 * pending → firing → acknowledged → resolved in memory and in the store, and decides who is
 * told what and when (grouping, topology suppression, maintenance, flap damping,
 * escalation, repeats, resolution). It never waits on a notifier: `deliver` only queues.
 */
export class AlertEngine {
  private readonly d: EngineDeps;
  private readonly byMeasurement = new Map<string, (Threshold | Absence | Expiry)[]>();
  private readonly eventRules: EventRule[] = [];
  private readonly ruleByName = new Map<string, RuleConfig>();
  private readonly inspectionRules: Inspection[] = [];
  private readonly open = new Map<string, Alert>();
  private readonly byId = new Map<number, Alert>();
  private readonly lastSeen = new Map<string, { rule: Absence; target: string; labels: Record<string, string>; t: number }>();
  private readonly fires = new Map<string, number[]>();
  private readonly groups = new Map<string, Group>();
  /** Earliest flushAt of any group (Infinity when none). */
  private dueAt = Infinity;
  evaluated = 0;

  constructor(d: EngineDeps) {
    this.d = d;
    for (const r of d.rules) {
      this.ruleByName.set(r.name, r);
      if (r.type === 'threshold' || r.type === 'absence' || r.type === 'expiry') {
        const l = this.byMeasurement.get(r.measurement) ?? [];
        l.push(r);
        this.byMeasurement.set(r.measurement, l);
      } else if (r.type === 'event') this.eventRules.push(r);
      else this.inspectionRules.push(r);
    }
    for (const a of d.store.open()) {
      this.open.set(`${a.rule}\u0000${a.target}`, a);
      this.byId.set(a.id, a);
    }
    this.reconcile();
  }

  /**
   * Resolves open alerts whose rule no longer exists or now looks at something else, with the
   * reason; called at start (a rule edit takes effect by restart). Alerts from before rules
   * had fingerprints take the current one: only a removed rule resolves them.
   */
  reconcile(): Alert[] {
    const now = this.d.now();
    const done: Alert[] = [];
    for (const a of [...this.open.values()]) {
      const r = this.ruleByName.get(a.rule);
      let why: string | undefined;
      if (!r) why = `rule "${a.rule}" no longer exists`;
      else if (a.rule_fp === undefined) {
        a.rule_fp = ruleFingerprint(r);
        this.d.store.save(a);
      } else if (a.rule_fp !== ruleFingerprint(r)) why = `rule "${a.rule}" changed (what it measures or its target)`;
      if (!why) continue;
      if (a.state === 'pending') {
        this.drop(a);
        continue;
      }
      a.resolved_reason = why;
      this.resolve(a, now);
      done.push(a);
      this.d.log.warn({ alert: a.id, rule: a.rule, target: a.target, reason: why }, 'stale alert resolved');
    }
    return done;
  }

  get(id: number): Alert | undefined {
    return this.byId.get(id) ?? this.d.store.get(id);
  }

  openAlerts(): Alert[] {
    return [...this.open.values()];
  }

  private targetOf(s: Sample, tag: string | undefined): string | undefined {
    const inv = this.d.inventory;
    if (tag) {
      const v = s.tags[tag];
      return v && inv ? inv.nameOf(v) : v;
    }
    if (inv) {
      const subj = inv.subject((k) => s.tags[k]);
      return subj ? (subj.device?.name ?? subj.target) : undefined;
    }
    for (const k of TARGET_TAGS) if (s.tags[k]) return s.tags[k];
    return undefined;
  }

  private labelsOf(rule: RuleConfig, target: string, tags: Record<string, string>): Record<string, string> {
    const l: Record<string, string> = { ...this.d.topology.location(target) };
    for (const k of LABEL_TAGS) if (tags[k]) l[k] = tags[k]!;
    Object.assign(l, rule.labels, { rule: rule.name, severity: rule.severity, target });
    return l;
  }

  /** Measurements the engine needs as samples: those rules name, LLDP neighbours and inspection results. */
  wants(measurement: string): boolean {
    return this.byMeasurement.has(measurement) || measurement === 'lldp_neighbor' || measurement === 'inspection';
  }

  /** Ingest listener entry: which agent reports each target (for every sample, wanted or not). */
  observeTargets(targets: ReadonlyMap<string, string>): void {
    const inv = this.d.inventory;
    for (const [target, agent] of targets) this.d.topology.observeAgent(inv ? inv.nameOf(target) : target, agent);
  }

  /** Ingest listener entry: accepted samples of the measurements it wants. */
  onSamples(samples: readonly Sample[]): void {
    const now = this.d.now();
    this.evalSamples(samples, now);
    // Groups with no wait go out now rather than at the next tick.
    if (this.dueAt <= now) this.flush(now);
  }

  private evalSamples(samples: readonly Sample[], now: number): void {
    for (const s of samples) {
      const rules = this.byMeasurement.get(s.measurement);
      if (s.measurement === 'lldp_neighbor') this.d.topology.observeLldp(s);
      if (s.measurement === 'inspection' && this.inspectionRules.length) this.inspectionSample(s);
      if (!rules) continue;
      for (const r of rules) {
        let ok = true;
        for (const k in r.where)
          if (s.tags[k] !== r.where[k]) {
            ok = false;
            break;
          }
        if (!ok) continue;
        const target = this.targetOf(s, r.target_tag ?? (r.type === 'expiry' ? (r.measurement === 'domain' ? 'domain' : 'source') : undefined));
        if (!target) continue;
        this.evaluated++;
        if (r.type === 'expiry') {
          this.expiry(r, target, s, now);
          continue;
        }
        if (r.type === 'absence') {
          const key = `${r.name}\u0000${target}`;
          const seen = this.lastSeen.get(key);
          if (seen) seen.t = now;
          else this.lastSeen.set(key, { rule: r, target, labels: this.labelsOf(r, target, s.tags), t: now });
          const a = this.open.get(key);
          if (a) this.resolve(a, now);
          continue;
        }
        const v = s.fields[r.field];
        if (v === undefined) continue;
        const val = typeof v === 'bigint' ? Number(v) : v;
        this.threshold(r, target, val, s.tags, now);
      }
    }
  }

  private threshold(r: Threshold, target: string, v: number | string | boolean, tags: Record<string, string>, now: number): void {
    const key = `${r.name}\u0000${target}`;
    const a = this.open.get(key);
    if (a) {
      a.value = String(v);
      a.last_seen_ms = now;
      if (cleared(r, v)) {
        if (a.state === 'pending') this.drop(a);
        else this.resolve(a, now);
      } else if (a.state === 'pending' && now - a.started_ms >= r.for_s * 1000) this.fire(a, now);
      return;
    }
    if (!cmp(r.op, v, r.fire)) return;
    const created = this.create(r, target, this.labelsOf(r, target, tags), String(v), now);
    if (r.for_s === 0) this.fire(created, now);
  }

  /**
   * Expiry: one alert per target, fired under the largest threshold; crossing a smaller one
   * raises it (critical at the smallest) and tells the receivers once more, even after an
   * acknowledgement. It never repeats on a timer (escalate skips it) and resolves on renewal.
   */
  private expiry(r: Expiry, target: string, s: Sample, now: number): void {
    const v = s.fields[r.field];
    if (v === undefined) return;
    const secs = Number(v);
    const th = thresholdsFor(s, r.thresholds_days);
    const hit = crossed(secs / 86400, th);
    const key = `${r.name}\u0000${target}`;
    const a = this.open.get(key);
    if (hit === undefined) {
      if (a) this.resolve(a, now);
      return;
    }
    const sev = hit === th[th.length - 1] ? 'critical' : r.severity;
    const value = String(Math.floor(secs / 86400));
    const labels = { ...this.labelsOf(r, target, s.tags), threshold_days: String(hit), severity: sev };
    const summary = r.summary ? render(r.summary, r.name, { target, value, labels }) : expirySummary(s, target, secs, hit);
    if (!a) {
      const created = this.create(r, target, labels, value, now, summary);
      created.severity = sev;
      this.fire(created, now);
      return;
    }
    a.value = value;
    a.last_seen_ms = now;
    if (Number(a.labels.threshold_days) <= hit) return;
    a.labels = labels;
    a.severity = sev;
    a.summary = summary;
    if (a.state === 'acknowledged' || a.state === 'pending') a.state = 'firing';
    a.fired_ms = now;
    a.routes = this.d.router.route(a.labels, this.classes(now));
    this.d.store.save(a);
    this.d.changed(a);
    if (a.state === 'firing' && !a.silenced && !a.flapping) this.queue(a, now);
  }

  /** Ingest listener entry: events (traps, reboots, config changes, port/camera down). */
  onEvents(events: readonly Event[]): void {
    const now = this.d.now();
    for (const e of events) {
      for (const r of this.eventRules) {
        if (!r.kinds.includes(e.kind) || SEV_RANK[e.severity] < SEV_RANK[r.min_severity]) continue;
        this.evaluated++;
        const key = `${r.name}\u0000${e.target}`;
        const a = this.open.get(key);
        if (a) {
          a.last_seen_ms = now;
          a.value = e.message;
          continue;
        }
        const labels = { ...this.labelsOf(r, e.target, {}), event_kind: e.kind };
        const created = this.create(r, e.target, labels, e.message, now, r.summary ? undefined : `${e.kind}: ${e.message}`);
        this.fire(created, now);
      }
    }
    if (this.dueAt <= now) this.flush(now);
  }

  /**
   * Inspection due/overdue, called by the inspections module whenever it recomputes an
   * inspection's status (also fed by `inspection` samples). Target: `inspection:<kind>:<scope>`.
   */
  reportInspection(st: InspectionStatus): void {
    const now = this.d.now();
    const target = `inspection:${st.kind}:${st.scope}`;
    for (const r of this.inspectionRules) {
      const key = `${r.name}\u0000${target}`;
      const a = this.open.get(key);
      const due = st.overdue || st.due_in_days <= r.due_within_days;
      const value = st.overdue ? `overdue ${-Math.min(0, st.due_in_days)} d` : `due in ${st.due_in_days} d`;
      if (a && !due) this.resolve(a, now);
      else if (a) {
        a.value = value;
        a.last_seen_ms = now;
        if (st.overdue && a.severity !== r.overdue_severity) {
          a.severity = r.overdue_severity;
          this.d.store.save(a);
        }
      } else if (due) {
        const labels = { ...this.labelsOf(r, target, {}), inspection_kind: st.kind, scope: st.scope };
        const created = this.create(r, target, labels, value, now, r.summary ? undefined : `${st.kind} inspection ${st.scope} ${value}`);
        if (st.overdue) created.severity = r.overdue_severity;
        created.labels.severity = created.severity;
        this.fire(created, now);
      }
    }
  }

  private inspectionSample(s: Sample): void {
    const due = s.fields.due_in_days;
    const overdue = s.fields.overdue;
    if (!s.tags.kind || !s.tags.scope || due === undefined) return;
    this.reportInspection({ kind: s.tags.kind, scope: s.tags.scope, due_in_days: Number(due), overdue: Number(overdue ?? 0) === 1 || overdue === true });
  }

  private create(r: RuleConfig, target: string, labels: Record<string, string>, value: string | undefined, now: number, summary?: string): Alert {
    const base = {
      rule: r.name,
      target,
      severity: r.severity,
      state: 'pending' as const,
      summary: summary ?? render(r.summary, `${r.name}`, { target, value, labels }),
      labels,
      value,
      started_ms: now,
      fired_ms: undefined,
      acked_ms: undefined,
      acked_by: undefined,
      resolved_ms: undefined,
      suppressed_by: undefined,
      silenced: false,
      flapping: false,
      level: 0,
      notified_ms: undefined,
      routes: [],
      told: [],
      last_seen_ms: now,
      rule_fp: ruleFingerprint(r),
    };
    const a: Alert = { ...base, id: this.d.store.insert(base) };
    this.open.set(`${r.name}\u0000${target}`, a);
    this.byId.set(a.id, a);
    this.d.changed(a);
    return a;
  }

  private drop(a: Alert): void {
    this.open.delete(`${a.rule}\u0000${a.target}`);
    this.byId.delete(a.id);
    this.d.store.remove(a.id);
  }

  private fire(a: Alert, now: number): void {
    a.state = 'firing';
    a.fired_ms = now;
    const key = `${a.rule}\u0000${a.target}`;
    const hist = (this.fires.get(key) ?? []).filter((t) => t > now - this.d.cfg.flap.window_s * 1000);
    hist.push(now);
    this.fires.set(key, hist);
    a.flapping = hist.length > this.d.cfg.flap.max_fires;
    a.routes = this.d.router.route(a.labels, this.classes(now));
    a.silenced = this.d.inMaintenance(a.target, a.labels, now);
    const sup = this.suppressor(a);
    if (sup && sup !== 'wait') {
      a.state = 'suppressed';
      a.suppressed_by = sup.id;
    }
    this.d.store.save(a);
    this.d.changed(a);
    if (a.flapping) this.d.log.warn({ rule: a.rule, target: a.target, fires: hist.length }, 'alert is flapping: notifications held');
    if (!a.flapping && !a.silenced && a.state === 'firing') this.queue(a, now);
  }

  private classesCache: { minute: number; set: ReadonlySet<string> } | undefined;

  /** Time classes for routing, computed once per minute (Intl formatting is slow). */
  private classes(now: number): ReadonlySet<string> {
    const minute = Math.floor(now / 60_000);
    if (this.classesCache?.minute !== minute)
      this.classesCache = { minute, set: timeClasses(now, this.d.cfg.timezone, this.d.calendar, this.d.cfg.working_hours) };
    return this.classesCache.set;
  }

  private queue(a: Alert, now: number): void {
    for (const r of a.routes) {
      const gk = `${r.receiver}\u0000${r.group_by.map((k) => a.labels[k] ?? '').join('\u0000')}`;
      const g = this.groups.get(gk) ?? { route: r, flushAt: now + r.group_wait_s * 1000, alerts: new Set<number>() };
      this.dueAt = Math.min(this.dueAt, g.flushAt);
      this.groups.set(gk, g);
      g.alerts.add(a.id);
    }
  }

  private resolve(a: Alert, now: number): void {
    a.state = 'resolved';
    a.resolved_ms = now;
    this.open.delete(`${a.rule}\u0000${a.target}`);
    this.byId.delete(a.id);
    this.d.store.save(a);
    this.d.changed(a);
    if (a.told.length && !a.flapping) {
      for (const receiver of a.told) this.send('resolved', receiver, a.level, [a], now);
    }
  }

  /** Acknowledges an open alert; stops escalation and repeats. Returns false when it is not open. */
  acknowledge(id: number, by: string, note?: string): Alert | undefined {
    const a = this.byId.get(id);
    if (!a || (a.state !== 'firing' && a.state !== 'suppressed')) return undefined;
    a.state = 'acknowledged';
    a.acked_ms = this.d.now();
    a.acked_by = by;
    if (note) a.ack_note = note;
    this.d.store.save(a);
    this.d.changed(a);
    return a;
  }

  /**
   * Whether an open alert may explain others: its rule still exists and, for a threshold
   * alert, a sample confirmed it recently (absence alerts are about silence itself).
   */
  private current(o: Alert, now: number): boolean {
    const r = this.ruleByName.get(o.rule);
    if (!r || (o.rule_fp !== undefined && o.rule_fp !== ruleFingerprint(r))) return false;
    return r.type !== 'threshold' || now - o.last_seen_ms <= (this.d.staleMs ?? 15 * 60_000);
  }

  private suppressor(a: Alert): Alert | undefined | 'wait' {
    const now = this.d.now();
    for (const anc of this.d.topology.ancestors(a.target)) {
      for (const o of this.open.values()) {
        if (o.target !== anc || o.id === a.id || !this.current(o, now)) continue;
        if (o.state === 'firing' || o.state === 'acknowledged') return o;
        if (o.state === 'pending') return 'wait';
      }
    }
    return undefined;
  }

  private view(a: Alert, behind: Map<number, string[]>): AlertView {
    const suppressed = behind.get(a.id) ?? [];
    return {
      id: a.id,
      rule: a.rule,
      target: a.target,
      severity: a.severity,
      state: a.state,
      summary: a.summary,
      labels: a.labels,
      value: a.value,
      fired_ms: a.fired_ms ?? a.started_ms,
      resolved_ms: a.resolved_ms,
      acked_by: a.acked_by,
      suppressed,
    };
  }

  private send(kind: NotificationKind, receiver: string, level: number, alerts: Alert[], now: number): void {
    const first = alerts[0]!;
    const ack = kind !== 'resolved' && kind !== 'acknowledged';
    // Which targets are suppressed behind each alert (one pass over the open alerts).
    const behind = new Map<number, string[]>();
    for (const o of this.open.values()) {
      if (o.suppressed_by === undefined) continue;
      const l = behind.get(o.suppressed_by) ?? [];
      l.push(o.target);
      behind.set(o.suppressed_by, l);
    }
    this.d.deliver({
      key: `${kind}:${receiver}:${alerts.map((a) => a.id).join(',')}:${now}`,
      kind,
      receiver,
      level,
      purpose: 'alert',
      alerts: alerts.map((a) => this.view(a, behind)),
      ack_url: ack ? this.d.ackUrl(first.id, receiver) : undefined,
      ack_code: ack ? `ACK ${first.id}` : undefined,
      time_ms: now,
    });
  }

  /** Periodic work: `for` elapsed, absence, event expiry, group flushes, maintenance ends, escalation, repeats. */
  tick(): void {
    const now = this.d.now();
    for (const a of [...this.open.values()]) {
      const rule = this.ruleByName.get(a.rule);
      if (a.state === 'pending' && rule?.type === 'threshold' && now - a.started_ms >= rule.for_s * 1000) this.fire(a, now);
      else if (rule?.type === 'event' && now - a.last_seen_ms >= rule.resolve_after_s * 1000) this.resolve(a, now);
      else if (
        a.state === 'suppressed' &&
        !(a.suppressed_by !== undefined && this.byId.has(a.suppressed_by) && this.current(this.byId.get(a.suppressed_by)!, now))
      ) {
        // The device in front of it recovered but this one did not: now it is news.
        a.state = 'firing';
        a.suppressed_by = undefined;
        this.d.store.save(a);
        this.d.changed(a);
        this.queue(a, now);
      } else if (a.silenced && a.state === 'firing' && !this.d.inMaintenance(a.target, a.labels, now)) {
        a.silenced = false;
        this.d.store.save(a);
        this.queue(a, now);
      }
    }
    for (const s of this.lastSeen.values()) {
      const key = `${s.rule.name}\u0000${s.target}`;
      if (now - s.t < s.rule.for_s * 1000 || this.open.has(key)) continue;
      const a = this.create(
        s.rule,
        s.target,
        s.labels,
        `silent ${Math.round((now - s.t) / 1000)} s`,
        now,
        s.rule.summary ? undefined : `no data from ${s.target} for ${Math.round((now - s.t) / 1000)} s`,
      );
      this.fire(a, now);
    }
    this.flush(now);
    this.escalate(now);
  }

  private flush(now: number): void {
    this.dueAt = Infinity;
    for (const [gk, g] of this.groups) {
      if (g.flushAt > now) this.dueAt = Math.min(this.dueAt, g.flushAt);
      if (g.flushAt > now) continue;
      const ready: Alert[] = [];
      let waiting = false;
      for (const id of g.alerts) {
        const a = this.byId.get(id);
        if (!a || a.state === 'resolved' || a.state === 'acknowledged') {
          g.alerts.delete(id);
          continue;
        }
        const sup = this.suppressor(a);
        if (sup === 'wait') {
          waiting = true;
          continue;
        }
        g.alerts.delete(id);
        if (sup) {
          a.state = 'suppressed';
          a.suppressed_by = sup.id;
          this.d.store.save(a);
          this.d.changed(a);
          continue;
        }
        ready.push(a);
      }
      if (ready.length) {
        this.send('firing', g.route.receiver, 0, ready, now);
        for (const a of ready) {
          a.notified_ms = now;
          if (!a.told.includes(g.route.receiver)) a.told.push(g.route.receiver);
          this.d.store.save(a);
        }
      }
      if (!waiting || !g.alerts.size) this.groups.delete(gk);
      else {
        g.flushAt = now + this.d.cfg.eval_interval_ms;
        this.dueAt = Math.min(this.dueAt, g.flushAt);
      }
    }
  }

  private escalate(now: number): void {
    for (const a of this.open.values()) {
      if (a.state !== 'firing' || a.silenced || a.flapping || a.notified_ms === undefined || a.fired_ms === undefined) continue;
      // Expiry alerts speak once per threshold crossed (see expiry()), never on a timer.
      if (this.ruleByName.get(a.rule)?.type === 'expiry') continue;
      let changed = false;
      for (const r of a.routes) {
        r.escalate.forEach((step, i) => {
          if (a.level > i || now - a.fired_ms! < step.after_s * 1000) return;
          a.level = i + 1;
          changed = true;
          this.d.log.warn({ alert: a.id, receiver: step.receiver, level: a.level }, 'alert not acknowledged: escalating');
          this.send('escalation', step.receiver, a.level, [a], now);
          if (!a.told.includes(step.receiver)) a.told.push(step.receiver);
        });
        if (r.repeat_interval_s > 0 && now - a.notified_ms >= r.repeat_interval_s * 1000) {
          for (const rc of a.told) this.send('repeat', rc, a.level, [a], now);
          a.notified_ms = now;
          changed = true;
          break;
        }
      }
      if (changed) this.d.store.save(a);
    }
  }
}
