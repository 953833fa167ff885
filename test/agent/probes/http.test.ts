import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import iconv from 'iconv-lite';
import t from 'tap';
import { httpSchema } from '../../../agent/probes/http/schema.ts';
import { createHttpProbe } from '../../../agent/probes/http/run.ts';
import { httpProbe } from '../../../agent/probes/http/probe.ts';
import { ExitCode } from '../../../agent/probes/probe.ts';
import type { Sample } from '../../../protocol/sample.ts';
import { makeCert, type Issued } from '../../peers/certs.ts';
import { startConnectProxy } from '../../peers/connect-proxy.ts';
import { freePorts, startNginx } from '../../peers/nginx.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

t.setTimeout(180_000);

const DAY = 86400;
const root = makeCert({ cn: 'Watchpost Test Root', ca: true, fromDays: -100, toDays: 3650 });
const inter = makeCert({ cn: 'Watchpost Test Intermediate', ca: true, issuer: root, fromDays: -100, toDays: 1800 });
const shortInter = makeCert({ cn: 'Short Intermediate', ca: true, issuer: root, fromDays: -100, toDays: 5 });
const ip = ['valid.test', '127.0.0.1'];
const certs: Record<string, { leaf: Issued; chain: Issued[] }> = {
  valid: { leaf: makeCert({ cn: 'valid.test', sans: ip, toDays: 90, issuer: inter }), chain: [inter] },
  expired: { leaf: makeCert({ cn: 'expired.test', sans: ip, fromDays: -60, toDays: -2, issuer: inter }), chain: [inter] },
  notyet: { leaf: makeCert({ cn: 'notyet.test', sans: ip, fromDays: 10, toDays: 100, issuer: inter }), chain: [inter] },
  wronghost: { leaf: makeCert({ cn: 'other.test', sans: ['other.test'], toDays: 90, issuer: inter }), chain: [inter] },
  selfsigned: { leaf: makeCert({ cn: 'self.test', sans: ip, toDays: 90 }), chain: [] },
  incomplete: { leaf: makeCert({ cn: 'incomplete.test', sans: ip, toDays: 90, issuer: inter }), chain: [] },
  shortinter: { leaf: makeCert({ cn: 'shortinter.test', sans: ip, toDays: 90, issuer: shortInter }), chain: [shortInter] },
  soon: { leaf: makeCert({ cn: 'soon.test', sans: ip, toDays: 10, issuer: inter }), chain: [inter] },
};
const client = makeCert({ cn: 'watchpost-agent', sans: ['watchpost-agent'], toDays: 90, issuer: inter });

const GBK_PAGE = iconv.encode('<!doctype html><html><head><meta charset="gbk"><title>区政府</title></head><body>政府信息公开 通知公告</body></html>', 'gbk');
const GB18030_PAGE = iconv.encode('<html><body>数字政府 𠀀 服务大厅</body></html>', 'gb18030');
const BIG5_PAGE = iconv.encode(
  '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head><body>臺北市政府 公告</body></html>',
  'big5',
);

const API_OK = '{"code":0,"data":{"items":[{"name":"a"}]}}';
const names = [...Object.keys(certs), 'plain', 'mtls'];
const free = await freePorts(names.length);
const ports: Record<string, number> = Object.fromEntries(names.map((k, i) => [k, free[i]!]));

