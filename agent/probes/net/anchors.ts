import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';

/**
 * The certificates a handshake verifies against, indexed by subject on first use. The
 * presented chain usually stops below the root; a verified chain's anchor is then looked up
 * here, as OpenSSL found it, so the chain shows in full.
 */
export class TrustAnchors {
  private bySubject: Map<string, X509Certificate[]> | undefined;
  private readonly issuers = new Map<string, X509Certificate | null>();
  private readonly pems: () => readonly string[];

  constructor(pems: () => readonly string[]) {
    this.pems = pems;
  }

  /** Anchors from a PEM bundle (a ca_file); blocks that do not parse are skipped, as OpenSSL's loader does. */
  static fromPem(bundle: string | Buffer): TrustAnchors {
    return new TrustAnchors(() => String(bundle).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
  }

  /** The anchor that issued cert (name, key identifiers and signature), or undefined when the store has none. */
  issuerOf(cert: X509Certificate): X509Certificate | undefined {
    const fp = cert.fingerprint256;
    const hit = this.issuers.get(fp);
    if (hit !== undefined) return hit ?? undefined;
    if (!this.bySubject) {
      this.bySubject = new Map();
      for (const pem of this.pems()) {
        let ca: X509Certificate;
        try {
          ca = new X509Certificate(pem);
        } catch {
          continue;
        }
        const list = this.bySubject.get(ca.subject) ?? [];
        list.push(ca);
        this.bySubject.set(ca.subject, list);
      }
    }
    const ca = this.bySubject.get(cert.issuer)?.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
    // Bounded: a poller checks a few hundred certificates; a renewed one replaces its entry's use.
    if (this.issuers.size > 4096) this.issuers.clear();
    this.issuers.set(fp, ca ?? null);
    return ca;
  }
}

/** Node's own trust store (bundled roots, NODE_EXTRA_CA_CERTS, the system's with --use-system-ca): what a handshake without ca_file verifies against. */
export const DEFAULT_ANCHORS = new TrustAnchors(() => tls.getCACertificates('default'));
