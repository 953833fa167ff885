import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Outbox } from '../../../agent/outbox.ts';
import { Transport } from '../../../agent/transport.ts';
import { startCollector, type RunningCollector } from '../../../collector/main.ts';
import { parseConfig } from '../../../config/load.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';

const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = tempDir('tls');
t.teardown(() => removeDir(dir));
const tlsDir = path.join(dir, 'tls');
const dataDir = path.join(dir, 'data');

t.test('certs init writes a CA and a collector certificate with SANs, keys 0600, never overwrites', async (t) => {
  const r = cli('certs', 'init', '--out', tlsDir, '--name', 'localhost', '--san', '127.0.0.1', '--san', 'collector.example.internal');
  t.equal(r.code, 0, r.err);
  const ca = new X509Certificate(readFileSync(path.join(tlsDir, 'ca.pem')));
  const srv = new X509Certificate(readFileSync(path.join(tlsDir, 'collector.pem')));
  t.ok(ca.ca, 'the CA certificate is a CA');
  t.notOk(srv.ca, 'the server certificate is not');
  t.ok(srv.checkIssued(ca) && srv.verify(ca.publicKey), 'server certificate is signed by the CA');
  t.equal(srv.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, DNS:collector.example.internal');
  t.ok(srv.checkIP('127.0.0.1') && srv.checkHost('localhost'));
  for (const k of ['ca-key.pem', 'collector-key.pem']) t.equal(statSync(path.join(tlsDir, k)).mode & 0o777, 0o600, `${k} is owner-only`);
  const again = cli('certs', 'init', '--out', tlsDir, '--name', 'localhost');
  t.equal(again.code, 1, 'a second init without --force refuses');
  t.match(again.err, 'already exist');
  t.equal(new X509Certificate(readFileSync(path.join(tlsDir, 'ca.pem'))).fingerprint256, ca.fingerprint256, 'CA untouched');
  const bad = cli('certs', 'init', '--out', path.join(dir, 'x'), '--name', 'bad name!');
  t.equal(bad.code, 2, 'a SAN that is neither DNS name nor IP is a usage error');
});

interface Agent {
  transport: Transport;
  outbox: Outbox;
}

function agent(t: Test, url: string, token: string, opts: { caFile?: string; certFile?: string; keyFile?: string }): Agent {
  const outbox = new Outbox({ dir: ':memory:', maxBytes: 1e7, maxAgeMs: 1e9, whenFull: 'drop_oldest' });
  const transport = new Transport(
    { url, token, ...opts, heartbeatMs: 5000, maxInFlight: 4, reconnectMinMs: 50, reconnectMaxMs: 200, agentVersion: 'test', probes: [], log: silentLogger },
    outbox,
  );
  outbox.append([{ measurement: 'tls_test', tags: {}, fields: { v: 1 }, time: Date.now() }]);
  transport.start();
  t.teardown(async () => {
    await transport.close();
    outbox.close();
  });
  return { transport, outbox };
}

async function collector(t: Test, requireClientCert: boolean): Promise<RunningCollector> {
  const cfg = parseConfig(
    JSON.stringify({
      collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dataDir, log_level: 'silent' },
      // The refused agents below retry every 50–200 ms from 127.0.0.1; the default budget would lock the good ones out too.
      limits: { auth_failures_per_min: 10_000 },
      tls: {
        cert_file: path.join(tlsDir, 'collector.pem'),
        key_file: path.join(tlsDir, 'collector-key.pem'),
        client_ca_file: path.join(tlsDir, 'ca.pem'),
        require_client_cert: requireClientCert,
      },
    }),
    'test.yaml',
    collectorConfigSchema,
  );
  const c = await startCollector(cfg, silentLogger, { modules: [] });
  t.teardown(() => c.stop());
  return c;
}

