import { spawnSync } from 'node:child_process';
import t from 'tap';
import { nodeChildArgs } from '../../lib/node-child.ts';

// The agent starts Node children (config validation, host inventory) with its own flags; a
// flag that says what to run must not pass on, or `node -e` would start itself forever.
t.test('a child gets the V8 and module flags, not -e/-p, --input-type, --test, --watch or the inspector', async (t) => {
  const script = `import { nodeChildArgs } from ${JSON.stringify(new URL('../../lib/node-child.ts', import.meta.url).href)}; console.log(JSON.stringify(nodeChildArgs('child.ts', 'a')))`;
  const r = spawnSync(
    process.execPath,
    ['--max-semi-space-size=1', '--no-opt', '--inspect-port=0', '--require', 'node:os', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), ['--max-semi-space-size=1', '--no-opt', '--require', 'node:os', 'child.ts', 'a']);
  const p = spawnSync(
    process.execPath,
    ['--optimize-for-size', '-p', `require(${JSON.stringify(new URL('../../lib/node-child.ts', import.meta.url).pathname)}).nodeChildArgs('x').join(' ')`],
    { encoding: 'utf8' },
  );
  t.equal(p.status, 0, p.stderr);
  t.equal(p.stdout.trim(), '--optimize-for-size x');
  t.same(nodeChildArgs('s.ts').slice(-1), ['s.ts']);
});
