import { spawn } from 'node:child_process';
import path from 'node:path';
import iconv from 'iconv-lite';
import t from 'tap';
import { makeCert } from '../peers/certs.ts';
import { startDnsmasq } from '../peers/dnsmasq.ts';
import { freePorts, startNginx } from '../peers/nginx.ts';
import { freePort } from '../peers/util.ts';

// Each case spawns the CLI (a fresh Node process): allow for a loaded machine.
t.setTimeout(240_000);

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

const root = makeCert({ cn: 'CLI Root', ca: true, toDays: 3650 });
const good = makeCert({ cn: 'portal.test', sans: ['127.0.0.1'], toDays: 200, issuer: root });
const soon = makeCert({ cn: 'soon.test', sans: ['127.0.0.1'], toDays: 20, issuer: root });
const expired = makeCert({ cn: 'old.test', sans: ['127.0.0.1'], fromDays: -90, toDays: -1, issuer: root });
const [p1, p2, p3] = await freePorts(3);
const ports = { good: p1!, soon: p2!, expired: p3! };
let servers = '';
const files: Record<string, string | Buffer> = {
  'ca.pem': root.cert,
  'html/index.html': iconv.encode('<meta charset="gb2312"><p>欢迎访问区政府门户网站</p>', 'gbk'),
};
for (const [k, c] of Object.entries({ good, soon, expired })) {
  files[`${k}.crt`] = c.cert;
  files[`${k}.key`] = c.key;
  servers += `server { listen 127.0.0.1:${ports[k as keyof typeof ports]} ssl; ssl_certificate ${k}.crt; ssl_certificate_key ${k}.key; root html;
    location = /api { if ($http_x_token != "abc") { return 403; } default_type application/json; return 200 '{"code":0}'; } }\n`;
}
const nginx = await startNginx({ servers, files, ports: Object.values(ports) });
t.teardown(() => nginx.stop());
const CA = path.join(nginx.dir, 'ca.pem');
const url = (k: keyof typeof ports, p = '/') => `https://127.0.0.1:${ports[k]}${p}`;

t.test('check http --json: {status, summary, samples} with http_response and x509_cert; exit codes', async (t) => {
  const ok = await run(['check', 'http', '--url', url('good'), '--keyword', '区政府门户', '--ca', CA, '--expect-status', '200', '--json']);
  t.equal(ok.code, 0, ok.err);
  const j = JSON.parse(ok.out);
  t.same(Object.keys(j), ['status', 'summary', 'samples', 'events']);
  t.equal(j.status, 'OK');
  t.match(j.summary, /200 in \d+ ms, certificate 199 days left/);
  t.same(
    j.samples.map((s: { measurement: string }) => s.measurement),
    ['http_response', 'x509_cert'],
  );
  t.equal(j.samples[0].fields.response_string_match, 1);
  t.equal(j.samples[0].fields.result_type, 'success');
  t.equal(j.samples[1].tags.common_name, 'portal.test');

  const api = await run([
    'check',
    'http',
    '--url',
    url('good', '/api'),
    '--method',
    'GET',
    '--header',
    'X-Token: abc',
    '--json-assert',
    '$.code == 0',
    '--ca',
    CA,
    '--json',
  ]);
  t.equal(api.code, 0, api.out);
  const noHeader = await run(['check', 'http', '--url', url('good', '/api'), '--ca', CA, '--json']);
  t.equal(noHeader.code, 2, 'a 403 is CRITICAL');
  t.equal(JSON.parse(noHeader.out).samples[0].fields.result_type, 'response_status_code_mismatch');

  const missing = await run(['check', 'http', '--url', url('good'), '--keyword', '网站维护中', '--ca', CA, '--json']);
  t.equal(missing.code, 2);
  t.match(JSON.parse(missing.out).summary, /keyword missing: 网站维护中/);
  const w = await run(['check', 'http', '--url', url('soon'), '--ca', CA, '--json']);
  t.equal(w.code, 1, 'expires in 20 days: WARNING');
  t.equal(JSON.parse(w.out).status, 'WARNING');
  const x = await run(['check', 'http', '--url', url('expired'), '--ca', CA, '--json']);
  t.equal(x.code, 2, 'expired: CRITICAL');
  t.match(JSON.parse(x.out).summary, /CERT_HAS_EXPIRED/);
  const refused = await run(['check', 'http', '--url', `http://127.0.0.1:${await freePort()}/`, '--json']);
  t.equal(refused.code, 2, 'connection refused: CRITICAL');
  const line = await run(['check', 'http', '--url', url('good'), '--ca', CA]);
  t.match(line.out, /^http_response,/m);
  t.match(line.err, /^HTTP OK - /m);
  const bad = await run(['check', 'http', '--url', 'ftp://x/', '--json']);
  t.equal(bad.code, 2);
  t.match(bad.err, /targets\[0\]\.url/);
  const badHeader = await run(['check', 'http', '--url', url('good'), '--header', 'X-Token abc', '--json']);
  t.equal(badHeader.code, 2);
  t.match(badHeader.err, /targets\[0\]\.headers\.X-Token abc: "X-Token abc" is not a header name/);
});

t.test('check tls, check dns, check tcp', async (t) => {
  const tl = await run(['check', 'tls', '--host', '127.0.0.1', '--port', String(ports.soon), '--ca', CA, '--json']);
  t.equal(tl.code, 1, tl.out);
  t.equal(JSON.parse(tl.out).samples[0].measurement, 'x509_cert');
  const dns = await startDnsmasq(['local=/test/', 'host-record=portal.test,10.20.30.40']);
  t.teardown(() => dns.stop());
  const d = await run([
    'check',
    'dns',
    '--server',
    '127.0.0.1',
    '--port',
    String(dns.port),
    '--domain',
    'portal.test',
    '--expect',
    '10.20.30.40',
    '--tcp',
    '--json',
  ]);
  t.equal(d.code, 0, d.out);
  t.equal(JSON.parse(d.out).samples[0].tags.protocol, 'tcp');
  const dBad = await run(['check', 'dns', '--server', '127.0.0.1', '--port', String(dns.port), '--domain', 'portal.test', '--expect', '10.0.0.1', '--json']);
  t.equal(dBad.code, 2);
  const tc = await run(['check', 'tcp', '--host', '127.0.0.1', '--port', String(ports.good), '--json']);
  t.equal(tc.code, 0);
  t.equal(JSON.parse(tc.out).samples[0].measurement, 'net_response');
});