const files: Record<string, string | Buffer> = {
  'html/gbk.html': GBK_PAGE,
  'html/gb18030.html': GB18030_PAGE,
  'html/big5.html': BIG5_PAGE,
  'html/big.txt': Buffer.alloc(3 * 1024 * 1024, 'x'),
  'html/private.html': 'private ok',
  htpasswd: 'ops:{PLAIN}s3cret-pass\n',
  'ca.pem': root.cert,
};
let servers = '';
for (const [name, c] of Object.entries(certs)) {
  files[`${name}.crt`] = c.leaf.cert + c.chain.map((x) => x.cert).join('');
  files[`${name}.key`] = c.leaf.key;
  servers += `server { listen 127.0.0.1:${ports[name]} ssl${name === 'valid' ? ' http2' : ''}; ssl_certificate ${name}.crt; ssl_certificate_key ${name}.key;
    root html; location = /api/ok { default_type application/json; return 200 '${API_OK}'; } }\n`;
}
files['mtls.crt'] = certs.valid!.leaf.cert + inter.cert;
files['mtls.key'] = certs.valid!.leaf.key;
files['client-ca.pem'] = root.cert + inter.cert;
servers += `server { listen 127.0.0.1:${ports.mtls} ssl; ssl_certificate mtls.crt; ssl_certificate_key mtls.key;
  ssl_verify_client on; ssl_client_certificate client-ca.pem; ssl_verify_depth 3; location / { return 200 "hello $ssl_client_s_dn"; } }\n`;
servers += `server { listen 127.0.0.1:${ports.plain}; listen [::1]:${ports.plain}; root html;
  location = /gb18030.html { charset gb18030; }
  location = /redirect { return 301 /hop2; }
  location = /hop2 { return 302 http://127.0.0.1:${ports.plain}/final; }
  location = /final { return 200 "final page"; }
  location = /to-https { return 301 https://127.0.0.1:${ports.valid}/api/ok; }
  location = /loop1 { return 302 /loop2; }
  location = /loop2 { return 302 /loop1; }
  location = /api/ok { default_type application/json; return 200 '{"code":0,"msg":"成功","data":{"items":[{"name":"a"},{"name":"b"}]}}'; }
  location = /api/fail { default_type application/json; return 200 '{"code":5001,"msg":"数据库错误"}'; }
  location = /api/echo { default_type text/plain; return 200 "$request_method $http_content_type $content_length"; }
  location = /missing { return 404 "gone"; }
  location = /private.html { auth_basic "ops"; auth_basic_user_file htpasswd; }
  location = /bearer { if ($http_authorization != "Bearer tok-abcdef-123456") { return 401 "no"; } return 200 "bearer ok"; }
}\n`;

const nginx = await startNginx({ servers, files, ports: Object.values(ports) });
t.teardown(() => nginx.stop());
const CA = path.join(nginx.dir, 'ca.pem');

async function probe(targets: Record<string, unknown>[]): Promise<Sample[]> {
  const cfg = httpSchema.parse({ kind: 'http', targets });
  return createHttpProbe(cfg, 'agent1').collect(AbortSignal.timeout(60_000));
}
async function one(target: Record<string, unknown>) {
  const s = await probe([target]);
  return { http: s.find((x) => x.measurement === 'http_response')!, x509: s.find((x) => x.measurement === 'x509_cert'), all: s };
}
const https = (name: string, p = '/api/ok') => `https://127.0.0.1:${ports[name]}${p}`;
const plain = (p: string) => `http://127.0.0.1:${ports.plain}${p}`;
const n = (v: unknown) => Number(v);

