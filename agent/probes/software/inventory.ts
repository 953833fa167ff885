import { createHash } from 'node:crypto';

/** Where an entry was read from. */
export type SoftwareSource = 'dpkg' | 'rpm' | 'uos' | 'snap' | 'flatpak' | 'registry' | 'msix';

/** One installed program or package, as the agent reports it. */
export interface SoftwareItem {
  name: string;
  version: string;
  publisher: string;
  /** Package architecture as the source names it (amd64, x86_64, x64, x86, noarch, all, neutral…); '' when unknown. */
  arch: string;
  /** Local date YYYY-MM-DD, or null when the source keeps none. */
  install_date: string | null;
  install_location: string;
  source: SoftwareSource;
  /** 'machine', or the SID of the user whose hive or MSIX registration lists it ('user' for flatpak/snap per-user installs). */
  scope: string;
}

/** Operating system identity and licensing state. */
export interface OsInfo {
  name: string;
  version: string;
  edition: string;
  /**
   * licensed, unlicensed, grace (OOB, OOT, non-genuine or extended grace), notification,
   * not_applicable (Linux without an activation scheme), unknown (could not tell).
   */
  activation: string;
}

/** A licensed product as Windows' Software Protection service reports it (SoftwareLicensingProduct). */
export interface LicenseProduct {
  family: 'windows' | 'office';
  name: string;
  description: string;
  activation: string;
}

/** An office suite found on the machine: Office Click-to-Run, Office MSI, WPS. */
export interface OfficeSuite {
  kind: 'c2r' | 'msi' | 'wps';
  product: string;
  version: string;
  /** From SoftwareLicensingProduct for Office (licensed, unlicensed, grace…); unknown when no Office licence is listed (WPS, M365 subscription licensing). */
  activation: string;
}

/** The `software` inventory document: the body of a `document` frame of kind 'software'. */
export interface SoftwareDocument {
  os: OsInfo;
  software: SoftwareItem[];
  licenses: LicenseProduct[];
  office: OfficeSuite[];
  /** Sources that failed this run, with their error class (a failed source keeps the whole list from being trusted as complete). */
  errors: Record<string, string>;
  /**
   * Per source, the user scopes that could be read this run (Windows: the SIDs whose hive was
   * loaded). Per-user entries of a scope not listed were not looked at, not removed: the
   * collector keeps them. A source absent here was read for every scope.
   */
  read_scopes?: Record<string, string[]>;
}

const KEY_ORDER = (a: SoftwareItem, b: SoftwareItem) =>
  cmp(a.source, b.source) ||
  cmp(a.scope, b.scope) ||
  cmp(a.name, b.name) ||
  cmp(a.arch, b.arch) ||
  cmp(a.version, b.version) ||
  cmp(a.install_location, b.install_location);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts the list into its canonical order (so the same software always hashes the same) and drops exact duplicates. */
export function canonical(items: SoftwareItem[]): SoftwareItem[] {
  const s = [...items].sort(KEY_ORDER);
  return s.filter((x, i) => i === 0 || KEY_ORDER(x, s[i - 1]!) !== 0 || x.publisher !== s[i - 1]!.publisher || x.install_date !== s[i - 1]!.install_date);
}

/** SHA-256 of a document's JSON; bodies are built with a fixed key order, so equal content gives an equal hash. */
export function documentHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** Local calendar date of an epoch-ms time as YYYY-MM-DD. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
