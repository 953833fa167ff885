import type { Platform } from '../platform/platform.ts';
import { localDate, type LicenseProduct, type OfficeSuite, type OsInfo, type SoftwareItem } from './inventory.ts';
import { SOFTWARE_SCRIPT } from './windows-script.ts';

/** One Uninstall entry as SOFTWARE_SCRIPT prints it: registry values as strings, absent when not set. */
export interface RawUninstall {
  key: string;
  /** HKLM64, HKLM32 (WOW6432Node, or the only view on 32-bit Windows), HKU, HKU32 (a user's WOW6432Node). */
  hive: string;
  sid: string;
  /** The key's last-write time, epoch seconds (0 when unreadable). */
  lw: number;
  DisplayName: string;
  DisplayVersion?: string;
  Publisher?: string;
  InstallDate?: string;
  InstallLocation?: string;
  SystemComponent?: string;
  ParentKeyName?: string;
  ReleaseType?: string;
  WindowsInstaller?: string;
}

export interface RawMsix {
  name: string;
  full: string;
  version: string;
  /** The signing certificate's subject, e.g. `CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US`. */
  publisher: string;
  arch: string;
  location: string;
  framework: boolean;
  /** None, Developer, Enterprise, Store, System (the last: part of Windows). */
  signature: string;
  created: number;
  users: { sid: string; state: string }[];
}

export interface RawLicense {
  class: string;
  application_id: string;
  name: string;
  description: string;
  /** SoftwareLicensingProduct.LicenseStatus. */
  status: number;
  grace_min: number;
}

/** What SOFTWARE_SCRIPT prints. */
export interface RawWindowsReport {
  entries: RawUninstall[];
  msix: RawMsix[];
  licenses: RawLicense[];
  os?: { caption: string; version: string; edition_id: string; display_version: string; ubr: string; product_type: number };
  c2r?: { products: string; version: string; platform: string; channel: string };
  /** SIDs whose hive was loaded and read (logged-on users, service accounts). */
  hives?: string[];
  /** Whether Get-AppxPackage -AllUsers worked; when not, only `me`'s packages were listed. */
  msix_all?: boolean;
  me?: string;
  errors: Record<string, string>;
}

export interface WindowsOptions {
  includeSystemComponents: boolean;
  includeUpdates: boolean;
}

/** ReleaseType values Windows Installer and Office write on updates, not products. */
const UPDATE_TYPES = new Set(['update', 'hotfix', 'security update', 'update rollup', 'service pack', 'critical update']);

const WINDOWS_APP = '55c92734-d682-4d71-983e-d6ec3f16059f';
const OFFICE_APPS = new Set(['0ff1ce15-a989-479d-af46-f275c6370663', '59a52881-a989-479d-af46-f275c6370663']);

/** LicenseStatus → activation word. */
export function activationOf(status: number): string {
  switch (status) {
    case 0:
      return 'unlicensed';
    case 1:
      return 'licensed';
    case 2:
    case 3:
    case 6:
      return 'grace';
    case 4:
      return 'non_genuine';
    case 5:
      return 'notification';
    default:
      return 'unknown';
  }
}

/** InstallDate as installers write it (YYYYMMDD mostly; some write YYYY-MM-DD or YYYY/M/D) → YYYY-MM-DD. */
export function installDate(v: string | undefined): string | null {
  if (!v) return null;
  const s = v.trim();
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1980 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function hiveArch(hive: string): string {
  return hive === 'HKLM64' ? 'x64' : hive === 'HKLM32' || hive === 'HKU32' ? 'x86' : '';
}

/** The certificate subject's CN, which is what people call the publisher. */
export function msixPublisher(dn: string): string {
  const m = /(?:^|,\s*)CN=("([^"]*)"|[^,]*)/.exec(dn);
  return (m?.[2] ?? m?.[1] ?? dn).trim();
}

/**
 * Uninstall entries → software items. System components and updates are left out unless
 * asked; the install date falls back to the key's last-write time (when the installer last
 * wrote its entry, i.e. installed or upgraded); HKLM entries are the machine's, HKU entries
 * the user's (scope = SID).
 */
export function fromUninstall(entries: RawUninstall[], o: WindowsOptions): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  for (const e of entries) {
    const name = e.DisplayName?.trim();
    if (!name) continue;
    if (!o.includeSystemComponents && e.SystemComponent === '1') continue;
    if (!o.includeUpdates && (e.ParentKeyName || UPDATE_TYPES.has((e.ReleaseType ?? '').trim().toLowerCase()))) continue;
    out.push({
      name,
      version: (e.DisplayVersion ?? '').trim(),
      publisher: (e.Publisher ?? '').trim(),
      arch: hiveArch(e.hive),
      install_date: installDate(e.InstallDate) ?? (e.lw > 0 ? localDate(e.lw * 1000) : null),
      install_location: (e.InstallLocation ?? '').trim().replace(/^"|"$/g, ''),
      source: 'registry',
      scope: e.hive.startsWith('HKU') && e.sid ? e.sid : 'machine',
    });
  }
  return out;
}

/** MSIX/AppX packages → one item per user who has it installed; frameworks never, Windows' own packages only when asked. */
export function fromMsix(pkgs: RawMsix[], o: WindowsOptions): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  for (const p of pkgs) {
    if (p.framework) continue;
    if (!o.includeSystemComponents && p.signature === 'System') continue;
    const item = {
      name: p.name,
      version: p.version,
      publisher: msixPublisher(p.publisher),
      arch: p.arch.toLowerCase(),
      install_date: p.created > 0 ? localDate(p.created * 1000) : null,
      install_location: p.location,
      source: 'msix' as const,
    };
    const users = p.users.filter((u) => u.state === 'Installed' && u.sid);
    // Provisioned for new accounts but installed for nobody yet: the machine has it.
    if (!users.length) out.push({ ...item, scope: 'machine' });
    for (const u of users) out.push({ ...item, scope: u.sid });
  }
  return out;
}