t.test('a valid chain over HTTP/2-enabled nginx: x509_cert as Telegraf, phases, JSON assertion', async (t) => {
  const r = await one({ url: https('valid'), ca_file: CA, json_assert: ['$.code == 0', '$.data.items[0].name == "a"'] });
  t.equal(r.http.fields.result_type, 'success', String(r.http.fields.error));
  t.equal(n(r.http.fields.http_response_code), 200);
  t.equal(r.http.tags.server, https('valid'));
  t.equal(r.http.tags.status_code, '200');
  t.equal(n(r.http.fields.json_assert_match), 1);
  t.equal(n(r.http.fields.content_length), Buffer.byteLength(API_OK));
  for (const f of ['dns_time_s', 'connect_time_s', 'tls_time_s', 'processing_time_s', 'transfer_time_s']) t.type(r.http.fields[f], 'number', f);
  t.ok(n(r.http.fields.tls_time_s) > 0, 'the handshake took time');
  t.ok(n(r.http.fields.response_time) >= n(r.http.fields.connect_time_s) + n(r.http.fields.tls_time_s));
  const x = r.x509!;
  t.equal(x.tags.common_name, 'valid.test');
  t.equal(x.tags.issuer_common_name, 'Watchpost Test Intermediate');
  t.equal(x.tags.san, 'valid.test,127.0.0.1');
  t.equal(x.tags.source, `https://127.0.0.1:${ports.valid}`);
  t.match(x.tags.serial_number, /^1[0-9a-f]{16}$/);
  t.equal(x.fields.verification, 'valid');
  t.equal(n(x.fields.verification_code), 0);
  t.ok(Math.abs(n(x.fields.expiry) - 90 * DAY) < 120, `expiry ${x.fields.expiry} ≈ 90 days`);
  t.ok(Math.abs(n(x.fields.age) - 1 * DAY) < 120, 'age ≈ 1 day');
  t.equal(n(x.fields.enddate) - n(x.fields.startdate), 91 * DAY);
  t.equal(x.fields.chain_expiry_common_name, 'valid.test', 'the root (10 years) and intermediate (5 years) outlive the leaf');
  t.equal(n(x.fields.chain_length), 3, 'leaf, intermediate, root from the trust store');
  t.match(String(x.fields.tls_version), /^TLSv1\.[23]$/);
  t.ok(String(x.fields.cipher).length > 0);
  t.equal(httpProbe.status!(r.all, httpSchema.parse({ kind: 'http', targets: [{ url: https('valid'), ca_file: CA }] })).code, ExitCode.OK);
});

t.test('each broken certificate is described, refused before the request, and CRITICAL', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['expired', 'CERT_HAS_EXPIRED', /expired/],
    ['notyet', 'CERT_NOT_YET_VALID', /invalid/],
    ['wronghost', 'ERR_TLS_CERT_ALTNAME_INVALID', /invalid/],
    ['selfsigned', 'DEPTH_ZERO_SELF_SIGNED_CERT', /invalid/],
    ['incomplete', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', /invalid/],
  ];
  for (const [name, code, summary] of cases) {
    const target = { url: https(name), ca_file: CA };
    const r = await one(target);
    t.equal(r.x509!.fields.verification, 'invalid', name);
    t.equal(r.x509!.fields.verification_error, code, `${name}: ${code}`);
    t.equal(r.http.fields.result_type, 'connection_failed', `${name}: no request to an unverified server`);
    t.equal(r.http.fields.error_class, 'tls_verify');
    t.equal(r.http.fields.http_response_code, undefined);
    const st = httpProbe.status!(r.all, httpSchema.parse({ kind: 'http', targets: [target] }));
    t.equal(st.code, ExitCode.CRITICAL, `${name} is CRITICAL`);
    t.match(st.summary, summary);
  }
  const wh = await one({ url: https('wronghost'), ca_file: CA });
  t.equal(n(wh.x509!.fields.chain_verified), 1, 'wrong host name: the chain itself is fine');
  t.equal(n(wh.x509!.fields.hostname_match), 0);
  const ex = await one({ url: https('expired'), ca_file: CA });
  t.ok(n(ex.x509!.fields.expiry) < 0 && n(ex.x509!.fields.expiry) > -3 * DAY, 'expired two days ago');
  const ss = await one({ url: https('selfsigned'), tls_verify: false });
  t.equal(ss.http.fields.result_type, 'success', 'tls_verify: false still makes the request');
  t.equal(ss.x509!.fields.chain_expiry_common_name, 'self.test', 'a self-signed leaf is its own chain');
});

