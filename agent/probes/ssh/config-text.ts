import { createHash } from 'node:crypto';

/** The command that prints the running configuration, per vendor. */
export const CONFIG_COMMANDS: Record<string, string> = {
  huawei: 'display current-configuration',
  h3c: 'display current-configuration',
  cisco: 'show running-config',
  ruijie: 'show running-config',
  linux: 'cat /etc/network/interfaces',
};

/**
 * Lines that change without anyone changing the configuration: timestamps and counters the
 * devices print in the header. They are dropped before hashing and diffing, so a config
 * backup only reports a change when the configuration itself changed.
 */
export const VOLATILE_LINES: RegExp[] = [
  /^Building configuration/,
  /^Current configuration\s*:\s*\d+ bytes/,
  /^! (Last configuration change|NVRAM config last updated|No configuration change since last restart)/,
  /^ntp clock-period /,
  /^!(Software Version|Last configuration was (updated|saved) at|Time:|The current login time)/i,
  /^\s*[!#]?\s*\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}/,
  /^\s*(Info|Warning): The max number of VTY users/,
];

/** Normalised config text: LF line ends, no trailing blanks, volatile lines and prompt echoes removed. */
export function normalizeConfig(raw: string, extra: RegExp[] = []): string {
  const drop = [...VOLATILE_LINES, ...extra];
  const lines = raw
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => !drop.some((re) => re.test(l)));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Event attrs hold strings of at most 8192 characters: a config travels in numbered parts. */
export const PART_CHARS = 8000;
export function splitParts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0, n = 0; i < text.length || n === 0; i += PART_CHARS, n++) out[`config_${n}`] = text.slice(i, i + PART_CHARS);
  return out;
}
export function joinParts(attrs: Record<string, unknown>): string {
  const n = Number(attrs.parts ?? 0);
  let s = '';
  for (let i = 0; i < n; i++) s += String(attrs[`config_${i}`] ?? '');
  return s;
}
