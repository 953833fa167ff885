import os from 'node:os';
import path from 'node:path';
import { int, type Sample } from '../../../protocol/sample.ts';
import { systemPlatform, type Platform } from '../platform/platform.ts';
import { ExitCode, type CheckStatus, type Probe, type ProbeDefinition } from '../probe.ts';
import { aptPatches, dnfPatches, parseOsRelease } from './linux.ts';
import { windowsPatches } from './windows.ts';
import type { PatchesConfig } from './schema.ts';
export type { PatchesConfig } from './schema.ts';
import { cli } from './check.ts';

/** What one run found; undefined means "could not tell" (and error_class says why). */
export interface PatchState {
  os_family: 'debian' | 'rhel' | 'windows' | 'unknown';
  /** apt, apt-get, dnf, wua, wmic, systeminfo, none */
  method: string;
  os_id?: string | undefined;
  pending: number | undefined;
  security_pending: number | undefined;
  /** Names (packages) or titles (Windows updates) of the pending security updates. */
  security_names: string[];
  last_install_ms?: number | undefined;
  reboot_required: boolean | undefined;
  hotfixes?: number | undefined;
  error_class: string;
}

/** Detects the OS family and runs the matching collector. Never throws for a missing tool. */
export async function collectPatches(cfg: PatchesConfig, platform: Platform, signal?: AbortSignal): Promise<PatchState> {
  let method = cfg.method;
  let osId: string | undefined;
  if (platform.os === 'windows') method = method === 'auto' ? 'windows' : method;
  else {
    const rel = parseOsRelease((await platform.readFile('/etc/os-release'))?.toString('utf8') ?? '');
    osId = rel.ID;
    if (method === 'auto') {
      const like = `${rel.ID ?? ''} ${rel.ID_LIKE ?? ''}`;
      const hasApt = (await platform.exists('/usr/bin/apt-get')) || (await platform.exists('/usr/bin/apt'));
      const hasDnf = await platform.exists('/usr/bin/dnf');
      if (hasApt && (/debian|ubuntu|uos|kylin|deepin/.test(like) || !hasDnf)) method = 'apt';
      else if (hasDnf) method = 'dnf';
    }
  }
  let st: PatchState;
  if (method === 'windows') st = await windowsPatches(platform, cfg.online_search, signal);
  else if (method === 'apt') st = await aptPatches(platform, signal);
  else if (method === 'dnf') st = await dnfPatches(platform, signal);
  else
    st = {
      os_family: 'unknown',
      method: 'none',
      pending: undefined,
      security_pending: undefined,
      security_names: [],
      reboot_required: undefined,
      error_class: 'unsupported_os',
    };
  st.os_id ??= osId;
  return st;
}

export function toSample(st: PatchState, host: string, tags: Record<string, string>, now: number): Sample {
  const fields: Sample['fields'] = { method: st.method, error_class: st.error_class };
  if (st.pending !== undefined) fields.pending = int(st.pending);
  if (st.security_pending !== undefined) fields.security_pending = int(st.security_pending);
  if (st.last_install_ms !== undefined) {
    fields.last_install_s = int(st.last_install_ms / 1000);
    fields.days_since_patch = Math.max(0, (now - st.last_install_ms) / 86_400_000);
  }
  if (st.reboot_required !== undefined) fields.reboot_required = st.reboot_required;
  if (st.hotfixes !== undefined) fields.hotfixes = int(st.hotfixes);
  if (st.os_id) fields.os_id = st.os_id;
  return { measurement: 'patches', tags: { ...tags, host, os_family: st.os_family }, fields, time: now };
}

/**
 * What apt, dnf and rpm answer from, and the reboot flag: any install, removal, `apt update`,
 * `dnf makecache`, source or pinning change touches one of these (a file, or a directory whose
 * entries are replaced). Files of the other family simply do not exist.
 */
export const PACKAGE_STATE = [
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/updates',
  '/var/lib/apt/lists',
  '/var/lib/apt/periodic',
  '/var/lib/apt/extended_states',
  '/etc/apt/sources.list',
  '/etc/apt/sources.list.d',
  '/etc/apt/preferences.d',
  '/var/log/dpkg.log',
  '/var/run/reboot-required',
  '/run/reboot-required',
  '/var/lib/rpm',
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/var/lib/dnf',
  '/var/cache/dnf',
  '/var/cache/dnf/last_makecache',
  '/etc/yum.repos.d',
];