export function licensesOf(raw: RawLicense[]): LicenseProduct[] {
  const out: LicenseProduct[] = [];
  for (const l of raw) {
    const id = l.application_id.toLowerCase();
    const family = id === WINDOWS_APP ? 'windows' : OFFICE_APPS.has(id) ? 'office' : undefined;
    if (family) out.push({ family, name: l.name, description: l.description, activation: activationOf(l.status) });
  }
  return out;
}

/** The best state among a family's licences: one activated product is enough. */
function familyActivation(ls: LicenseProduct[], family: LicenseProduct['family']): string {
  const mine = ls.filter((l) => l.family === family);
  if (!mine.length) return 'unknown';
  return mine.find((l) => l.activation === 'licensed')?.activation ?? mine[0]!.activation;
}

export function windowsOs(rep: RawWindowsReport, licenses: LicenseProduct[]): OsInfo {
  const os = rep.os;
  return {
    name: os?.caption.trim() || 'Windows',
    version: os ? `${os.version}${os.ubr ? `.${os.ubr}` : ''}` : '',
    edition: os?.edition_id ?? '',
    activation: rep.errors.licensing !== undefined ? 'unknown' : familyActivation(licenses, 'windows'),
  };
}

/** Office MSI products register a key named after the SKU (PROPLUS, Office16.STANDARD); their parts are GUID keys marked SystemComponent. */
const MSI_OFFICE_KEY = /^(Office1[0-6]\.)?[A-Z0-9]+$/i;

/** Office Click-to-Run products, Office MSI editions and WPS, with Office's activation from SoftwareLicensingProduct. */
export function officeSuites(rep: RawWindowsReport, licenses: LicenseProduct[]): OfficeSuite[] {
  const act = familyActivation(licenses, 'office');
  const out: OfficeSuite[] = [];
  for (const p of (rep.c2r?.products ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    out.push({ kind: 'c2r', product: p, version: rep.c2r!.version, activation: act });
  const seen = new Set<string>();
  for (const e of rep.entries) {
    const name = e.DisplayName?.trim() ?? '';
    if (/^Microsoft Office\b/i.test(name) && MSI_OFFICE_KEY.test(e.key) && !/language|proofing|mui|shared|click-to-run/i.test(name)) {
      if (!seen.has(`msi|${name}`)) out.push({ kind: 'msi', product: name, version: (e.DisplayVersion ?? '').trim(), activation: act });
      seen.add(`msi|${name}`);
    } else if (/\bWPS\b|金山办公/i.test(name) && !e.ParentKeyName) {
      const key = `wps|${name}|${e.DisplayVersion ?? ''}`;
      if (!seen.has(key)) out.push({ kind: 'wps', product: name, version: (e.DisplayVersion ?? '').trim(), activation: 'unknown' });
      seen.add(key);
    }
  }
  return out;
}

/** Parses SOFTWARE_SCRIPT's output; undefined when it is not the script's JSON (PowerShell failed or is blocked). */
export function parseWindowsReport(text: string): RawWindowsReport | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (!j || typeof j !== 'object' || !Array.isArray((j as RawWindowsReport).entries)) return undefined;
  const r = j as RawWindowsReport;
  // ConvertTo-Json writes a one-element collection inside a hashtable as an array, but an empty one as null on some hosts.
  r.msix = Array.isArray(r.msix) ? r.msix.map((p) => ({ ...p, users: Array.isArray(p.users) ? p.users : p.users ? [p.users as never] : [] })) : [];
  r.licenses = Array.isArray(r.licenses) ? r.licenses : [];
  r.errors = r.errors && typeof r.errors === 'object' ? r.errors : {};
  return r;
}

export interface WindowsInventory {
  os: OsInfo;
  items: SoftwareItem[];
  licenses: LicenseProduct[];
  office: OfficeSuite[];
  errors: Record<string, string>;
  /** Per source, the user scopes (SIDs) that were read this run: see SoftwareDocument.read_scopes. */
  readScopes: Record<string, string[]>;
}

/** Everything from one report (the pure part of windowsInventory, for tests on recorded JSON). */
export function windowsFromReport(rep: RawWindowsReport, o: WindowsOptions): WindowsInventory {
  const licenses = licensesOf(rep.licenses);
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(rep.errors)) if (k === 'msix' || k === 'os' || k === 'licensing') errors[k] = `hresult_${v}`;
  const readScopes: Record<string, string[]> = { registry: Array.isArray(rep.hives) ? [...rep.hives].sort() : [] };
  if (rep.msix_all === false && rep.me) readScopes.msix = [rep.me];
  return {
    os: windowsOs(rep, licenses),
    items: [...fromUninstall(rep.entries, o), ...fromMsix(rep.msix, o)],
    licenses,
    office: officeSuites(rep, licenses),
    errors,
    readScopes,
  };
}

export async function windowsInventory(platform: Platform, o: WindowsOptions, signal?: AbortSignal): Promise<WindowsInventory> {
  const rep = parseWindowsReport(await platform.powershell(SOFTWARE_SCRIPT, signal));
  if (!rep)
    return {
      os: { name: 'Windows', version: '', edition: '', activation: 'unknown' },
      items: [],
      licenses: [],
      office: [],
      errors: { registry: 'powershell_failed', msix: 'powershell_failed' },
      readScopes: {},
    };
  return windowsFromReport(rep, o);
}
