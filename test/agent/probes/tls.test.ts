import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { ExitCode } from '../../../agent/probes/probe.ts';
import { tlsProbe } from '../../../agent/probes/tls/probe.ts';
import { createTlsProbe } from '../../../agent/probes/tls/run.ts';
import { tlsSchema } from '../../../agent/probes/tls/schema.ts';
import { makeCert } from '../../peers/certs.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

t.setTimeout(60_000);
const DAY = 86400;
const root = makeCert({ cn: 'Mail Test Root', ca: true, fromDays: -10, toDays: 3650 });
const inter = makeCert({ cn: 'Mail Test Intermediate', ca: true, issuer: root, fromDays: -10, toDays: 20 });
const leaf = makeCert({ cn: 'mail.test', sans: ['mail.test', '127.0.0.1'], toDays: 365, issuer: inter });
const dir = tempDir('tlsprobe');
t.teardown(() => removeDir(dir));
const CA = path.join(dir, 'ca.pem');
writeFileSync(CA, root.cert);

async function smtp(secure: boolean, starttls = true) {
  const server = new SMTPServer({
    secure,
    key: leaf.key,
    cert: leaf.cert + inter.cert,
    authOptional: true,
    logger: false,
    banner: 'Watchpost test MTA',
    ...(starttls ? {} : { disabledCommands: ['STARTTLS'] }),
  });
  // A client that hangs up after the handshake is an error to smtp-server; it is what the probe does.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return (server.server.address() as net.AddressInfo).port;
}
const starttlsPort = await smtp(false);
const smtpsPort = await smtp(true);
const plainOnlyPort = await smtp(false, false);

async function run(targets: Record<string, unknown>[]) {
  const cfg = tlsSchema.parse({ kind: 'tls', targets });
  const samples = await createTlsProbe(cfg, 'agent1').collect(AbortSignal.timeout(20_000));
  return { samples, status: tlsProbe.status!(samples, cfg) };
}

t.test('SMTP STARTTLS and SMTPS: the certificate as x509_cert, the short intermediate found', async (t) => {
  const { samples, status } = await run([
    { host: '127.0.0.1', port: starttlsPort, starttls: 'smtp', ca_file: CA },
    { host: '127.0.0.1', port: smtpsPort, ca_file: CA, server_name: 'mail.test' },
  ]);
  const [st, direct] = samples;
  t.equal(st!.tags.source, `smtp://127.0.0.1:${starttlsPort}`);
  t.equal(direct!.tags.source, `tcp://127.0.0.1:${smtpsPort}`);
  for (const s of [st!, direct!]) {
    t.equal(Number(s.fields.up), 1, String(s.fields.error ?? ''));
    t.equal(s.fields.verification, 'valid');
    t.equal(s.tags.common_name, 'mail.test');
    t.equal(s.tags.issuer_common_name, 'Mail Test Intermediate');
    t.ok(Math.abs(Number(s.fields.expiry) - 365 * DAY) < 120);
    t.equal(s.fields.chain_expiry_common_name, 'Mail Test Intermediate');
    t.ok(Math.abs(Number(s.fields.chain_expiry) - 20 * DAY) < 120);
  }
  t.match(String(st!.fields.banner), /^220 .*Watchpost test MTA/);
  t.ok(Number(st!.fields.starttls_time_s) > 0);
  t.equal(status.code, ExitCode.WARNING, 'the intermediate expires in 20 days: under 30');
  t.match(status.summary, /chain certificate Mail Test Intermediate/);
});

t.test('failures are data: no STARTTLS offered, wrong server name, nothing listening, not TLS at all', async (t) => {
  const silent = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => silent.close());
  const { samples, status } = await run([
    { host: '127.0.0.1', port: plainOnlyPort, starttls: 'smtp', ca_file: CA },
    { host: '127.0.0.1', port: smtpsPort, ca_file: CA, server_name: 'www.other.test' },
    { host: '127.0.0.1', port: 9, ca_file: CA },
    { host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port, tls_ms: 300 },
  ]);
  const [noStarttls, wrongName, closed, silentS] = samples;
  t.equal(noStarttls!.fields.error_class, 'starttls_unsupported');
  t.equal(Number(noStarttls!.fields.up), 0);
  t.equal(wrongName!.fields.verification, 'invalid');
  t.equal(wrongName!.fields.verification_error, 'ERR_TLS_CERT_ALTNAME_INVALID');
  t.equal(closed!.fields.error_class, 'refused');
  t.equal(silentS!.fields.error_class, 'timeout');
  t.equal(silentS!.fields.failed_phase, 'tls');
  t.equal(status.code, ExitCode.CRITICAL);
});

t.test('IMAP and POP3 STARTTLS against small servers that speak just that much of each protocol', async (t) => {
  const tlsMod = await import('node:tls');
  const ctx = tlsMod.createSecureContext({ key: leaf.key, cert: leaf.cert + inter.cert });
  const serve = (greeting: string, command: RegExp, ok: string) => {
    const srv = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.write(`${greeting}\r\n`);
      sock.once('data', (d) => {
        if (!command.test(d.toString())) return void sock.end('bad\r\n');
        sock.write(`${ok}\r\n`, () => {
          const tsock = new tlsMod.TLSSocket(sock, { isServer: true, secureContext: ctx });
          tsock.on('error', () => {});
        });
      });
    });
    return new Promise<number>((r) =>
      srv.listen(0, '127.0.0.1', () => {
        t.teardown(() => srv.close());
        r((srv.address() as net.AddressInfo).port);
      }),
    );
  };
  const imap = await serve('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready', /^a1 STARTTLS\r\n$/, 'a1 OK Begin TLS negotiation now');
  const pop = await serve('+OK POP3 ready', /^STLS\r\n$/, '+OK Begin TLS');
  const { samples, status } = await run([
    { host: '127.0.0.1', port: imap, starttls: 'imap', ca_file: CA },
    { host: '127.0.0.1', port: pop, starttls: 'pop3', ca_file: CA },
  ]);
  t.equal(samples[0]!.tags.source, `imap://127.0.0.1:${imap}`);
  t.equal(samples[1]!.tags.source, `pop3://127.0.0.1:${pop}`);
  for (const s of samples) {
    t.equal(s.fields.verification, 'valid', String(s.fields.error ?? ''));
    t.equal(s.tags.common_name, 'mail.test');
  }
  t.match(String(samples[0]!.fields.banner), /^\* OK/);
  t.equal(status.code, ExitCode.WARNING, 'the 20-day intermediate again');
});
