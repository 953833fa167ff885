import type { InspectionItem, ItemResult } from './store.ts';
import type { Lang } from '../i18n/index.ts';
import type { SoftwareService } from '../software/module.ts';

const LABELS = {
  software_forbidden: ['No forbidden software', '无禁用软件'],
  os_activation: ['Operating system activated', '操作系统已激活'],
  office_activation: ['Office activated', 'Office 已激活'],
} as const;

const GOOD = new Set(['licensed', 'not_applicable']);
const BAD = new Set(['unlicensed', 'non_genuine']);
const grade = (a: string): ItemResult => (GOOD.has(a) ? 'pass' : BAD.has(a) ? 'fail' : 'warn');

/**
 * The automatic items a PC inspection gets from the machines' software lists (devices are
 * matched to agents by name, as the host probe's `host` tag is): forbidden software present
 * (fail), OS and Office activation (fail when unlicensed, warn for grace or unknown). A PC
 * whose list never arrived is a warning ("no list"), never a pass.
 */
export function softwareInspectionItems(svc: SoftwareService, devices: string[], lang: Lang): Omit<InspectionItem, 'seq'>[] {
  const out: Omit<InspectionItem, 'seq'>[] = [];
  const add = (device: string, code: keyof typeof LABELS, result: ItemResult, evidence: Record<string, unknown>) =>
    out.push({ mode: 'auto', code, device, label: LABELS[code][lang === 'en' ? 0 : 1], result, evidence, note: '', photo: null });
  for (const d of devices) {
    const m = svc.store.machine(d);
    if (!m) {
      add(d, 'software_forbidden', 'warn', { list: 'none' });
      continue;
    }
    const forbidden = svc.policy.findings(svc.store.installed(d)).filter((f) => f.action === 'forbidden');
    add(d, 'software_forbidden', forbidden.length ? 'fail' : 'pass', {
      forbidden: forbidden.map((f) => `${f.name} ${f.version}`.trim()),
      list_received_ms: m.received_ms,
    });
    add(d, 'os_activation', grade(m.os_activation), { os: `${m.os_name} ${m.os_version}`.trim(), edition: m.os_edition, activation: m.os_activation });
    const office = m.office.filter((o) => o.kind !== 'wps');
    if (office.length) {
      const worst = office.map((o) => grade(o.activation)).sort((a, b) => ['pass', 'warn', 'fail'].indexOf(b) - ['pass', 'warn', 'fail'].indexOf(a))[0]!;
      add(d, 'office_activation', worst, { office: office.map((o) => `${o.product}: ${o.activation}`) });
    }
  }
  return out;
}
