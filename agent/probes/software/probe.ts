import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { int, type Sample } from '../../../protocol/sample.ts';
import { systemPlatform, type Platform } from '../platform/platform.ts';
import { ExitCode, type CheckExtra, type CheckStatus, type Probe, type ProbeContext, type ProbeDefinition } from '../probe.ts';
import { canonical, type SoftwareDocument } from './inventory.ts';
import { linuxInventory, linuxOs } from './linux.ts';
import { windowsInventory } from './windows.ts';
import type { SoftwareConfig } from './schema.ts';
export type { SoftwareConfig } from './schema.ts';

export interface SoftwareDeps {
  platform: Platform;
  host: string;
  /** Tests: extra rpm arguments (--dbpath DIR), dpkg's info directory. */
  rpmArgs?: string[];
  dpkgInfoDir?: string;
  listDir?(dir: string): Promise<string[]>;
}

/** One full inventory of the machine. Never throws for a missing or failing source: `errors` says which failed. */
export async function collectSoftware(cfg: SoftwareConfig, deps: SoftwareDeps, signal?: AbortSignal): Promise<SoftwareDocument> {
  const p = deps.platform;
  if (p.os === 'windows') {
    const w = await windowsInventory(p, { includeSystemComponents: cfg.include_system_components, includeUpdates: cfg.include_updates }, signal);
    return { os: w.os, software: canonical(w.items), licenses: w.licenses, office: w.office, errors: w.errors, read_scopes: w.readScopes };
  }
  if (p.os !== 'linux')
    return {
      os: { name: os.type(), version: os.release(), edition: '', activation: 'unknown' },
      software: [],
      licenses: [],
      office: [],
      errors: { os: 'unsupported_os' },
    };
  const [info, inv] = await Promise.all([
    linuxOs(p),
    linuxInventory(
      p,
      { uosAppsDir: cfg.uos_apps_dir, rpmArgs: deps.rpmArgs, dpkgInfoDir: deps.dpkgInfoDir, listDir: deps.listDir ?? ((d) => readdir(d)) },
      signal,
    ),
  ]);
  return { os: info, software: canonical(inv.items), licenses: [], office: [], errors: inv.errors };
}

export function softwareSample(
  doc: SoftwareDocument,
  host: string,
  tags: Record<string, string>,
  now: number,
  sent: { hash: string; queued: boolean } | undefined,
): Sample {
  const bySource: Record<string, number> = {};
  for (const s of doc.software) bySource[s.source] = (bySource[s.source] ?? 0) + 1;
  const fields: Sample['fields'] = {
    packages: int(doc.software.length),
    os_activation: doc.os.activation,
    office_suites: int(doc.office.length),
    office_unactivated: int(doc.office.filter((o) => o.kind !== 'wps' && o.activation !== 'licensed').length),
    error_class: Object.keys(doc.errors).length ? 'source_failed' : '',
    failed_sources: Object.keys(doc.errors).sort().join(','),
  };
  for (const [k, n] of Object.entries(bySource)) fields[`packages_${k}`] = int(n);
  if (sent) {
    fields.document_hash = sent.hash;
    fields.document_sent = sent.queued;
  }
  return { measurement: 'software', tags: { ...tags, host }, fields, time: now };
}

/**
 * The software probe: one full inventory per run, sent as a `software` document (not a
 * metric per package) when it changed or once a day, plus one `software` sample with counts.
 */
export function createSoftwareProbe(cfg: SoftwareConfig, deps: SoftwareDeps, ctx: Pick<ProbeContext, 'emitDocument'>): Probe {
  // Nothing of the list is kept between runs (it is in the outbox, or unchanged): the agent's RSS stays flat.
  const probe: Probe = {
    async collect(signal) {
      const doc = await collectSoftware(cfg, deps, signal);
      signal.throwIfAborted();
      const sent = ctx.emitDocument?.('software', doc, { resendMs: cfg.resend_s * 1000 });
      return [softwareSample(doc, deps.host, cfg.tags, deps.platform.now(), sent)];
    },
  };
  return probe;
}

/** The `--policy` file's engine and --strict, prepared once by the CLI (./check.ts). */
export interface SoftwareCheckPrepared {
  json(doc: SoftwareDocument): unknown;
  status(doc: SoftwareDocument): CheckStatus;
}

export function docOf(extra: CheckExtra | undefined): SoftwareDocument | undefined {
  return extra?.documents.get('software') as SoftwareDocument | undefined;
}

/**
 * Installed software and licences: dpkg, rpm, UOS app-store apps, snap, flatpak on Linux; the
 * registry's Uninstall keys (machine and every loaded user hive), MSIX, SoftwareLicensingProduct,
 * Office Click-to-Run/MSI and WPS on Windows, through the agent's PowerShell session.
 */
import { cli } from './check.ts';
export const softwareProbe: ProbeDefinition<SoftwareConfig> = {
  kind: 'software',
  description:
    'installed software (dpkg, rpm, UOS apps, snap, flatpak; Windows registry, MSIX), OS edition and activation, Office/WPS, sent as an inventory document',
  create: (cfg, ctx) => createSoftwareProbe(cfg, { platform: systemPlatform(), host: ctx.host ?? os.hostname() }, ctx),
  // dpkg-query on 2,000 packages ~0.1 s, rpm -qa ~1 s; the Windows script a few seconds (Get-AppxPackage -AllUsers is the slow part).
  budget: () => ({ run_ms: 30_000 }),
  cli,
  status(samples, _cfg, extra) {
    const doc = docOf(extra);
    const prep = extra?.prepared as SoftwareCheckPrepared | undefined;
    if (doc && prep) return prep.status(doc);
    const s = samples.find((x) => x.measurement === 'software');
    return s ? { code: ExitCode.OK, summary: `${String(s.fields.packages)} packages` } : { code: ExitCode.UNKNOWN, summary: 'no software sample' };
  },
};
