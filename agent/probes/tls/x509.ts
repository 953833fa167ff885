import tls, { type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { int, type Sample } from '../../../protocol/sample.ts';
import { verifiedPeerCertificate } from '../tcp/dial.ts';

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

function cn(v: unknown): string {
  if (Array.isArray(v)) return String(v[0] ?? '');
  return typeof v === 'string' ? v : '';
}

function sanList(s: string | undefined): string[] {
  if (!s) return [];
  // Node prints "DNS:a.example, IP Address:127.0.0.1"; Telegraf's san tag lists the names alone.
  return s.split(', ').map((e) => e.replace(/^(DNS|IP Address|email|URI):/, ''));
}

function serial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

function certInfo(c: DetailedPeerCertificate): CertInfo {
  return {
    common_name: cn(c.subject?.CN),
    issuer_common_name: cn(c.issuer?.CN),
    san: sanList(c.subjectaltname),
    serial_number: serial(c.serialNumber ?? ''),
    not_before: Date.parse(c.valid_from),
    not_after: Date.parse(c.valid_to),
    fingerprint256: c.fingerprint256,
    self_issued: !c.issuerCertificate || c.issuerCertificate === c || c.issuerCertificate.fingerprint256 === c.fingerprint256,
  };
}

/**
 * Reads the chain and verification result of a finished handshake made with
 * rejectUnauthorized: false, so an invalid certificate is still described rather than
 * only refused. The host name is checked here, apart from the chain, so both results show.
 */
export function inspectTls(socket: TLSSocket, hostname: string): TlsInfo {
  const peer = verifiedPeerCertificate(socket) ?? socket.getPeerCertificate(true);
  const chain: CertInfo[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(certInfo(c));
  }
  const verifyError = socket.authorized ? '' : String(socket.authorizationError ?? '');
  // Node folds a host name mismatch into authorizationError only when the chain verified.
  const chainError = verifyError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? '' : verifyError;
  let hostErr = '';
  if (peer?.raw) {
    const e = tls.checkServerIdentity(hostname, peer);
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