t.test('earliest expiry of the verified chain excludes the trust anchor and names an intermediate that expires first', async (t) => {
  const target = { url: https('shortinter'), ca_file: CA };
  const r = await one(target);
  const x = r.x509!;
  t.equal(x.fields.verification, 'valid');
  t.ok(Math.abs(n(x.fields.expiry) - 90 * DAY) < 120, 'the leaf itself has 90 days');
  t.ok(Math.abs(n(x.fields.chain_expiry) - 5 * DAY) < 120, 'but its intermediate has 5');
  t.equal(x.fields.chain_expiry_common_name, 'Short Intermediate');
  const st = httpProbe.status!(r.all, httpSchema.parse({ kind: 'http', targets: [target] }));
  t.equal(st.code, ExitCode.CRITICAL, 'under the 7-day threshold');
  t.match(st.summary, /chain certificate Short Intermediate/);
  const soon = { url: https('soon'), ca_file: CA };
  const s = await one(soon);
  t.equal(httpProbe.status!(s.all, httpSchema.parse({ kind: 'http', targets: [soon] })).code, ExitCode.WARNING, '10 days: under 30 and 14, over 7');
  t.equal(httpProbe.status!(s.all, httpSchema.parse({ kind: 'http', targets: [{ ...soon, expiry_days: [5, 3] }] })).code, ExitCode.OK, 'per-target thresholds');
});

t.test('keywords after charset decoding: GBK by meta, GB18030 by header, Big5 by http-equiv', async (t) => {
  const gbk = await one({ url: plain('/gbk.html'), keywords: ['政府信息公开'] });
  t.equal(gbk.http.fields.result_type, 'success', String(gbk.http.fields.error));
  t.equal(gbk.http.fields.charset, 'gb18030');
  t.equal(n(gbk.http.fields.response_string_match), 1);
  const gb = await one({ url: plain('/gb18030.html'), keywords: ['数字政府 𠀀 服务大厅'] });
  t.equal(gb.http.fields.result_type, 'success', 'a four-byte GB18030 character matches');
  const big5 = await one({ url: plain('/big5.html'), keywords: ['臺北市政府'] });
  t.equal(big5.http.fields.result_type, 'success');
  t.equal(big5.http.fields.charset, 'big5hkscs');
  const missing = await one({ url: plain('/gbk.html'), keywords: ['政府信息公开', '网站已被篡改不存在'] });
  t.equal(missing.http.fields.result_type, 'response_string_mismatch');
  t.equal(n(missing.http.fields.result_code), 1);
  t.equal(n(missing.http.fields.response_string_match), 0);
  t.equal(missing.http.fields.error, 'keyword missing: 网站已被篡改不存在');
  const absent = await one({ url: plain('/gbk.html'), keywords_absent: ['通知公告'] });
  t.equal(absent.http.fields.result_type, 'response_string_mismatch', 'a must-not keyword present fails');
  const rx = await one({ url: plain('/gbk.html'), regex: '<title>区.+</title>' });
  t.equal(rx.http.fields.result_type, 'success');
});

t.test('redirects are followed to the final URL; a loop stops at max_redirects', async (t) => {
  const r = await one({ url: plain('/redirect') });
  t.equal(r.http.fields.result_type, 'success');
  t.equal(n(r.http.fields.redirects), 2);
  t.equal(r.http.fields.final_url, plain('/final'));
  const h = await one({ url: plain('/to-https'), ca_file: CA });
  t.equal(h.http.fields.result_type, 'success');
  t.equal(h.x509?.tags.common_name, 'valid.test', 'http → https: the https hop gives the certificate');
  const loop = await one({ url: plain('/loop1'), max_redirects: 5 });
  t.equal(loop.http.fields.result_type, 'too_many_redirects');
  t.equal(n(loop.http.fields.result_code), 7);
  t.equal(n(loop.http.fields.redirects), 5);
  const none = await one({ url: plain('/redirect'), max_redirects: 0, expect_status: [301] });
  t.equal(none.http.fields.result_type, 'too_many_redirects', 'max_redirects 0 does not follow');
});

