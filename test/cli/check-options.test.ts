import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { probes } from '../../agent/probes/all/index.ts';
import { didYouMean, normalizeSpelling, parse, UsageError } from '../../cli/args.ts';
import { checkHelp } from '../../cli/commands/check.ts';
import { startSnmpsim } from '../peers/snmpsim.ts';

t.setTimeout(240_000);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, WATCHPOST_LOG_LEVEL: 'error' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

t.test('one option style: kebab-case documented, snake_case kept as an alias, both spellings parse alike', async (t) => {
  const opts = { 'timeout-ms': { type: 'string' }, max_signature_age_days: { type: 'string' } } as const;
  t.same(normalizeSpelling(['--timeout_ms', '5', '--max-signature-age-days=3', 'pos', '--', '--timeout_ms'], opts), [
    '--timeout-ms',
    '5',
    '--max_signature_age_days=3',
    'pos',
    '--',
    '--timeout_ms',
  ]);
  t.equal(parse(['--timeout_ms', '7'], opts).values['timeout-ms'], '7');
  t.equal(parse(['--timeout-ms=8'], opts).values['timeout-ms'], '8');
  t.equal(parse(['--max-signature-age-days', '9'], opts).values.max_signature_age_days, '9');
});

t.test('an unknown option gets "did you mean"; a far-off one does not', async (t) => {
  t.equal(didYouMean('comunity', ['community', 'host', 'port']), 'community');
  t.equal(didYouMean('auth_kye', ['auth-key', 'priv-key']), 'auth-key');
  t.equal(didYouMean('zzzzzz', ['community', 'host']), undefined);
  t.throws(() => parse(['--comunity', 'x'], { community: { type: 'string' } }), {
    constructor: UsageError,
    message: /unknown option --comunity — did you mean --community\?/,
  });
  const r = run(['check', 'snmp', '--host', '127.0.0.1', '--comunity', 'public']);
  t.equal(r.code, 2);
  t.match(r.err, /did you mean --community\?/);
});

t.test('--help describes every option of every probe', async (t) => {
  for (const p of probes) {
    const help = checkHelp(p);
    const optionLines = help.split('\n').filter((l) => /^ {2}--/.test(l));
    t.ok(optionLines.length >= 3, `${p.kind}: ${optionLines.length} option lines`);
    for (const l of optionLines) t.match(l, /^ {2}--[a-z0-9-]+( VALUE)?\s{2,}\S/, `${p.kind}: "${l.trim()}" has a description`);
    for (const k of Object.keys(p.cli?.options ?? {})) t.match(help, `--${k.replaceAll('_', '-')}`, `${p.kind} lists --${k} in kebab-case`);
  }
  const r = run(['check', 'snmp', '--help']);
  t.equal(r.code, 0);
  t.match(r.out, /--host VALUE\s+the device to poll.*\[required\]/);
  t.match(r.out, /--auth-key VALUE\s+SNMPv3 authentication passphrase/);
});

t.test('check snmp without --host is a usage error, not a poll of 127.0.0.1', async (t) => {
  const r = run(['check', 'snmp', '--json']);
  t.equal(r.code, 2);
  t.match(r.err, /--host is required/);
  t.equal(r.out, '', 'nothing polled, nothing printed');
  t.match(run(['check', 'ping', '--json']).err, /--target is required/);
  t.match(run(['check', 'onvif']).err, /--url is required/);
});

t.test('a wrong community: status, summary and an error with a class and a hint (snmpsimd)', async (t) => {
  const sim = await startSnmpsim([{ name: 'public', text: '1.3.6.1.2.1.1.1.0|4|test switch\n1.3.6.1.2.1.1.5.0|4|sw-test\n' }], { quiet: true });
  t.teardown(() => sim.stop());
  const ok = run(['check', 'snmp', '--host', '127.0.0.1', '--port', String(sim.port), '--json']);
  const good = JSON.parse(ok.out) as Record<string, unknown>;
  t.equal(ok.code, 0, ok.err);
  t.equal(good.status, 'OK');
  t.type(good.summary, 'string');
  t.equal(good.error, undefined, 'no error on success');
  t.equal((good.device as { sysName: string }).sysName, 'sw-test', 'the documented document is kept');
  const bad = run([
    'check',
    'snmp',
    '--host',
    '127.0.0.1',
    '--port',
    String(sim.port),
    '--community',
    'wrong',
    '--request-timeout-ms',
    '300',
    '--retries',
    '0',
    '--json',
  ]);
  t.equal(bad.code, 2, bad.err);
  const doc = JSON.parse(bad.out) as { status: string; summary: string; error: { class: string; message: string; hint: string } };
  t.equal(doc.status, 'CRITICAL');
  t.match(doc.summary, /no answer from 127\.0\.0\.1/);
  t.equal(doc.error.class, 'timeout');
  t.equal(doc.error.hint, "no answer — check the community or credentials and the switch's ACL");
});

t.test('a probe that throws: UNKNOWN with the error class and a hint', async (t) => {
  const r = run(['check', 'host', '--json', '--timeout-ms', '1']);
  t.equal(r.code, 3);
  const doc = JSON.parse(r.out) as { status: string; error: { class: string; hint: string } };
  t.equal(doc.status, 'UNKNOWN');
  t.equal(doc.error.class, 'timeout');
  t.match(doc.error.hint, /no answer/);
  t.match(run(['check', 'host', '--timeout-ms', 'soon']).err, /--timeout-ms must be a whole number/);
});
