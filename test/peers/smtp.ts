import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 with AUTH PLAIN/LOGIN over plain text
 * (loopback only). `rejectRcpt` answers 550 for those recipients; `tempFail` answers 451
 * to the next N messages.
 */
export async function startSmtp(o: { user?: string; pass?: string; rejectRcpt?: string[] } = {}) {
  const user = o.user ?? 'watchpost';
  const pass = o.pass ?? 'smtp-secret-pass';
  const mails: CapturedMail[] = [];
  const waiters: (() => void)[] = [];
  let tempFail = 0;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(addr, _session, cb) {
      if (o.rejectRcpt?.includes(addr.address)) cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (tempFail > 0) {
          tempFail--;
          cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const w of waiters.splice(0)) w();
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    user,
    pass,
    mails,
    failNext(n: number) {
      tempFail = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
