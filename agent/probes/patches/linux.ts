import type { Platform } from '../platform/platform.ts';
import { lastDpkgUpgrade, parseAptGetSimulate, parseAptList, parseDnfCheckUpdate, parseDnfUpdateinfo } from './parse.ts';
import type { PatchState } from './probe.ts';

const C = { LC_ALL: 'C', LANG: 'C' };

/** /etc/os-release as key → value. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z_]+)=("?)(.*)\2\s*$/gm)) out[m[1]!] = m[3]!;
  return out;
}

/**
 * Debian family (Debian, Ubuntu, UOS, Kylin, Deepin: anything with apt): `apt list --upgradable`
 * reads the local package lists (no network, no lock), falling back to `apt-get -s dist-upgrade`.
 * The lists are as fresh as the last `apt update` (the distribution's timer): the probe does
 * not refresh them. Security = from a pocket named *-security.
 */
export async function aptPatches(platform: Platform, signal?: AbortSignal): Promise<PatchState> {
  const st: PatchState = {
    os_family: 'debian',
    method: 'apt',
    pending: undefined,
    security_pending: undefined,
    reboot_required: undefined,
    error_class: '',
    security_names: [],
  };
  let pkgs;
  const list = await platform.exec('apt', ['list', '--upgradable'], { signal, env: C, timeoutMs: 60_000 });
  if (!list.error_class && list.code === 0) pkgs = parseAptList(list.stdout.toString('utf8'));
  else {
    const sim = await platform.exec('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'], { signal, env: C, timeoutMs: 60_000 });
    if (!sim.error_class && sim.code === 0) {
      st.method = 'apt-get';
      pkgs = parseAptGetSimulate(sim.stdout.toString('utf8'));
    } else st.error_class = sim.error_class === 'not_found' ? 'tool_missing' : sim.error_class || 'tool_failed';
  }
  if (pkgs) {
    st.pending = pkgs.length;
    st.security_names = pkgs.filter((p) => p.security).map((p) => p.name);
    st.security_pending = st.security_names.length;
  }
  const logs = await Promise.all(['/var/log/dpkg.log', '/var/log/dpkg.log.1'].map((f) => platform.readFile(f)));
  st.last_install_ms = lastDpkgUpgrade(...logs.map((b) => b?.toString('utf8') ?? ''));
  // update-notifier-common / unattended-upgrades write this file when a reboot is needed.
  st.reboot_required = await platform.exists('/var/run/reboot-required');
  return st;
}

/** RHEL family (RHEL, Rocky, Alma, CentOS Stream, openEuler, Anolis, Kylin Server): dnf, from its metadata cache (-C). */
export async function dnfPatches(platform: Platform, signal?: AbortSignal): Promise<PatchState> {
  const st: PatchState = {
    os_family: 'rhel',
    method: 'dnf',
    pending: undefined,
    security_pending: undefined,
    reboot_required: undefined,
    error_class: '',
    security_names: [],
  };
  const cu = await platform.exec('dnf', ['-q', '-C', 'check-update'], { signal, env: C, timeoutMs: 120_000 });
  // check-update exits 100 when updates are available, 0 when none, 1 on error.
  if (!cu.error_class && (cu.code === 0 || cu.code === 100)) st.pending = parseDnfCheckUpdate(cu.stdout.toString('utf8')).length;
  else st.error_class = cu.error_class === 'not_found' ? 'tool_missing' : cu.error_class || 'tool_failed';
  const ui = await platform.exec('dnf', ['-q', '-C', 'updateinfo', 'list', '--security', '--available'], { signal, env: C, timeoutMs: 120_000 });
  if (!ui.error_class && ui.code === 0) {
    st.security_names = parseDnfUpdateinfo(ui.stdout.toString('utf8'));
    st.security_pending = st.security_names.length;
  }
  const rpm = await platform.exec('rpm', ['-qa', '--qf', '%{INSTALLTIME}\\n'], { signal, env: C, timeoutMs: 60_000 });
  if (!rpm.error_class && rpm.code === 0) {
    const newest = Math.max(0, ...rpm.stdout.toString('utf8').split('\n').map(Number).filter(Number.isFinite));
    if (newest > 0) st.last_install_ms = newest * 1000;
  }
  // needs-restarting -r (dnf-utils) exits 1 when a reboot is needed, 0 when not.
  const nr = await platform.exec('needs-restarting', ['-r'], { signal, env: C, timeoutMs: 60_000 });
  if (!nr.error_class && (nr.code === 0 || nr.code === 1)) st.reboot_required = nr.code === 1;
  return st;
}
