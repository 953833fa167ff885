import type net from 'node:net';
import { phase, PhaseError } from '../net/dial.ts';

export type StartTlsProtocol = 'smtp' | 'imap' | 'pop3';

/**
 * Reads one reply: lines until `complete` says the reply is whole. Bytes after it stay
 * unread in the socket (none are expected before the TLS handshake in these protocols).
 */
function readReply(sock: net.Socket, complete: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.length > 65536) return done(new PhaseError('starttls', 'protocol_error', 'starttls: reply too long'));
      const lines = buf.split('\r\n');
      if (lines[lines.length - 1] !== '') return;
      lines.pop();
      if (complete(lines)) done(undefined, lines);
    };
    const onClose = () => done(new PhaseError('starttls', 'reset', 'starttls: server closed the connection'));
    const done = (e?: Error, lines?: string[]) => {
      sock.removeListener('data', onData);
      sock.removeListener('error', done);
      sock.removeListener('close', onClose);
      sock.pause();
      if (e) reject(e);
      else resolve(lines!);
    };
    sock.on('data', onData);
    sock.once('error', done);
    sock.once('close', onClose);
    sock.resume();
  });
}

const smtpDone = (lines: string[]) => /^\d{3} /.test(lines[lines.length - 1] ?? '') || /^\d{3}$/.test(lines[lines.length - 1] ?? '');
const smtpCode = (lines: string[]) => Number(lines[lines.length - 1]!.slice(0, 3));

async function dialogue(sock: net.Socket, proto: StartTlsProtocol, heloName: string): Promise<string> {
  const fail = (what: string, lines: string[]) =>
    new PhaseError('starttls', 'protocol_error', `starttls: ${what}: ${(lines[lines.length - 1] ?? '').slice(0, 120)}`);
  if (proto === 'smtp') {
    const greet = await readReply(sock, smtpDone);
    if (smtpCode(greet) !== 220) throw fail('greeting', greet);
    sock.write(`EHLO ${heloName}\r\n`);
    const ehlo = await readReply(sock, smtpDone);
    if (smtpCode(ehlo) !== 250) throw fail('EHLO refused', ehlo);
    if (!ehlo.some((l) => /^250[- ]STARTTLS\b/i.test(l))) throw new PhaseError('starttls', 'starttls_unsupported', 'starttls: server does not offer STARTTLS');
    sock.write('STARTTLS\r\n');
    const st = await readReply(sock, smtpDone);
    if (smtpCode(st) !== 220) throw fail('STARTTLS refused', st);
    return greet[0]!;
  }
  if (proto === 'imap') {
    const greet = await readReply(sock, (l) => l.length > 0);
    if (!/^\* (OK|PREAUTH)/i.test(greet[0]!)) throw fail('greeting', greet);
    sock.write('a1 STARTTLS\r\n');
    const st = await readReply(sock, (l) => l.some((x) => x.startsWith('a1 ')));
    if (!st.some((x) => /^a1 OK/i.test(x))) throw fail('STARTTLS refused', st);
    return greet[0]!;
  }
  const greet = await readReply(sock, (l) => l.length > 0);
  if (!/^\+OK/.test(greet[0]!)) throw fail('greeting', greet);
  sock.write('STLS\r\n');
  const st = await readReply(sock, (l) => l.length > 0);
  if (!/^\+OK/.test(st[0]!)) throw fail('STLS refused', st);
  return greet[0]!;
}

/** Runs the plain-text part of SMTP/IMAP/POP3 up to the server's go-ahead for the TLS handshake; resolves with the greeting line. */
export function startTls(sock: net.Socket, proto: StartTlsProtocol, heloName: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return phase('starttls', timeoutMs, signal, (onCancel) => {
    onCancel(() => sock.destroy());
    return dialogue(sock, proto, heloName);
  });
}
