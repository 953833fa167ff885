import { createHash } from 'node:crypto';
import { DocumentError } from '../ingest/ingest.ts';
import type { CollectorContext } from '../core/module.ts';
import { apiActor } from '../http/auth.ts';
import { HttpError, sendJson } from '../http/respond.ts';
import { type Finding, type LicenceCount, PolicyEngine, type PolicySubject } from '../../lib/software-policy.ts';
import { int, type Sample } from '../../protocol/sample.ts';
import { softwareBodySchema } from './body.ts';
import { createSoftwareStore, type MachineSummary, type SoftwareStore } from './store.ts';

/**
 * One machine's standing under the policy: the forbidden and licensed programs themselves,
 * unreviewed ones counted (thousands per machine without a policy), and the requires_license
 * rules it counts against.
 */
export interface MachineFindings {
  agent: string;
  forbidden: Finding[];
  requires_license: Finding[];
  unreviewed: number;
  licence_rules: string[];
}

/** The fleet under the policy: per-machine findings and licence counts against licences held. */
export interface FleetFindings {
  machines: MachineFindings[];
  licensing: (LicenceCount & { exceeded: boolean })[];
  totals: { machines: number; forbidden: number; unreviewed: number; exceeded: number };
}

/** The software module's handle: the store, the policy engine and the fleet evaluation. */
export interface SoftwareService {
  store: SoftwareStore;
  policy: PolicyEngine;
  findings(): FleetFindings;
  /** Whether a machine's OS or Office is not activated (for inspections), from its last list. */
  unactivated(m: MachineSummary): string[];
}

/** A machine's findings from its rows. */
export function machineFindings(policy: PolicyEngine, agent: string, rows: readonly PolicySubject[]): MachineFindings {
  const out: MachineFindings = { agent, forbidden: [], requires_license: [], unreviewed: 0, licence_rules: [] };
  for (const f of policy.findings(rows)) {
    if (f.action === 'forbidden') out.forbidden.push(f);
    else if (f.action === 'requires_license') out.requires_license.push(f);
    else out.unreviewed++;
  }
  out.licence_rules = [...new Set(out.requires_license.map((f) => f.rule!))];
  return out;
}

/**
 * Findings per machine, kept with the list hash they were computed for: the console and the
 * API evaluate the fleet from these, and a machine's rows are read again only when its list
 * changed (500 machines × 2,000 rows is a million rows to read per page view otherwise).
 */
export function findingsCache(store: SoftwareStore, policy: PolicyEngine): (m: MachineSummary) => MachineFindings {
  const cache = new Map<string, { hash: string; f: MachineFindings }>();
  return (m) => {
    let c = cache.get(m.agent);
    if (c?.hash !== m.hash) cache.set(m.agent, (c = { hash: m.hash, f: machineFindings(policy, m.agent, store.installed(m.agent)) }));
    return c.f;
  };
}

export function fleetFindings(
  store: SoftwareStore,
  policy: PolicyEngine,
  of: (m: MachineSummary) => MachineFindings = findingsCache(store, policy),
): FleetFindings {
  const machines = store.machines().map(of);
  const held = new Map<string, number>();
  for (const m of machines) for (const r of m.licence_rules) held.set(r, (held.get(r) ?? 0) + 1);
  const licensing = policy.rules
    .filter((r) => r.action === 'requires_license')
    .map((r) => ({ rule: r.name, installed: held.get(r.name) ?? 0, licensed: r.licenses ?? 0 }))
    .map((l) => ({ ...l, exceeded: l.installed > l.licensed }));
  return {
    machines,
    licensing,
    totals: {
      machines: machines.length,
      forbidden: machines.reduce((n, m) => n + m.forbidden.length, 0),
      unreviewed: machines.reduce((n, m) => n + m.unreviewed, 0),
      exceeded: licensing.filter((l) => l.exceeded).length,
    },
  };
}

export function unactivated(m: MachineSummary): string[] {
  const out: string[] = [];
  if (m.os_activation !== 'licensed' && m.os_activation !== 'not_applicable') out.push(`os:${m.os_activation}`);
  for (const o of m.office) if (o.kind !== 'wps' && o.activation !== 'licensed') out.push(`office:${o.product}:${o.activation}`);
  return out;
}

/**
 * One machine's standing under the policy as a sample (`software_compliance`, tags host), so
 * threshold alert rules and dashboards can use it: written after every list received (a
 * resend too, so it stays current) and for every machine at start (the policy may have changed).
 */
