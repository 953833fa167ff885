import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { certInfo, createCa, issueCert, type KeyAndCert } from '../../collector/security/pki.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

const HELP = `usage: watchpost certs init --out DIR --name HOST [--san NAME|IP ...] [--org ORG]
                             [--ca-days N] [--days N] [--force]
       watchpost certs show FILE.pem

init creates a private CA for this site and the collector's server certificate:
  DIR/ca.pem              the CA certificate: give it to every agent (collector.ca_file)
  DIR/ca-key.pem          the CA private key (mode 0600): keep it offline after enrolment
  DIR/collector.pem       the collector certificate (tls.cert_file), CN=HOST, SANs HOST + --san
  DIR/collector-key.pem   its private key (mode 0600, tls.key_file)
For mTLS also set tls.client_ca_file: DIR/ca.pem and tls.require_client_cert: true, and
issue agent certificates with \`watchpost enroll NAME --cert --ca-dir DIR\`.
Existing files are never overwritten without --force.`;

export const FILES = { caCert: 'ca.pem', caKey: 'ca-key.pem', cert: 'collector.pem', key: 'collector-key.pem' } as const;

/** Reads the CA written by `certs init` from DIR (for `enroll --cert`). */
export function readCa(dir: string): KeyAndCert {
  try {
    return { certPem: readFileSync(path.join(dir, FILES.caCert), 'utf8'), keyPem: readFileSync(path.join(dir, FILES.caKey), 'utf8') };
  } catch (e) {
    throw new UsageError(
      `cannot read the CA in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run \`watchpost certs init --out ${dir}\` first`,
    );
  }
}

/** Writes a private key readable by its owner only. */
export function writeKey(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
}

function positiveInt(v: string | undefined, def: number, flag: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive number of days, not "${v}"`);
  return n;
}

export const command: Command = {
  summary: 'create the site CA and collector TLS certificate (`certs init`), or show a certificate',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      out: { type: 'string', short: 'o' },
      name: { type: 'string' },
      san: { type: 'string', multiple: true },
      org: { type: 'string' },
      'ca-days': { type: 'string' },
      days: { type: 'string' },
      force: { type: 'boolean' },
    });
    const sub = positionals[0];
    if (values.help || (sub !== 'init' && sub !== 'show')) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (sub === 'show') {
      const file = positionals[1];
      if (!file) throw new UsageError('name the certificate file (watchpost certs show FILE.pem)');
      console.log(JSON.stringify(certInfo(readFileSync(file, 'utf8')), null, 2));
      return 0;
    }
    const out = values.out;
    if (!out) throw new UsageError('--out DIR is required (e.g. /etc/watchpost/tls)');
    const name = values.name ?? os.hostname();
    const sans = [...new Set([name, ...(values.san ?? [])])];
    for (const s of sans) {
      if (!isIP(s) && !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(s)) {
        throw new UsageError(`"${s}" is neither a DNS name nor an IP address`);
      }
    }
    const caDays = positiveInt(values['ca-days'], 3650, '--ca-days');
    const days = positiveInt(values.days, 825, '--days');
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const targets = Object.values(FILES).map((f) => path.join(out, f));
    const existing = targets.filter((f) => existsSync(f));
    if (existing.length && !values.force) {
      console.error(
        `watchpost certs: ${existing.join(', ')} already exist; replacing the CA invalidates every agent's ca_file and client certificate. Use --force to do it anyway.`,
      );
      return 1;
    }
    const ca = createCa({ commonName: `Watchpost CA ${name}`, organization: values.org, days: caDays });
    const srv = issueCert(ca, { commonName: name, usage: 'server', san: sans, days });
    writeFileSync(path.join(out, FILES.caCert), ca.certPem);
    writeKey(path.join(out, FILES.caKey), ca.keyPem);
    writeFileSync(path.join(out, FILES.cert), srv.certPem);
    writeKey(path.join(out, FILES.key), srv.keyPem);
    const info = certInfo(srv.certPem);
    console.log(
      [
        `CA:          ${path.join(out, FILES.caCert)} (key ${FILES.caKey}, valid ${caDays} days)`,
        `certificate: ${path.join(out, FILES.cert)} (key ${FILES.key}) for ${info.san.join(', ')}, until ${info.notAfter}`,
        `fingerprint: ${info.fingerprint256}`,
        '',
        'collector.yaml:  tls: { cert_file: …/collector.pem, key_file: …/collector-key.pem }',
        'agent.yaml:      collector: { url: wss://HOST:PORT/v1/agent, ca_file: …/ca.pem }',
      ].join('\n'),
    );
    return 0;
  },
};
