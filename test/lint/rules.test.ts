import t from 'tap';
import { check } from '../../lint/rules.ts';

t.test('each lint rule catches what it names, and leaves ordinary code alone', async (t) => {
  const bad = check([
    { name: 'collector/x.ts', text: 'const v = eval(cfg.expr);\nconst f = new Function("return 1");\nconst ok = obj.evaluate(x);' },
    {
      name: 'bench/y.ts',
      text: "spawnSync('pkill', ['-x', 'influxd']);\nawait fetch('https://dysmsapi.aliyuncs.com/');\nawait fetch(`http://127.0.0.1:${port}/`);",
    },
    { name: '.ci/run', text: 'pkill -x influxd || true' },
    { name: 'test/a.test.ts', text: "t.only('x', () => {});\nt.test('y', { skip: true }, () => {});\nt.test('z', { skip: 'needs root' }, () => {});" },
  ]);
  t.equal(bad.length, 7, bad.join('\n'));
  t.match(bad[0], /^collector\/x\.ts:1: no-eval/);
  t.match(bad[1], /^collector\/x\.ts:2: no-eval/);
  t.match(bad.join('\n'), /bench\/y\.ts:1: no-kill-by-name/);
  t.match(bad.join('\n'), /bench\/y\.ts:2: no-outside-traffic/);
  t.match(bad.join('\n'), /\.ci\/run:1: no-kill-by-name/);
  t.match(bad.join('\n'), /test\/a\.test\.ts:1: no-only/);
  t.match(bad.join('\n'), /test\/a\.test\.ts:2: no-todo-skip/);
  t.same(check([{ name: 'bench/z.ts', text: "spawnSync('pkill'); // lint-allow: documented reason" }]), []);
});
