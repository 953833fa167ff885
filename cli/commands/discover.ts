import { discover, probeInterfaces, WSD_PORT } from '../../agent/probes/onvif/discovery.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

const USAGE = `usage: watchpost discover cameras [--interface NAME]... [--target HOST[:PORT]]... [--timeout_ms 3000] [--json]
  Sends an ONVIF WS-Discovery probe on each IPv4 interface (or the named ones) and lists what answers.
  --target sends the probe unicast (for camera subnets that multicast does not reach).`;

export const command: Command = {
  summary: 'find ONVIF cameras with a WS-Discovery probe on each interface (`discover cameras`)',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      interface: { type: 'string', multiple: true },
      target: { type: 'string', multiple: true },
      timeout_ms: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help || positionals[0] !== 'cameras') {
      console.log(USAGE);
      return values.help ? 0 : 2;
    }
    const timeoutMs = Number(values.timeout_ms ?? 3000);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) throw new UsageError('--timeout_ms must be an integer from 100 to 60000');
    const targets = (values.target ?? []).map((t) => {
      const m = /^([^:]+)(?::(\d+))?$/.exec(t);
      if (!m) throw new UsageError(`--target ${t}: expected HOST or HOST:PORT`);
      return { host: m[1]!, port: Number(m[2] ?? WSD_PORT) };
    });
    const interfaces = probeInterfaces(values.interface ?? []);
    if (values.interface?.length && !interfaces.length) throw new UsageError(`no IPv4 address on ${values.interface.join(', ')}`);
    const devices = await discover({ interfaces, targets, timeoutMs });
    if (values.json) {
      console.log(JSON.stringify(devices, null, 2));
      return 0;
    }
    const rows = [['INTERFACE', 'FROM', 'NAME', 'HARDWARE', 'DEVICE SERVICE', 'ENDPOINT']];
    for (const d of devices) rows.push([d.interface, d.from, d.name ?? '-', d.hardware ?? '-', d.xaddrs.join(' ') || '-', d.endpoint || '-']);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
    console.error(
      `${devices.length} device(s) answered on ${interfaces.map((i) => i.name).join(', ') || 'no interface'}${targets.length ? ` + ${targets.length} unicast target(s)` : ''}`,
    );
    return 0;
  },
};
