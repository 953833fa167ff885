import os from 'node:os';
import type { Sample } from '../../../protocol/sample.ts';
import { systemPlatform, type Platform } from '../platform/platform.ts';
import { ExitCode, type CheckStatus, type Probe, type ProbeDefinition } from '../probe.ts';
import { clamavState, clamdPing } from './clamav.ts';
import { AV_SCRIPT, decodeProductState, isDefender, parseAvReport, type WscProduct } from './windows.ts';
import type { AntivirusConfig } from './schema.ts';
export type { AntivirusConfig } from './schema.ts';
import { cli } from './check.ts';

export interface AvProduct {
  product: string;
  enabled: boolean;
  up_to_date: boolean;
  realtime: boolean;
  signature_age_days?: number | undefined;
  last_scan_age_days?: number | undefined;
  /** wsc (Security Center), defender (Get-MpComputerStatus), clamav */
  source: string;
}

export interface AvState {
  products: AvProduct[];
  error_class: string;
}

const DAY = 86_400_000;

export async function windowsAv(platform: Platform, cfg: AntivirusConfig, signal?: AbortSignal): Promise<AvState> {
  const rep = parseAvReport(await platform.powershell(AV_SCRIPT, signal));
  if (!rep) return { products: [], error_class: 'powershell_failed' };
  const now = platform.now();
  const wsc: WscProduct[] = rep.products ? (Array.isArray(rep.products) ? rep.products : [rep.products]) : [];
  const d = rep.defender ?? undefined;
  const ageOf = (s: number | null | undefined) => (s ? Math.max(0, (now - s * 1000) / DAY) : undefined);
  const defenderScan = d ? Math.min(ageOf(d.quick_scan_s) ?? Infinity, ageOf(d.full_scan_s) ?? Infinity) : Infinity;
  const products: AvProduct[] = wsc.map((p) => {
    const st = decodeProductState(p.state);
    if (isDefender(p) && d) {
      const age = d.signature_age_days ?? ageOf(d.signature_updated_s);
      return {
        product: p.name,
        enabled: st.enabled && d.antivirus_enabled !== false,
        up_to_date: st.up_to_date && (age === undefined || age <= cfg.max_signature_age_days),
        realtime: d.realtime === true,
        signature_age_days: age ?? undefined,
        last_scan_age_days: Number.isFinite(defenderScan) ? defenderScan : undefined,
        source: 'wsc',
      };
    }
    // For other products Security Center's "enabled" is their on-access scanner.
    return { product: p.name, enabled: st.enabled, up_to_date: st.up_to_date, realtime: st.enabled, source: 'wsc' };
  });
  // Windows Server has no Security Center: Defender reports for itself.
  if (!wsc.some(isDefender) && d && d.service_enabled && rep.errors?.wsc !== undefined) {
    const age = d.signature_age_days ?? ageOf(d.signature_updated_s);
    products.push({
      product: 'Microsoft Defender Antivirus',
      enabled: d.antivirus_enabled === true && !/passive/i.test(d.running_mode ?? ''),
      up_to_date: age !== undefined && age <= cfg.max_signature_age_days,
      realtime: d.realtime === true,
      signature_age_days: age ?? undefined,
      last_scan_age_days: Number.isFinite(defenderScan) ? defenderScan : undefined,
      source: 'defender',
    });
  }
  const err = rep.errors?.wsc !== undefined && rep.errors?.defender !== undefined ? 'wmi_failed' : '';
  return { products, error_class: err };
}

export async function linuxAv(platform: Platform, cfg: AntivirusConfig, ping = clamdPing): Promise<AvState> {
  const c = await clamavState(platform, ping);
  if (!c.installed) return { products: [], error_class: '' };
  const age = c.signature_built_ms !== undefined ? Math.max(0, (platform.now() - c.signature_built_ms) / DAY) : undefined;
  return {
    products: [
      {
        product: 'ClamAV',
        enabled: c.daemon,
        up_to_date: age !== undefined && age <= cfg.max_signature_age_days,
        realtime: c.on_access,
        signature_age_days: age,
        source: 'clamav',
      },
    ],
    error_class: '',
  };
}

export function toSamples(st: AvState, host: string, tags: Record<string, string>, time: number): Sample[] {
  const out: Sample[] = st.products.map((p) => {
    const fields: Sample['fields'] = { enabled: p.enabled, up_to_date: p.up_to_date, realtime: p.realtime, source: p.source };
    if (p.signature_age_days !== undefined) fields.signature_age_days = p.signature_age_days;
    if (p.last_scan_age_days !== undefined) fields.last_scan_age_days = p.last_scan_age_days;
    return { measurement: 'antivirus', tags: { ...tags, host, product: p.product }, fields, time };
  });
  out.push({
    measurement: 'antivirus_status',
    tags: { ...tags, host },
    fields: { protected: st.products.some((p) => p.enabled && p.up_to_date), products: BigInt(st.products.length), error_class: st.error_class },
    time,
  });
  return out;
}

export interface AntivirusDeps {
  platform: Platform;
  host: string;
  clamdPing?: (socket: string) => Promise<boolean>;
}

export function createAntivirusProbe(cfg: AntivirusConfig, deps: AntivirusDeps = { platform: systemPlatform(), host: os.hostname() }): Probe {
  return {
    async collect(signal) {
      const st = deps.platform.os === 'windows' ? await windowsAv(deps.platform, cfg, signal) : await linuxAv(deps.platform, cfg, deps.clamdPing);
      return toSamples(st, deps.host, cfg.tags, deps.platform.now());
    },
  };
}

/** No active, current antivirus is CRITICAL; active but stale signatures or no real-time is WARNING. */
export function antivirusStatus(samples: Sample[]): CheckStatus {
  const st = samples.find((s) => s.measurement === 'antivirus_status');
  if (!st) return { code: ExitCode.UNKNOWN, summary: 'no antivirus_status sample' };
  const prods = samples.filter((s) => s.measurement === 'antivirus');
  const desc = prods
    .map(
      (p) =>
        `${p.tags.product} (${p.fields.enabled ? 'on' : 'off'}, ${p.fields.up_to_date ? 'current' : 'out of date'}${p.fields.realtime ? '' : ', no real-time'})`,
    )
    .join(', ');
  if (st.fields.error_class && !prods.length) return { code: ExitCode.UNKNOWN, summary: `cannot tell: ${String(st.fields.error_class)}` };
  if (!st.fields.protected) return { code: ExitCode.CRITICAL, summary: prods.length ? `not protected: ${desc}` : 'no antivirus product found' };
  const good = prods.some((p) => p.fields.enabled && p.fields.up_to_date && p.fields.realtime);
  return { code: good ? ExitCode.OK : ExitCode.WARNING, summary: good ? `protected: ${desc}` : `protected without real-time scanning: ${desc}` };
}

export const antivirusProbe: ProbeDefinition<AntivirusConfig> = {
  kind: 'antivirus',
  description: 'antivirus products and health (Windows Security Center, Microsoft Defender, ClamAV on Linux)',
  create: (cfg, ctx) => createAntivirusProbe(cfg, { platform: systemPlatform(), host: ctx.host ?? os.hostname() }),
  budget: () => ({ run_ms: 10_000 }),
  cli,
  status: (samples) => antivirusStatus(samples),
};
