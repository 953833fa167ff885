import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClientCerts } from '../../collector/security/client-certs.ts';
import { certFingerprint, issueCert } from '../../collector/security/pki.ts';
import { X509Certificate } from 'node:crypto';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { cliActor, openState } from '../state.ts';
import { readCa, writeKey } from './certs.ts';

const HELP = `usage: watchpost enroll NAME [--tag k=v ...] [--config collector.yaml | --data-dir DIR]
                        [--cert --ca-dir DIR [--out DIR] [--days N]]
       watchpost enroll --rotate NAME [--cert --ca-dir DIR …] | --revoke NAME | --list

Creates an agent identity and prints its token once (the collector keeps only its SHA-256).
Put the token in the agent's config (collector.token or token_file). --rotate issues a new
token and invalidates the old one; --revoke disconnects the agent for good. Every operation
is audit-logged.

--cert also issues a client certificate for mTLS (CN=NAME, signed by the CA that
\`watchpost certs init\` wrote to --ca-dir), written to --out (default: --ca-dir/agents) as
NAME.pem and NAME-key.pem; the agent sets collector.cert_file/key_file. --rotate --cert
revokes the agent's older certificates; --revoke revokes its certificates too.`;

function issueClientCert(certs: ClientCerts, name: string, caDir: string, outDir: string, days: number): string {
  const leaf = issueCert(readCa(caDir), { commonName: name, usage: 'client', days });
  const x = new X509Certificate(leaf.certPem);
  certs.record(name, certFingerprint(x.raw), x.serialNumber, Date.parse(x.validTo), cliActor());
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const file = path.join(outDir, `${name.replace(/[^\w.-]/g, '_')}.pem`);
  writeFileSync(file, leaf.certPem);
  writeKey(file.replace(/\.pem$/, '-key.pem'), leaf.keyPem);
  return file;
}

export const command: Command = {
  summary: 'enrol agents: issue, rotate, revoke and list agent tokens',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      rotate: { type: 'string' },
      revoke: { type: 'string' },
      list: { type: 'boolean' },
      tag: { type: 'string', multiple: true },
      cert: { type: 'boolean' },
      'ca-dir': { type: 'string' },
      out: { type: 'string' },
      days: { type: 'string' },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.cert && !values['ca-dir']) throw new UsageError('--cert needs --ca-dir DIR (where `watchpost certs init` wrote ca.pem and ca-key.pem)');
    const days = Number(values.days ?? 825);
    if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days takes a positive number, not "${values.days}"`);
    const st = openState(values.config, values['data-dir']);
    const certs = new ClientCerts(st.db, st.audit);
    const withCert = (name: string) => {
      if (!values.cert) return;
      const caDir = values['ca-dir']!;
      const file = issueClientCert(certs, name, caDir, values.out ?? path.join(caDir, 'agents'), days);
      console.error(`client certificate for ${name}: ${file} (key ${file.replace(/\.pem$/, '-key.pem')})`);
    };
    try {
      if (values.list) {
        for (const a of st.agents.list()) {
          const seen = a.last_seen_ms ? new Date(a.last_seen_ms).toISOString() : 'never';
          console.log(`${a.name}\t${a.revoked_ms ? 'revoked' : 'active'}\tlast seen ${seen}\t${a.hostname ?? ''}\t${a.version ?? ''}`);
        }
        return 0;
      }
      if (values.rotate) {
        console.log(st.agents.rotate(values.rotate, cliActor()));
        if (values.cert) {
          certs.revokeAll(values.rotate, cliActor());
          withCert(values.rotate);
        }
        return 0;
      }
      if (values.revoke) {
        st.agents.revoke(values.revoke, cliActor());
        certs.revokeAll(values.revoke, cliActor());
        console.error(`agent ${values.revoke} revoked`);
        return 0;
      }
      const name = positionals[0];
      if (!name) throw new UsageError('name the agent to enrol (watchpost enroll NAME)');
      const tags: Record<string, string> = {};
      for (const t of values.tag ?? []) {
        const i = t.indexOf('=');
        if (i <= 0) throw new UsageError(`--tag takes key=value, not "${t}"`);
        tags[t.slice(0, i)] = t.slice(i + 1);
      }
      const r = st.agents.enroll(name, cliActor(), tags);
      console.log(r.token);
      withCert(name);
      console.error(`agent ${name} enrolled; the token above is shown only once`);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      console.error(`watchpost enroll: ${(e as Error).message}`);
      return 1;
    } finally {
      st.db.close();
    }
  },
};
