import type { X509Certificate } from 'node:crypto';
import tls, { type TLSSocket } from 'node:tls';
import { DEFAULT_ANCHORS, type TrustAnchors } from '../net/anchors.ts';
import { int, type Sample } from '../../../protocol/sample.ts';

/** One certificate of a presented chain, reduced to what the samples and alerts need. */
export interface CertInfo {
  common_name: string;
  issuer_common_name: string;
  san: string[];
  serial_number: string;
  not_before: number;
  not_after: number;
  fingerprint256: string;
  self_issued: boolean;
}

/** What one TLS handshake showed: the chain, whether it verified, and what was negotiated. */
export interface TlsInfo {
  /** Leaf first, then its issuers as OpenSSL linked them (presented certs, completed from the trust store). */
  chain: CertInfo[];
  chain_verified: boolean;
  /** OpenSSL's verify error code (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE ...), or '' when it verified. */
  chain_error: string;
  hostname_match: boolean;
  hostname_error: string;
  protocol: string;
  cipher: string;
  alpn: string;
}

/** The first value of attribute `key` in a one-per-line distinguished name as X509Certificate prints it (RFC 2253 escapes undone). */
function dnValue(dn: string, key: string): string {
  for (const line of dn.split('\n')) if (line.startsWith(`${key}=`)) return line.slice(key.length + 1).replace(/\\(.)/g, '$1');
  return '';
}

function sanList(s: string | undefined): string[] {
  if (!s) return [];
  // Node prints "DNS:a.example, IP Address:127.0.0.1"; Telegraf's san tag lists the names alone.
  return s.split(', ').map((e) => e.replace(/^(DNS|IP Address|email|URI):/, ''));
}

function serial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

function certInfo(c: X509Certificate): CertInfo {
  return {
    common_name: dnValue(c.subject, 'CN'),
    issuer_common_name: dnValue(c.issuer, 'CN'),
    san: sanList(c.subjectAltName),
    serial_number: serial(c.serialNumber),
    not_before: Date.parse(c.validFrom),
    not_after: Date.parse(c.validTo),
    fingerprint256: c.fingerprint256,
    self_issued: c.checkIssued(c),
  };
}

/**
 * Reads the chain and verification result of a finished handshake made with
 * rejectUnauthorized: false, so an invalid certificate is still described rather than
 * only refused. The host name is checked here, apart from the chain, so both results show.
 * Works on X509Certificate objects, whose fields are read on demand: about 40 µs a chain,
 * where the legacy getPeerCertificate(true) object costs about 220 µs (bench:http). Call it once
 * per socket: Node 24 hands the peer certificate over on the first getPeerX509Certificate call,
 * and later calls of either API on that socket see none.
 */
export function inspectTls(socket: TLSSocket, hostname: string, anchors: TrustAnchors = DEFAULT_ANCHORS): TlsInfo {
  const chain: CertInfo[] = [];
  const seen = new Set<string>();
  const leaf = socket.getPeerX509Certificate();
  let last: X509Certificate | undefined;
  for (let c: X509Certificate | undefined = leaf; c && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(certInfo(c));
    last = c;
  }
  const verifyError = socket.authorized ? '' : String(socket.authorizationError ?? '');
  // Node folds a host name mismatch into authorizationError only when the chain verified.
  const chainError = verifyError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? '' : verifyError;
  if (chainError === '' && last && !chain.at(-1)!.self_issued) {
    const anchor = anchors.issuerOf(last);
    if (anchor) chain.push(certInfo(anchor));
  }
  let hostErr = '';
  if (leaf) {
    // checkServerIdentity reads only these two fields; its RFC 6125 rules (wildcards, IP SANs) stay Node's.
    const e = tls.checkServerIdentity(hostname, { subject: { CN: chain[0]!.common_name }, subjectaltname: leaf.subjectAltName ?? '' } as tls.PeerCertificate);
    if (e) hostErr = (e as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
  } else hostErr = 'NO_CERTIFICATE';
  const cipher = socket.getCipher();
  return {
    chain,
    chain_verified: chainError === '' && chain.length > 0,
    chain_error: chain.length ? chainError : 'NO_CERTIFICATE',
    hostname_match: hostErr === '',
    hostname_error: hostErr,
    protocol: socket.getProtocol() ?? '',
    cipher: cipher?.name ?? '',
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '',
  };
}

/**
 * The certificates whose expiry can break the service: the leaf and every intermediate up to,
 * but not including, the trust anchor. A root's expiry is the trust store's business, and
 * flagging it is what blackbox_exporter's earliest-expiry metric is blamed for. When the
 * chain did not verify there is no anchor; then every certificate counts but a self-issued
 * one at the end (a root the server sent along), unless it is the leaf itself.
 */
export function chainWithoutAnchor(info: TlsInfo): CertInfo[] {
  const c = info.chain;
  if (c.length > 1 && c[c.length - 1]!.self_issued) return c.slice(0, -1);
  return c;
}

/** Earliest notAfter among the leaf and its intermediates (see chainWithoutAnchor). */
export function earliestExpiry(info: TlsInfo): CertInfo | undefined {
  let min: CertInfo | undefined;
  for (const c of chainWithoutAnchor(info)) if (!min || c.not_after < min.not_after) min = c;
  return min;
}

/**
 * Telegraf's x509_cert for the leaf, plus what Telegraf lacks: the earliest expiry of the
 * verified chain without its anchor (chain_expiry, with the certificate it belongs to), the
 * chain and host name results apart, and the negotiated TLS version and cipher.
 * `verification` is valid only when both the chain and the host name check passed.
 */
export function x509Sample(info: TlsInfo, source: string, tags: Record<string, string>, now: number): Sample {
  const leaf = info.chain[0];
  const valid = info.chain_verified && info.hostname_match;
  const fields: Sample['fields'] = {
    up: int(1),
    verification: valid ? 'valid' : 'invalid',
    verification_code: int(valid ? 0 : 1),
    chain_verified: int(info.chain_verified ? 1 : 0),
    hostname_match: int(info.hostname_match ? 1 : 0),
    chain_length: int(info.chain.length),
    tls_version: info.protocol,
    cipher: info.cipher,
  };
  if (!valid) fields.verification_error = info.chain_error || info.hostname_error;
  const out: Sample = {
    measurement: 'x509_cert',
    tags: { ...tags, source },
    fields,
    time: now,
  };
  if (leaf) {
    out.tags.common_name = leaf.common_name;
    out.tags.issuer_common_name = leaf.issuer_common_name;
    out.tags.san = leaf.san.join(',');
    out.tags.serial_number = leaf.serial_number;
    fields.expiry = int((leaf.not_after - now) / 1000);
    fields.age = int((now - leaf.not_before) / 1000);
    fields.startdate = int(leaf.not_before / 1000);
    fields.enddate = int(leaf.not_after / 1000);
    const first = earliestExpiry(info)!;
    fields.chain_expiry = int((first.not_after - now) / 1000);
    fields.chain_enddate = int(first.not_after / 1000);
    fields.chain_expiry_common_name = first.common_name;
  }
  return out;
}

/** An x509_cert sample for a source whose handshake never finished: data, not a throw. */
export function x509Failed(source: string, tags: Record<string, string>, errorClass: string, now: number): Sample {
  return {
    measurement: 'x509_cert',
    tags: { ...tags, source },
    fields: { up: int(0), error_class: errorClass, verification: 'invalid', verification_code: int(1) },
    time: now,
  };
}
