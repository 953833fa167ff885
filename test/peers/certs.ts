import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and its key, PEM. */
export interface Issued {
  cert: string;
  key: string;
  cn: string;
}

const DAY = 86_400_000;

function keyPair(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey } {
  // node:crypto makes the key natively (forge's pure-JS keygen takes seconds); forge only signs.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const k = forge.pki.privateKeyFromPem(privateKey);
  return { pem: privateKey, forgeKey: k, pub: forge.pki.setRsaPublicKey(k.n, k.e) };
}

let leafKey: ReturnType<typeof keyPair> | undefined;

export interface CertSpec {
  cn: string;
  /** DNS names and IP addresses for subjectAltName (leaves). */
  sans?: string[];
  /** Days from now; negative for the past. */
  fromDays?: number;
  toDays: number;
  /** Signing CA; absent: self-signed. */
  issuer?: Issued;
  ca?: boolean;
}

/**
 * Makes a certificate with the dates and names a test needs (expired, not yet valid, wrong
 * name, short-lived intermediate). Leaves share one key, so a test of many certificates stays fast.
 */
export function makeCert(s: CertSpec): Issued {
  const kp = s.ca ? keyPair() : (leafKey ??= keyPair());
  const cert = forge.pki.createCertificate();
  cert.publicKey = kp.pub;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() + (s.fromDays ?? -1) * DAY);
  cert.validity.notAfter = new Date(Date.now() + s.toDays * DAY);
  const subject = [
    { name: 'commonName', value: s.cn },
    { name: 'organizationName', value: 'Watchpost Test' },
  ];
  cert.setSubject(subject);
  let signKey = kp.forgeKey;
  if (s.issuer) {
    const ic = forge.pki.certificateFromPem(s.issuer.cert);
    cert.setIssuer(ic.subject.attributes);
    signKey = forge.pki.privateKeyFromPem(s.issuer.key);
  } else cert.setIssuer(subject);
  const ext: object[] = [{ name: 'subjectKeyIdentifier' }];
  if (s.ca) ext.push({ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else {
    ext.push(
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    );
    const alt = (s.sans ?? [s.cn]).map((n) => (/^[\d.]+$/.test(n) || n.includes(':') ? { type: 7, ip: n } : { type: 2, value: n }));
    ext.push({ name: 'subjectAltName', altNames: alt });
  }
  cert.setExtensions(ext);
  cert.sign(signKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: kp.pem, cn: s.cn };
}
