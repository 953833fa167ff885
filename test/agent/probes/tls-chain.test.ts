/**
 * inspectTls reads the chain from X509Certificate objects and completes a verified chain's
 * anchor from the trust store itself (tcp/dial.ts skips Node's getPeerCertificate(true) for
 * speed). The answer it must give is the one Node's legacy detailed object gives: the same
 * certificates, in the same order, for every chain shape a server can present.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import t from 'tap';
import { handshake, trustAnchorsOf } from '../../../agent/probes/net/dial.ts';
import { TrustAnchors } from '../../../agent/probes/net/anchors.ts';
import { inspectTls } from '../../../agent/probes/tls/x509.ts';
import { makeCert } from '../../peers/certs.ts';

const root = makeCert({ cn: 'Chain Root', ca: true, toDays: 3650 });
const otherRoot = makeCert({ cn: 'Other Root', ca: true, toDays: 3650 });
const inter = makeCert({ cn: 'Chain Intermediate, Ltd', ca: true, issuer: root, toDays: 900 });
const leaf = makeCert({ cn: 'chain.test', sans: ['chain.test', '127.0.0.1'], toDays: 90, issuer: inter });
const direct = makeCert({ cn: 'direct.test', sans: ['127.0.0.1'], toDays: 90, issuer: root });
const self = makeCert({ cn: 'self.test', sans: ['127.0.0.1'], toDays: 90 });

async function server(cert: string, key: string): Promise<number> {
  const s = tls.createServer({ cert, key }, (c) => c.on('error', () => {}));
  s.on('tlsClientError', () => {});
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as net.AddressInfo).port;
}

const shapes = {
  'leaf + intermediate': await server(leaf.cert + inter.cert, leaf.key),
  'leaf + intermediate + root': await server(leaf.cert + inter.cert + root.cert, leaf.key),
  'leaf only (incomplete)': await server(leaf.cert, leaf.key),
  'leaf issued by the root': await server(direct.cert, direct.key),
  'self-signed': await server(self.cert, self.key),
};

async function connect(port: number, ca: string | undefined) {
  const sock = await new Promise<net.Socket>((r) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => r(s));
  });
  return handshake(sock, { servername: '127.0.0.1', ca }, 5000);
}

/** The chain as Node's legacy detailed object links it: what inspectTls read before. */
function legacyChain(s: tls.TLSSocket): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let c: tls.DetailedPeerCertificate | undefined = s.getPeerCertificate(true); c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(c.fingerprint256);
  }
  return out;
}

for (const [bundleName, ca] of [
  ['the root as ca', root.cert],
  [
    'a bundle with garbage, another root and the root',
    `junk\n${otherRoot.cert}-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n${root.cert}`,
  ],
  ['no ca (Node roots)', undefined],
] as const) {
  t.test(`the chain equals Node's own for every shape, ${bundleName}`, async (t) => {
    for (const [shape, port] of Object.entries(shapes)) {
      const s = await connect(port, ca);
      // Legacy first: Node 24 hands the peer certificate over on the first getPeerX509Certificate call.
      const legacy = legacyChain(s);
      const info = inspectTls(s, '127.0.0.1', trustAnchorsOf(s));
      t.same(
        info.chain.map((c) => c.fingerprint256),
        legacy,
        `${shape}: ${info.chain.map((c) => c.common_name).join(' > ')} (${info.chain_error || 'verified'})`,
      );
      s.destroy();
    }
  });
}

t.test('fields of a verified chain: names with escapes, the anchor from the store, host name checked apart', async (t) => {
  const s = await connect(shapes['leaf + intermediate'], root.cert);
  const info = inspectTls(s, '127.0.0.1', trustAnchorsOf(s));
  s.destroy();
  t.equal(info.chain_verified, true);
  t.same(
    info.chain.map((c) => [c.common_name, c.issuer_common_name, c.self_issued]),
    [
      ['chain.test', 'Chain Intermediate, Ltd'],
      ['Chain Intermediate, Ltd', 'Chain Root'],
      ['Chain Root', 'Chain Root'],
    ].map(([a, b], i) => [a, b, i === 2]),
  );
  t.same(info.chain[0]!.san, ['chain.test', '127.0.0.1']);
  t.equal(info.chain[0]!.not_after, Date.parse(new X509Certificate(leaf.cert).validTo));
  t.equal(info.chain[0]!.serial_number, new X509Certificate(leaf.cert).serialNumber.toLowerCase().replace(/^0+/, ''));
  t.equal(info.hostname_match, true);
  const wrong = await connect(shapes['leaf + intermediate'], root.cert);
  const w = inspectTls(wrong, 'other.test', trustAnchorsOf(wrong));
  wrong.destroy();
  t.equal(w.chain_verified, true, 'the chain still verifies');
  t.equal(w.hostname_error, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

t.test('TrustAnchors finds the issuer once and remembers it; a stranger has none', async (t) => {
  const anchors = TrustAnchors.fromPem(otherRoot.cert + root.cert);
  const i = new X509Certificate(inter.cert);
  t.equal(anchors.issuerOf(i)?.subject.includes('CN=Chain Root'), true);
  t.equal(anchors.issuerOf(i)?.subject.includes('CN=Chain Root'), true, 'cached');
  t.equal(anchors.issuerOf(new X509Certificate(self.cert)), undefined);
  t.equal(TrustAnchors.fromPem('no certificates here').issuerOf(i), undefined);
});