export function complianceSample(m: MachineSummary, f: MachineFindings, now: number): Sample {
  const office = m.office.filter((o) => o.kind !== 'wps');
  return {
    measurement: 'software_compliance',
    tags: { host: m.agent },
    fields: {
      forbidden: int(f.forbidden.length),
      requires_license: int(f.requires_license.length),
      unreviewed: int(f.unreviewed),
      packages: int(m.packages),
      os_activation: m.os_activation,
      os_activated: m.os_activation === 'licensed' || m.os_activation === 'not_applicable',
      office_unactivated: int(office.filter((o) => o.activation !== 'licensed').length),
      list_age_s: Math.max(0, Math.round((now - m.doc_time_ms) / 1000)),
    },
    time: now,
  };
}

function day(v: string | null, name: string): number | undefined {
  if (v === null || v === '') return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new HttpError(400, `bad "${name}": ${v} (use an ISO date, e.g. 2026-12-01)`);
  return t;
}

/**
 * Installed software per machine (the agents' `software` documents) with history, and the
 * licensing policy (`software.policy`) over it. API (token from alerts.api_tokens):
 * GET /api/software/machines, /api/software/machine?agent=, /api/software/search?q=,
 * /api/software/changes?from=&to=[&agent=], /api/software/findings.
 */
export function startSoftware(ctx: CollectorContext): SoftwareService {
  const store = createSoftwareStore(ctx.db);
  const policy = new PolicyEngine(ctx.config.software.policy.rules);
  const stored = ctx.metrics.counter('watchpost_software_documents_total', 'Software lists applied, by outcome (unchanged, stale, baseline, changed)');
  const findingsOf = findingsCache(store, policy);
  const emit = (agent: string) => {
    const m = store.machine(agent);
    if (!m) return;
    const f = findingsOf(m);
    try {
      ctx.ingest.accept({ kind: 'http', name: 'collector-software', tags: {} }, [complianceSample(m, f, ctx.now())]);
    } catch (e) {
      // The list is stored already; a full spool costs this sample, not the document.
      ctx.log.warn({ agent, err: (e as Error).message }, 'software_compliance sample not written');
    }
  };
  ctx.ingest.onDocument('software', (doc, source) => {
    // Most documents are the daily resend of an unchanged list: answered from the hash alone.
    if (store.resend(source.name, doc.hash, ctx.now())) {
      stored.inc({ outcome: 'unchanged' });
      emit(source.name);
      return;
    }
    // Stored under its hash, the body must be what the hash says: a mismatch would make the
    // collector take a later, real change for a resend. Agents hash JSON.stringify(body), and
    // JSON.parse keeps key order, so the same text comes back here.
    if (createHash('sha256').update(JSON.stringify(doc.body)).digest('hex') !== doc.hash)
      throw new DocumentError('software document whose hash does not match its body');
    const r = softwareBodySchema.safeParse(doc.body);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new DocumentError(`software document body invalid at ${i?.path.join('.') || '(root)'}: ${i?.message}`);
    }
    const res = store.apply(source.name, doc.hash, doc.time, r.data, ctx.now());
    stored.inc({ outcome: res.outcome });
    emit(source.name);
    if (res.changes) ctx.log.info({ agent: source.name, changes: res.changes }, 'software changed');
  });
  // After every module has started (the alerts engine listens for samples).
  setImmediate(() => {
    try {
      for (const m of store.machines()) emit(m.agent);
    } catch (e) {
      ctx.log.error({ err: (e as Error).message }, 'software compliance samples at start failed');
    }
  });
  const service: SoftwareService = { store, policy, findings: () => fleetFindings(store, policy, findingsOf), unactivated };
  ctx.server.route('GET', '/api/software/machines', (req, res) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, { machines: store.machines() });
  });
  ctx.server.route('GET', '/api/software/machine', (req, res, url) => {
    apiActor(ctx.config, req);
    const agent = url.searchParams.get('agent');
    if (!agent) throw new HttpError(400, 'missing "agent"');
    const m = store.machine(agent);
    if (!m) throw new HttpError(404, `no software list from ${agent}`);
    sendJson(res, 200, { machine: m, software: store.installed(agent), findings: policy.findings(store.installed(agent)), os_history: store.osHistory(agent) });
  });
  ctx.server.route('GET', '/api/software/search', (req, res, url) => {
    apiActor(ctx.config, req);
    const q = url.searchParams.get('q');
    if (!q) throw new HttpError(400, 'missing "q"');
    sendJson(res, 200, { q, installed: store.search(q) });
  });
  ctx.server.route('GET', '/api/software/changes', (req, res, url) => {
    apiActor(ctx.config, req);
    const from = day(url.searchParams.get('from'), 'from') ?? 0;
    const to = day(url.searchParams.get('to'), 'to') ?? ctx.now() + 1;
    sendJson(res, 200, { changes: store.changes(from, to, url.searchParams.get('agent') ?? undefined) });
  });
  ctx.server.route('GET', '/api/software/findings', (req, res) => {
    apiActor(ctx.config, req);
    sendJson(res, 200, service.findings());
  });
  return service;
}