/** The mtimes of the package state as one string; undefined on Windows (no file says a WUA scan changed). */
export async function packageStateKey(platform: Platform, root = ''): Promise<string | undefined> {
  if (platform.os === 'windows') return undefined;
  const m = await Promise.all(PACKAGE_STATE.map((p) => platform.mtime(root ? path.join(root, p) : p)));
  return m.map((x) => x ?? '-').join(',');
}

export interface PatchesDeps {
  platform: Platform;
  host: string;
  /** Prefix for the PACKAGE_STATE paths (tests point it at a temp dir); default '' (the real files). */
  stateRoot?: string;
}

export function createPatchesProbe(
  cfg: PatchesConfig,
  deps: PatchesDeps = { platform: systemPlatform(), host: os.hostname() },
): Probe & { last?: PatchState; runs: number } {
  let cached: { key: string; at: number } | undefined;
  const probe: Probe & { last?: PatchState; runs: number } = {
    /** How many times the package manager really ran (the rest were answered from unchanged state). */
    runs: 0,
    async collect(signal) {
      const now = deps.platform.now();
      const key = cfg.max_age_s > 0 ? await packageStateKey(deps.platform, deps.stateRoot) : undefined;
      if (!(probe.last && key !== undefined && cached?.key === key && now - cached.at < cfg.max_age_s * 1000)) {
        const st = await collectPatches(cfg, deps.platform, signal);
        probe.runs++;
        probe.last = st;
        // A failed run (timeout, broken tool) is retried next time, not remembered.
        cached = key !== undefined && st.error_class === '' ? { key, at: now } : undefined;
      }
      return [toSample(probe.last, deps.host, cfg.tags, now)];
    },
  };
  return probe;
}

function n(v: unknown): number | undefined {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined;
}

/** Monitoring Plugins status: security pending and days since the last patch; unknown state is UNKNOWN. */
export function patchesStatus(samples: Sample[], cfg: PatchesConfig): CheckStatus {
  const s = samples.find((x) => x.measurement === 'patches');
  if (!s) return { code: ExitCode.UNKNOWN, summary: 'no patches sample' };
  const sec = n(s.fields.security_pending);
  const pending = n(s.fields.pending);
  const days = n(s.fields.days_since_patch);
  const reboot = s.fields.reboot_required === true;
  const parts = [`${s.tags.os_family} via ${String(s.fields.method)}`];
  parts.push(pending === undefined ? 'pending unknown' : `${pending} pending, ${sec ?? '?'} security`);
  parts.push(days === undefined ? 'last patch unknown' : `last patch ${days.toFixed(0)} days ago`);
  if (reboot) parts.push('reboot required');
  if (s.fields.error_class) parts.push(`error ${String(s.fields.error_class)}`);
  let code: CheckStatus['code'] = ExitCode.OK;
  const up = (c: CheckStatus['code']) => {
    if (c > code) code = c;
  };
  if (sec !== undefined && sec >= cfg.crit_security_pending) up(ExitCode.CRITICAL);
  else if (sec !== undefined && sec >= cfg.warn_security_pending) up(ExitCode.WARNING);
  if (days !== undefined && days >= cfg.crit_days_since_patch) up(ExitCode.CRITICAL);
  else if (days !== undefined && days >= cfg.warn_days_since_patch) up(ExitCode.WARNING);
  if (reboot) up(ExitCode.WARNING);
  if (pending === undefined && days === undefined) up(ExitCode.UNKNOWN);
  return { code, summary: parts.join(', ') };
}

export const patchesProbe: ProbeDefinition<PatchesConfig> = {
  kind: 'patches',
  description: 'pending and security updates, last install, days since patch, reboot required (apt, dnf, Windows Update Agent)',
  create: (cfg, ctx) => createPatchesProbe(cfg, { platform: systemPlatform(), host: ctx.host ?? os.hostname() }),
  // apt list ~1–2 s, dnf from cache a few s, the WUA offline search a few s (unchanged Linux state: a few stat() calls).
  budget: () => ({ run_ms: 30_000 }),
  cli,
  status: patchesStatus,
};