t.test('status expectations, JSON API failures, POST body, basic and bearer auth, body limit', async (t) => {
  const nf = await one({ url: plain('/missing') });
  t.equal(nf.http.fields.result_type, 'response_status_code_mismatch');
  t.equal(n(nf.http.fields.http_response_code), 404);
  t.equal((await one({ url: plain('/missing'), expect_status: [404] })).http.fields.result_type, 'success');
  const api = await one({ url: plain('/api/fail'), json_assert: ['$.code == 0'] });
  t.equal(api.http.fields.result_type, 'response_string_mismatch');
  t.equal(api.http.fields.error, 'json assertion failed: $.code == 0');
  t.equal((await one({ url: plain('/api/ok'), json_assert: ['$.msg =~ "^成功$"', '$.data.items.length >= 2'] })).http.fields.result_type, 'success');
  t.equal((await one({ url: plain('/gbk.html'), json_assert: ['$.code == 0'] })).http.fields.error, 'body is not JSON');
  const post = await one({ url: plain('/api/echo'), method: 'POST', body: '{"q":1}', keywords: ['POST application/json 7'] });
  t.equal(post.http.fields.result_type, 'success', String(post.http.fields.error));
  t.equal((await one({ url: plain('/private.html') })).http.fields.http_response_code, 401n);
  t.equal((await one({ url: plain('/private.html'), basic_auth: { username: 'ops', password: 's3cret-pass' } })).http.fields.result_type, 'success');
  t.equal(
    (await one({ url: `http://ops:s3cret-pass@127.0.0.1:${ports.plain}/private.html` })).http.fields.result_type,
    'success',
    'credentials in the URL are Basic auth',
  );
  t.equal((await one({ url: plain('/bearer'), bearer_token: 'tok-abcdef-123456' })).http.fields.result_type, 'success');
  const big = await one({ url: plain('/big.txt'), max_body_bytes: 1024 * 1024 });
  t.equal(big.http.fields.result_type, 'body_read_error');
  t.equal(big.http.fields.error_class, 'body_too_large');
  const head = await one({ url: plain('/big.txt'), method: 'HEAD' });
  t.equal(head.http.fields.result_type, 'success', 'HEAD reads no body');
  const all = JSON.stringify(
    (
      await probe([
        { url: plain('/bearer'), bearer_token: 'tok-abcdef-123456' },
        { url: 'http://ops:pw-in-url-999@127.0.0.1:' + ports.plain + '/private.html?token=qs-secret-777' },
      ])
    ).map((s) => ({ ...s, fields: Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, String(v)])) })),
  );
  for (const secret of ['tok-abcdef-123456', 'pw-in-url-999', 'qs-secret-777']) t.notOk(all.includes(secret), `${secret} appears in no sample`);
});

t.test('client certificate, IPv4 preference with a host name, and a CONNECT proxy', async (t) => {
  const dir = tempDir('httpcli');
  t.teardown(() => removeDir(dir));
  writeFileSync(path.join(dir, 'c.crt'), client.cert + inter.cert);
  writeFileSync(path.join(dir, 'c.key'), client.key);
  const without = await one({ url: `https://127.0.0.1:${ports.mtls}/`, ca_file: CA });
  t.equal(n(without.http.fields.http_response_code), 400, 'nginx refuses a request without a client certificate');
  const withCert = await one({
    url: `https://127.0.0.1:${ports.mtls}/`,
    ca_file: CA,
    cert_file: path.join(dir, 'c.crt'),
    key_file: path.join(dir, 'c.key'),
    keywords: ['CN=watchpost-agent'],
  });
  t.equal(withCert.http.fields.result_type, 'success', String(withCert.http.fields.error));
  const byName = await one({ url: `http://localhost:${ports.plain}/final`, ip_protocol: 'ip4' });
  t.equal(byName.http.fields.result_type, 'success');
  t.ok(n(byName.http.fields.dns_time_s) > 0, 'a name costs a lookup');
  // localhost has no IPv6 address in this machine's /etc/hosts: ip6 only fails, ip6 with fallback uses IPv4.
  const v6only = await one({ url: `http://localhost:${ports.plain}/final`, ip_protocol: 'ip6', ip_fallback: false });
  t.equal(v6only.http.fields.result_type, 'dns_error');
  t.equal((await one({ url: `http://localhost:${ports.plain}/final`, ip_protocol: 'ip6' })).http.fields.result_type, 'success');
  const literal = await one({ url: `http://[::1]:${ports.plain}/final`, keywords: ['final page'] });
  t.equal(literal.http.fields.result_type, 'success', 'an IPv6 literal');
  t.equal(literal.http.tags.server, `http://[::1]:${ports.plain}/final`);
  const proxy = await startConnectProxy({ user: 'px', pass: 'proxy-pass-1' });
  t.teardown(() => proxy.close());
  const via = await one({ url: https('valid'), ca_file: CA, proxy: `http://px:proxy-pass-1@127.0.0.1:${proxy.port}` });
  t.equal(via.http.fields.result_type, 'success', String(via.http.fields.error));
  t.same(proxy.tunnels, [`127.0.0.1:${ports.valid}`]);
  t.equal(via.x509!.tags.common_name, 'valid.test', 'TLS runs end to end through the tunnel');
  const denied = await one({ url: https('valid'), ca_file: CA, proxy: `http://px:wrong@127.0.0.1:${proxy.port}` });
  t.equal(denied.http.fields.error_class, 'proxy_error');
  const missingFile = await one({ url: https('valid'), ca_file: path.join(dir, 'nope.pem') });
  t.equal(missingFile.http.fields.error_class, 'config');
});