t.test('enrolment with a client certificate, mTLS, CA pinning, rotation and revocation', async (t) => {
  const e1 = cli('enroll', 'agent-a', '--data-dir', dataDir, '--cert', '--ca-dir', tlsDir);
  t.equal(e1.code, 0, e1.err);
  const tokenA = e1.out.trim();
  const e2 = cli('enroll', 'agent-b', '--data-dir', dataDir, '--cert', '--ca-dir', tlsDir);
  const tokenB = e2.out.trim();
  const certA = path.join(tlsDir, 'agents', 'agent-a.pem');
  const keyA = path.join(tlsDir, 'agents', 'agent-a-key.pem');
  const certB = path.join(tlsDir, 'agents', 'agent-b.pem');
  const keyB = path.join(tlsDir, 'agents', 'agent-b-key.pem');
  const leaf = new X509Certificate(readFileSync(certA));
  t.equal(leaf.subject, 'CN=agent-a');
  t.match(leaf.keyUsage ?? [], ['1.3.6.1.5.5.7.3.2'], 'clientAuth');
  t.equal(statSync(keyA).mode & 0o777, 0o600);

  const c = await collector(t, true);
  const url = `wss://127.0.0.1:${c.port}/v1/agent`;
  const caFile = path.join(tlsDir, 'ca.pem');

  const good = agent(t, url, tokenA, { caFile, certFile: certA, keyFile: keyA });
  await waitFor('agent-a acked over mTLS', async () => good.outbox.stats().batches === 0, 10_000);
  t.equal(good.transport.stats.authFailures, 0);

  const noCert = agent(t, url, tokenA, { caFile });
  await waitFor('refused without a certificate', async () => noCert.transport.stats.authFailures > 0, 10_000);
  t.equal(noCert.transport.stats.connects, 0);

  const swapped = agent(t, url, tokenA, { caFile, certFile: certB, keyFile: keyB });
  await waitFor("refused with another agent's certificate", async () => swapped.transport.stats.authFailures > 0, 10_000);
  t.equal(swapped.transport.stats.connects, 0);

  // Pinning: an agent that trusts a different CA does not talk to this collector.
  const otherDir = path.join(dir, 'other');
  t.equal(cli('certs', 'init', '--out', otherDir, '--name', 'localhost', '--san', '127.0.0.1').code, 0);
  let tlsErrors = 0;
  c.ctx.server.server.on('tlsClientError', () => tlsErrors++);
  const pinned = agent(t, url, tokenB, { caFile: path.join(otherDir, 'ca.pem'), certFile: certB, keyFile: keyB });
  await waitFor('handshake refused by the pinned agent', async () => tlsErrors > 0, 10_000);
  t.equal(pinned.transport.stats.connects, 0, 'never connected to a collector its CA did not sign');
  t.equal(pinned.outbox.stats().batches, 1, 'its data stays in the outbox');

  // Rotation with --cert revokes the old certificate; new token + new certificate work.
  const rot = cli('enroll', '--rotate', 'agent-b', '--data-dir', dataDir, '--cert', '--ca-dir', tlsDir, '--out', path.join(dir, 'rotated'));
  t.equal(rot.code, 0, rot.err);
  const tokenB2 = rot.out.trim();
  const oldCert = agent(t, url, tokenB2, { caFile, certFile: certB, keyFile: keyB });
  await waitFor('old certificate refused after rotation', async () => oldCert.transport.stats.authFailures > 0, 10_000);
  const newCert = agent(t, url, tokenB2, { caFile, certFile: path.join(dir, 'rotated', 'agent-b.pem'), keyFile: path.join(dir, 'rotated', 'agent-b-key.pem') });
  await waitFor('new certificate accepted', async () => newCert.outbox.stats().batches === 0, 10_000);

  const rev = cli('enroll', '--revoke', 'agent-b', '--data-dir', dataDir);
  t.equal(rev.code, 0, rev.err);
  const audit = cli('audit', 'list', '--data-dir', dataDir);
  for (const a of ['agent.enroll', 'agent.cert_issue', 'agent.rotate', 'agent.cert_revoke', 'agent.revoke']) t.match(audit.out, a, `${a} is audit-logged`);
  t.equal(cli('audit', 'verify', '--data-dir', dataDir).code, 0);
});

t.test('token-only wss:// when mTLS is optional; plain ws:// needs allow_insecure', async (t) => {
  const c = await collector(t, false);
  const tok = cli('enroll', 'agent-c', '--data-dir', dataDir).out.trim();
  const a = agent(t, `wss://127.0.0.1:${c.port}/v1/agent`, tok, { caFile: path.join(tlsDir, 'ca.pem') });
  await waitFor('token-only agent acked over TLS', async () => a.outbox.stats().batches === 0, 10_000);

  const base = `collector:\n  url: ws://127.0.0.1:1/v1/agent\n  token: ${'x'.repeat(32)}\n`;
  const f = path.join(dir, 'agent-ws.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(f, base);
  const r = cli('agent', '--config', f, '--check-config');
  t.equal(r.code, 2, 'ws:// without allow_insecure is a config error');
  t.match(r.err, 'collector.url');
  writeFileSync(f, `${base}  allow_insecure: true\n`);
  t.equal(cli('agent', '--config', f, '--check-config').code, 0, 'allowed when explicit');
  writeFileSync(f, `collector:\n  url: wss://h/v1/agent\n  token: ${'x'.repeat(32)}\n  cert_file: /a.pem\n`);
  const half = cli('agent', '--config', f, '--check-config');
  t.equal(half.code, 2);
  t.match(half.err, 'collector.key_file');
});

t.test('HSTS on every answer when the collector serves TLS, none over plain HTTP', async (t) => {
  const https = await import('node:https');
  const WebSocket = (await import('ws')).default;
  const c = await collector(t, false);
  const ca = readFileSync(path.join(tlsDir, 'ca.pem'));
  const tok = cli('enroll', 'agent-hsts', '--data-dir', dataDir).out.trim();
  const get = (method: string, p: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: c.port, path: p, method, ca, headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined });
      });
      req.on('error', reject);
      req.end();
    });
  for (const [method, p, want] of [['GET', '/healthz', 200], ['GET', '/metrics', 200], ['GET', '/ping', 204], ['GET', '/no/such/page', 404], ['POST', '/write', 401], ['GET', '/%zz', 404]] as const) {
    const r = await get(method, p);
    t.equal(r.status, want, `${method} ${p}: ${want}`);
    t.equal(r.hsts, 'max-age=31536000', `${method} ${p} carries Strict-Transport-Security`);
  }
  // The agent endpoint: the refused upgrade and the accepted one.
  const upgrade = (token: string) =>
    new Promise<{ status: number; hsts: string | undefined }>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${c.port}/v1/agent`, { ca, headers: { authorization: `Bearer ${token}` } });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined });
        ws.terminate();
      });
      ws.on('upgrade', (res) => {
        resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] as string | undefined });
        ws.terminate();
      });
      ws.on('error', () => {});
    });
  t.same(await upgrade('wpa_not-a-token-0000000000000000000'), { status: 401, hsts: 'max-age=31536000' }, 'refused upgrade');
  t.same(await upgrade(tok), { status: 101, hsts: 'max-age=31536000' }, 'accepted upgrade');

  const plain = await startCollector(collectorConfigSchema.parse({ collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: ':memory:', log_level: 'silent' } }), silentLogger, { modules: [] });
  t.teardown(() => plain.stop());
  const r = await fetch(`${plain.url}/healthz`);
  t.equal(r.headers.get('strict-transport-security'), null, 'plain HTTP sends none (browsers ignore it there anyway)');
});
