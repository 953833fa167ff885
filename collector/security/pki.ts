import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/**
 * A small private PKI for one site: a CA that signs the collector's server certificate and,
 * for mTLS, one client certificate per agent. Keys come from node:crypto (native RSA key
 * generation); node-forge only assembles and signs the X.509 structure, which node:crypto
 * cannot do. RSA-2048 with SHA-256: what every TLS stack the agents run on accepts.
 */

export interface KeyAndCert {
  certPem: string;
  keyPem: string;
}

export interface CertInfo {
  subject: string;
  issuer: string;
  serial: string;
  notAfter: string;
  fingerprint256: string;
  san: string[];
}

const KEY_BITS = 2048;

function newKeyPair(): { pub: forge.pki.PublicKey; priv: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: KEY_BITS });
  // forge reads PKCS#1; the file on disk is PKCS#8, which Node and OpenSSL prefer.
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const priv = forge.pki.privateKeyFromPem(pkcs1) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function serial(): string {
  // Positive 128-bit serial (RFC 5280: at most 20 octets, non-negative).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  // Backdated an hour so an agent whose clock is a little behind accepts a fresh certificate.
  cert.validity.notBefore = new Date(now - 3_600_000);
  cert.validity.notAfter = new Date(now + days * 86_400_000);
}

function subjectKeyId(pub: forge.pki.PublicKey): string {
  return forge.pki.getPublicKeyFingerprint(pub, { md: forge.md.sha1.create(), encoding: 'hex' }) as string;
}

/** Creates a self-signed CA (basicConstraints CA:true, pathlen 0, keyCertSign/cRLSign). */
export function createCa(opts: { commonName: string; organization?: string | undefined; days: number }): KeyAndCert {
  const k = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  validity(cert, opts.days);
  const attrs = [{ name: 'commonName', value: opts.commonName }, ...(opts.organization ? [{ name: 'organizationName', value: opts.organization }] : [])];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.priv, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

/**
 * Issues a leaf certificate signed by `ca`: a server certificate (serverAuth, with the DNS
 * names and IP addresses agents use to reach the collector as subjectAltNames) or a client
 * certificate for an agent (clientAuth; its CN is the agent's enrolled name).
 */
export function issueCert(ca: KeyAndCert, opts: { commonName: string; usage: 'server' | 'client'; san?: string[] | undefined; days: number }): KeyAndCert {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(
    // CA keys are written as PKCS#8; forge wants the RSA key inside.
    pkcs8ToPkcs1(ca.keyPem),
  );
  const k = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = serial();
  validity(cert, opts.days);
  cert.setSubject([{ name: 'commonName', value: opts.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (opts.san ?? []).map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: opts.usage === 'server', clientAuth: opts.usage === 'client' },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(subjectKeyId(caCert.publicKey)) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem };
}

function pkcs8ToPkcs1(pem: string): string {
  return createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }) as string;
}

/** Reads a PEM certificate with node:crypto (the same parser TLS uses). */
export function certInfo(pem: string): CertInfo {
  const c = new X509Certificate(pem);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serialNumber,
    notAfter: c.validTo,
    fingerprint256: c.fingerprint256,
    san: (c.subjectAltName ?? '').split(', ').filter(Boolean),
  };
}

/** SHA-256 of a certificate's DER encoding, lowercase hex: how the collector records issued client certificates. */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
