import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, removeDir, spawnPeer, stopProcess, tempDir, waitFor } from './util.ts';

export const DNSMASQ = '/usr/sbin/dnsmasq';

/**
 * Debian's dnsmasq as an authoritative-enough DNS server on 127.0.0.1, UDP and TCP on one free
 * port, answering only from the config lines a test writes (no upstream, no /etc/hosts).
 */
export async function startDnsmasq(configLines: string[]) {
  const dir = tempDir('dnsmasq');
  const port = await freePort();
  const conf = path.join(dir, 'dnsmasq.conf');
  writeFileSync(conf, `${configLines.join('\n')}\n`);
  const args = [
    '--no-daemon',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--pid-file=',
    `--conf-file=${conf}`,
    '--log-facility=-',
  ];
  if (process.getuid?.() === 0) args.push('--user=root');
  const { proc, output } = spawnPeer(DNSMASQ, args);
  let exited = false;
  proc.once('exit', () => (exited = true));
  await waitFor(
    'dnsmasq',
    async () => {
      if (exited) throw new Error(`dnsmasq exited with code ${proc.exitCode}: ${output()}`);
      return new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
    },
    15_000,
    output,
  );
  return {
    port,
    output,
    async stop() {
      await stopProcess(proc);
      removeDir(dir);
    },
  };
}
