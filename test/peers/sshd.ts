import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, removeDir, tempDir, waitFor } from './util.ts';
import { spawnTied } from './snmpsim.ts';

export interface Sshd {
  host: string;
  port: number;
  user: string;
  /** Client private key accepted for `user`. */
  keyPath: string;
  /** SHA256 fingerprint of the throw-away host key, as OpenSSH prints it ("SHA256:…"). */
  hostKeySha256: string;
  /** Makes the `display current-configuration` / `show running-config` commands print this text. */
  setRunningConfig(text: string | Buffer): void;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH sshd on 127.0.0.1 with a throw-away host key and client key. As root it also
 * creates a throw-away user (removed at stop); otherwise it logs in as the current user.
 * A ForceCommand wrapper answers the switch config commands from a file (a switch CLI is not
 * available on a CI machine); every other command runs in /bin/sh as sent.
 */
export async function startSshd(): Promise<Sshd> {
  const dir = tempDir('sshd');
  chmodSync(dir, 0o755);
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'watchpost-test', '-f', file]);
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')));
  chmodSync(path.join(dir, 'authorized_keys'), 0o644);
  writeFileSync(path.join(dir, 'running-config'), '');
  chmodSync(path.join(dir, 'running-config'), 0o644);
  const wrapper = path.join(dir, 'switch-cli.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$SSH_ORIGINAL_COMMAND" in\n  "display current-configuration"|"show running-config") exec cat ${dir}/running-config ;;\n  *) exec /bin/sh -c "$SSH_ORIGINAL_COMMAND" ;;\nesac\n`,
  );
  chmodSync(wrapper, 0o755);

  const root = process.getuid?.() === 0;
  let user = os.userInfo().username;
  if (root) {
    user = `wpssh${process.pid % 100000}`;
    const home = path.join(dir, 'home');
    mkdirSync(home);
    // '*' rather than useradd's default '!': sshd without PAM refuses '!'-locked accounts even for key logins.
    execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user]);
    execFileSync('chown', [user, home]);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }
  const port = await freePort();
  const conf = path.join(dir, 'sshd_config');
  writeFileSync(
    conf,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${dir}/host_key`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `AllowUsers ${user}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      // The temp dir lives under the world-writable /tmp, which StrictModes rejects.
      'StrictModes no',
      `ForceCommand ${wrapper}`,
      'LogLevel VERBOSE',
    ].join('\n') + '\n',
  );
  // -f: a session of a command the test abandoned may still be running as this user. The
  // wrapper removes the user even when this process is killed before its teardown.
  const peer = spawnTied('/usr/sbin/sshd', ['-D', '-e', '-f', conf], { cleanup: root ? `userdel -f ${user} 2>/dev/null; rm -rf ${dir}` : `rm -rf ${dir}` });
  const output = peer.output;
  const stop = async () => {
    await peer.stop();
    removeDir(dir);
  };
  try {
    await waitFor('sshd', () => banner(port), 15_000, output);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    keyPath: path.join(dir, 'client_key'),
    hostKeySha256: fp,
    setRunningConfig: (text) => writeFileSync(path.join(dir, 'running-config'), text),
    output,
    stop,
  };
}

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('SSH-2.0'));
    });
    s.once('error', () => resolve(false));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
  });
}