t.test('each phase times out on its own: connect, tls, processing, transfer', async (t) => {
  // connect: a listener whose accept queue is full and never drained, so the SYN goes unanswered.
  const py = spawn(
    'python3',
    [
      '-c',
      'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0);print(s.getsockname()[1],flush=True)\nc=[socket.create_connection(s.getsockname()) for _ in range(2)]\ntime.sleep(300)',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => py.kill('SIGKILL'));
  const fullPort = Number(await new Promise<string>((r) => py.stdout.once('data', (d: Buffer) => r(d.toString().trim()))));
  await new Promise((r) => setTimeout(r, 200));
  const slow = net.createServer((s) => {
    s.once('data', (d) => {
      const p = /^GET (\S+)/.exec(d.toString())?.[1];
      if (p === '/slow-headers') setTimeout(() => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 3000);
      else if (p === '/slow-body') {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst');
        setTimeout(() => s.end('x'.repeat(95)), 3000);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => slow.close());
  const sp = (slow.address() as net.AddressInfo).port;
  const pt = { connect_ms: 400, tls_ms: 400, processing_ms: 400, transfer_ms: 400 };
  const cases: [string, string][] = [
    [`http://127.0.0.1:${fullPort}/`, 'connect'],
    [`https://127.0.0.1:${sp}/`, 'tls'],
    [`http://127.0.0.1:${sp}/slow-headers`, 'processing'],
    [`http://127.0.0.1:${sp}/slow-body`, 'transfer'],
  ];
  const started = Date.now();
  const res = await probe(cases.map(([url]) => ({ url, phase_timeouts: pt })));
  t.ok(Date.now() - started < 2500, 'all four ended at their phase timeout, not the server delay');
  cases.forEach(([url, phase], i) => {
    const s = res.filter((x) => x.measurement === 'http_response')[i]!;
    t.equal(s.fields.result_type, 'timeout', `${url}`);
    t.equal(n(s.fields.result_code), 4);
    t.equal(s.fields.failed_phase, phase, `${phase} timed out`);
  });
  const sHeaders = res.filter((x) => x.measurement === 'http_response')[2]!;
  t.ok(n(sHeaders.fields.processing_time_s) === 0 && n(sHeaders.fields.connect_time_s) > 0, 'phases before the failing one are kept');
});

t.test('domain expiry from the inventory date', async (t) => {
  const soon = new Date(Date.now() + 10 * DAY * 1000).toISOString().slice(0, 10);
  const target = { url: plain('/final'), domain_expires: soon };
  const r = await one(target);
  const d = r.all.find((s) => s.measurement === 'domain')!;
  t.equal(d.tags.domain, '127.0.0.1');
  t.ok(n(d.fields.expiry) > 9 * DAY && n(d.fields.expiry) < 11.5 * DAY);
  const st = httpProbe.status!(r.all, httpSchema.parse({ kind: 'http', targets: [target] }));
  t.equal(st.code, ExitCode.WARNING);
  t.match(st.summary, new RegExp(`domain 127.0.0.1 expires ${soon}`));
});
