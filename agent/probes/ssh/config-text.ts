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
