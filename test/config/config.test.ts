import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, redact } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';

const CASES = path.join(import.meta.dirname, 'cases');
const ROOT = path.resolve(import.meta.dirname, '../..');

// One file per case; its first line says what must come out:
//   # expect: ok agent|collector
//   # expect: agent|collector <path> <line>:<col> <text in the message>
// and a bad case's second line may say what the fix must contain:
//   # fix: <text in the fix>
for (const f of readdirSync(CASES).filter((f) => f.endsWith('.yaml')).sort()) {
  t.test(f, async (t) => {
    const file = path.join(CASES, f);
    const [head = '', second = ''] = readFileSync(file, 'utf8').split('\n');
    const m = /^# expect: (\S+) (\(top level\)|\S+)(?: (\d+):(\d+) (.*))?$/.exec(head);
    t.ok(m, 'case file declares its expectation');
    if (!m) return;
    if (m[1] === 'ok') {
      const schema = m[2] === 'agent' ? agentConfigSchema : collectorConfigSchema;
      t.doesNotThrow(() => loadConfig(file, schema as never));
      return;
    }
    const schema = m[1] === 'agent' ? agentConfigSchema : collectorConfigSchema;
    let err: unknown;
    try {
      loadConfig(file, schema as never);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof ConfigError, 'ConfigError thrown');
    const problems = (err as ConfigError).problems;
    const p = problems.find((p) => (p.path || '(top level)') === m[2]);
    t.ok(p, `a problem at ${m[2]} (got ${problems.map((p) => p.path).join(', ')})`);
    if (!p) return;
    t.equal(p.file, file);
    t.equal(`${p.line}:${p.column}`, `${m[3]}:${m[4]}`, 'line:column');
    t.match(p.message, m[5]!);
    t.ok(p.fix.length > 5, 'a fix is suggested');
    const fix = /^# fix: (.*)$/.exec(second);
    if (fix) t.match(p.fix, fix[1]!, 'the fix says what to do');
    t.match((err as Error).message, `${file}:${p.line}:${p.column}`);
  });
}

t.test('the example configs are complete and valid', async (t) => {
  const agent = loadConfig(path.join(ROOT, 'config/agent.example.yaml'), agentConfigSchema);
  t.equal(agent.outbox.when_full, 'drop_oldest');
  t.ok(agent.probes.length >= 1);
  const col = loadConfig(path.join(ROOT, 'config/collector.example.yaml'), collectorConfigSchema);
  t.equal(col.influxdb?.database, 'watchpost');
  t.ok(Object.isFrozen(col.inventory.devices[0]), 'config is frozen');
});

t.test('defaults are applied', async (t) => {
  const c = loadConfig(path.join(CASES, 'good-minimal-agent.yaml'), agentConfigSchema);
  t.equal(c.batch.max_samples, 5000);
  t.equal(c.collector.max_in_flight, 16);
  t.same(c.probes, []);
});

t.test('secrets print as <secret>', async (t) => {
  const c = loadConfig(path.join(CASES, 'good-minimal-agent.yaml'), agentConfigSchema);
  const shown = JSON.stringify(redact(c));
  t.notMatch(shown, '0123456789abcdef0123');
  t.match(shown, '"token":"<secret>"');
  t.same(redact({ snmp: { community: 'public', auth_key: 'x', host: 'h' }, password: 'p', snmp_trap: { communities: ['public', 'priv8'] } }), {
    snmp: { community: '<secret>', auth_key: '<secret>', host: 'h' },
    password: '<secret>',
    snmp_trap: { communities: ['<secret>', '<secret>'] },
  });
});

t.test('http probe credentials print as <secret>: basic auth, bearer token, Authorization and Cookie headers, proxy password', async (t) => {
  const shown = JSON.stringify(
    redact({ targets: [{ url: 'https://a/', basic_auth: { username: 'ops', password: 'pw-1111' }, bearer_token: 'bt-2222', headers: { Authorization: 'Basic 3333', 'Proxy-Authorization': 'Basic 4444', Cookie: 'sid=5555', 'X-Client': 'watchpost' }, proxy: 'http://u:px-6666@p:3128' }] }),
  );
  for (const secret of ['pw-1111', 'bt-2222', '3333', '4444', '5555', 'px-6666']) t.notMatch(shown, secret);
  t.match(shown, '"X-Client":"watchpost"');
});

t.test('credentials inside URLs print as <secret> too', async (t) => {
  const shown = JSON.stringify(
    redact({
      dingtalk: { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc123def' },
      wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx',
      influx: 'http://watchpost:hunter2@127.0.0.1:8086/',
      plain: 'http://127.0.0.1:8086/write?db=watchpost',
    }),
  );
  for (const secret of ['abc123def', '693a91f6', 'hunter2']) t.notMatch(shown, secret);
  t.match(shown, 'access_token=<secret>');
  t.match(shown, 'http://127.0.0.1:8086/write?db=watchpost', 'URLs without credentials are unchanged');
});

t.test('a missing file is a ConfigError naming the file', async (t) => {
  t.throws(() => loadConfig('/nonexistent/agent.yaml', agentConfigSchema), { name: 'ConfigError' });
});

t.test('every event kind the collector raises itself is one alert rules may name', async (t) => {
  const { EVENT_KINDS } = await import('../../config/measurements.ts');
  const { CABLING_EVENTS } = await import('../../collector/cabling/register.ts');
  t.same(Object.values(CABLING_EVENTS).filter((k) => !EVENT_KINDS.includes(k)), []);
  for (const notice of ['reminder', 'overdue']) t.ok(EVENT_KINDS.includes(`inspection_${notice}`));
});
