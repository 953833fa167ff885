import { iconv } from '../platform/iconv.ts';
import { createHash } from 'node:crypto';
import { ProbeError } from '../probe.ts';

/** Output of one remote command; stdout/stderr decoded as a whole (UTF-8, else GBK for older VRP/Comware). */
export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One SSH connection to one device, behind the narrow interface the ssh probe uses (tests
 * can pass a fake; integration tests run node-ssh against a real sshd). `exec` rejects with a
 * ProbeError('timeout') after timeoutMs and then the session is unusable.
 */
export interface SshSession {
  exec(command: string, timeoutMs: number): Promise<ExecResult>;
  close(): void;
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  private_key_path?: string | undefined;
  /** SHA-256 of the host key (hex or OpenSSH's base64 "SHA256:…"); when set, other keys are refused. */
  host_key_sha256?: string | undefined;
  connect_timeout_ms: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
export function decodeOutput(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    return iconv().decode(buf, 'gbk');
  }
}

function hostKeyMatches(key: Buffer, want: string): boolean {
  const digest = createHash('sha256').update(key).digest();
  const w = want.replace(/^SHA256:/, '');
  return w.toLowerCase() === digest.toString('hex') || w.replace(/=+$/, '') === digest.toString('base64').replace(/=+$/, '');
}

export async function connectSsh(t: SshTarget): Promise<SshSession> {
  // node-ssh (with ssh2) is loaded when a probe first connects: agents without ssh probes never load it.
  const { NodeSSH } = await import('node-ssh');
  const ssh = new NodeSSH();
  let hostKeyRejected = false;
  try {
    await ssh.connect({
      host: t.host,
      port: t.port,
      username: t.username,
      ...(t.password !== undefined ? { password: t.password } : {}),
      ...(t.private_key_path ? { privateKeyPath: t.private_key_path } : {}),
      readyTimeout: t.connect_timeout_ms,
      ...(t.host_key_sha256 ? { hostVerifier: (key: Buffer) => !(hostKeyRejected = !hostKeyMatches(key, t.host_key_sha256!)) } : {}),
      // Older switch firmware only offers these; ssh2 keeps its safe defaults first.
      algorithms: { serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] },
    });
  } catch (e) {
    ssh.dispose();
    const level = (e as { level?: string }).level;
    if (hostKeyRejected) throw new ProbeError('host_key', `ssh ${t.host}:${t.port}: host key does not match host_key_sha256`, { cause: e });
    if (level === 'client-authentication') throw new ProbeError('auth', `ssh ${t.host}:${t.port}: authentication failed`, { cause: e });
    if (level === 'client-timeout') throw new ProbeError('timeout', `ssh ${t.host}:${t.port}: no answer in ${t.connect_timeout_ms} ms`, { cause: e });
    throw e;
  }
  return {
    exec(command, timeoutMs) {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      return new Promise<ExecResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          ssh.dispose();
          reject(new ProbeError('timeout', `command did not finish in ${timeoutMs} ms`));
        }, timeoutMs);
        ssh
          .execCommand(command, { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c), noTrim: true })
          .then((r) => resolve({ code: r.code, stdout: decodeOutput(Buffer.concat(out)), stderr: decodeOutput(Buffer.concat(err)) }), reject)
          .finally(() => clearTimeout(timer));
      });
    },
    close: () => ssh.dispose(),
  };
}
