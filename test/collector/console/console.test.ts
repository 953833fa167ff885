import t from 'tap';
import { hashPassword, verifyPassword } from '../../../collector/security/users.ts';
import { html } from '../../../collector/console/ui/html.ts';
import { Browserless, consoleCollector, PASSWORD, XSS } from './helpers.ts';

t.test('passwords are scrypt hashes; templates escape everything', async (t) => {
  const h = hashPassword('a long enough password');
  t.match(h, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.ok(verifyPassword('a long enough password', h));
  t.notOk(verifyPassword('a long enough passworD', h));
  t.not(hashPassword('a long enough password'), h, 'salted');
  t.equal(
    html`<p title="${'"><x>'}">${XSS}${[html`<b>${'&'}</b>`]}</p>`.s,
    `<p title="&quot;&gt;&lt;x&gt;">${XSS.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}<b>&amp;</b></p>`,
  );
});

t.test('console over HTTP: login, CSRF, roles, rate limiting, escaping, audit', async (t) => {
  const k = await consoleCollector();
  t.teardown(() => k.stop());
  const b = new Browserless(k.url);

  t.equal((await b.get('/console/alerts')).location, '/console/login', 'pages need a session');
  t.equal((await b.post('/console/alerts/ack', { id: '1' })).status, 401, 'posts need a session');

  await t.test('login needs the login form CSRF cookie and field', async (t) => {
    const fresh = new Browserless(k.url);
    const r = await fresh.post('/console/login', { username: 'li', password: PASSWORD });
    t.equal(r.status, 403, 'no CSRF token: refused even with the right password');
    const page = await fresh.get('/console/login');
    const token = Browserless.csrf(page.text);
    fresh.cookies.set('wp_lcsrf', 'something-else');
    t.equal((await fresh.post('/console/login', { _csrf: token, username: 'li', password: PASSWORD })).status, 403, 'cookie and field must match');
  });

  const ok = await b.login('li');
  t.equal(ok.status, 303);
  t.equal(ok.location, '/console/');
  t.match(b.cookies.get('wp_session'), /^[A-Za-z0-9_-]{43}$/);

  await t.test('XSS: markup in inventory names and inspection notes is shown as text', async (t) => {
    const home = await b.get('/console/');
    t.equal(home.status, 200);
    t.notMatch(home.text, '<script>document.title', 'no raw script');
    t.notMatch(home.text, '<img src=x', 'no raw img');
    t.match(home.text, '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;', 'escaped text');
    t.match(home.headers.get('content-security-policy'), "default-src 'none'", 'CSP forbids scripts');
    const start = await b.post('/console/inspections/start', { _csrf: Browserless.csrf(home.text), schedule: 'net-a' });
    t.equal(start.status, 303);
    const id = /\/console\/inspections\/(\d+)$/.exec(start.location ?? '')?.[1];
    t.ok(id, 'redirected to the new inspection');
    const page = await b.get(`/console/inspections/${id}`);
    const seq = /data-seq="(\d+)"/.exec(page.text)![1]!;
    const r = await b.post(`/console/inspections/${id}/item`, { _csrf: Browserless.csrf(page.text), seq, result: 'fail', note: XSS });
    t.equal(r.status, 303);
    const after = await b.get(`/console/inspections/${id}`);
    t.notMatch(after.text, '<script>document.title');
    t.match(after.text, 'value="&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;');
  });

  await t.test('CSRF: state changes need the session token; cross-origin posts are refused', async (t) => {
    const alerts = await b.get('/console/alerts');
    const id = /data-alert="(\d+)"/.exec(alerts.text)?.[1];
    t.ok(id, 'the inspection alert is listed');
    t.equal((await b.post('/console/alerts/ack', { id: id! })).status, 403, 'no token');
    t.equal((await b.post('/console/alerts/ack', { id: id!, _csrf: 'x'.repeat(43) })).status, 403, 'wrong token');
    const other = new Browserless(k.url);
    await other.login('root');
    const otherToken = Browserless.csrf((await other.get('/console/')).text);
    t.equal((await b.post('/console/alerts/ack', { id: id!, _csrf: otherToken })).status, 403, "another session's token");
    const token = Browserless.csrf(alerts.text);
    t.equal((await b.post('/console/alerts/ack', { id: id!, _csrf: token }, { origin: 'http://evil.example' })).status, 403, 'foreign Origin');
    t.match((await b.get('/console/alerts')).text, `data-alert="${id}"`, 'still unacknowledged');
    const good = await b.post('/console/alerts/ack', { id: id!, _csrf: token }, { origin: k.url });
    t.equal(good.status, 303, 'same origin with the token works');
    t.match((await b.get('/console/alerts?lang=en')).text, 'acknowledged by li');
  });

  await t.test('roles: a viewer reads but cannot change anything; only admins manage users', async (t) => {
    const v = new Browserless(k.url);
    await v.login('wang');
    const page = await v.get('/console/inspections');
    t.equal(page.status, 200);
    t.notMatch(page.text, 'action="/console/inspections/start"', 'no start button for viewers');
    t.equal((await v.post('/console/inspections/start', { _csrf: Browserless.csrf(page.text), schedule: 'net-a' })).status, 403);
    t.equal((await v.get('/console/users')).status, 403);
    const admin = new Browserless(k.url);
    await admin.login('root');
    const users = await admin.get('/console/users');
    t.equal(users.status, 200);
    t.equal(
      (await admin.post('/console/users', { _csrf: Browserless.csrf(users.text), username: 'zhao', password: 'another long one', role: 'viewer' })).status,
      303,
    );
    t.equal((await new Browserless(k.url).login('zhao', 'another long one')).status, 303, 'new user can log in');
  });

  await t.test('maintenance windows from the console, in office local time', async (t) => {
    const page = await b.get('/console/maintenance?lang=en');
    t.equal(page.status, 200);
    const r = await b.post('/console/maintenance', {
      _csrf: Browserless.csrf(page.text),
      name: 'Shaft A-1 UPS swap <b>',
      targets: 'sw-a-3f-01, cam-a-3f-lobby',
      start: '2026-12-01T09:00',
      end: '2026-12-01T11:30',
    });
    t.equal(r.status, 303);
    const list = await b.get('/console/maintenance');
    t.match(list.text, 'Shaft A-1 UPS swap &lt;b&gt;');
    t.match(list.text, /<td>2026-12-01 09:00<\/td><td>2026-12-01 11:30<\/td>/, "shown in the collector's time zone, as entered");
    t.notMatch(list.text, /T01:00:00\.000Z/, 'never as a UTC ISO string');
    const m = k.c.modules.maintenance!;
    const w = m.windows().find((x) => x.name.startsWith('Shaft A-1'))!;
    t.ok(w, 'the maintenance module has it');
    t.equal(w.start, '2026-12-01T01:00:00.000Z', '09:00 in Asia/Shanghai');
    t.same(w.targets, ['sw-a-3f-01', 'cam-a-3f-lobby']);
    const bad = await b.post('/console/maintenance?lang=en', {
      _csrf: Browserless.csrf(page.text),
      name: 'Keep me',
      targets: 'sw-a-3f-01',
      start: 'tomorrow',
      end: '',
    });
    t.equal(bad.status, 400, 'bad times are refused');
    t.match(bad.text, /Enter the start as a date and time/);
    t.match(bad.text, /name="name" required value="Keep me"/, 'what was typed is kept');
    // A multiple select sends `targets` once per device.
    const multi = async (fields: [string, string][]) => {
      const r = await fetch(`${k.url}/console/maintenance`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: [...b.cookies].map(([x, v]) => `${x}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['_csrf', Browserless.csrf(page.text)], ...fields]).toString(),
      });
      return { status: r.status, text: await r.text() };
    };
    const before = await multi([
      ['name', 'Backwards'],
      ['targets', 'sw-a-3f-01'],
      ['targets', 'cam-a-3f-lobby'],
      ['start', '2026-12-02T10:00'],
      ['end', '2026-12-02T09:00'],
    ]);
    t.equal(before.status, 400);
    t.match(before.text, /The end must be after the start\./, "in the page's language (English, chosen above)");
    t.match(before.text, /<option value="sw-a-3f-01" selected>[\s\S]*<option value="cam-a-3f-lobby" selected>/, 'both picked devices stay picked');
    t.match(
      (
        await multi([
          ['name', 'Ghost'],
          ['targets', 'sw-nowhere'],
          ['start', '2026-12-02T10:00'],
          ['end', '2026-12-02T11:00'],
        ])
      ).text,
      /Not in the inventory: sw-nowhere\./,
    );
    t.match(
      (
        await multi([
          ['name', 'Nothing'],
          ['start', '2026-12-02T10:00'],
          ['end', '2026-12-02T11:00'],
        ])
      ).text,
      /Pick the devices the work affects/,
      'no devices and not "all" is a question, not a site-wide window',
    );
    t.equal(
      (
        await multi([
          ['name', 'Two'],
          ['targets', 'sw-a-3f-01'],
          ['targets', 'cam-a-3f-lobby'],
          ['start', '2026-12-02T10:00'],
          ['end', '2026-12-02T11:00'],
        ])
      ).status,
      303,
    );
    t.same(m.windows().find((x) => x.name === 'Two')?.targets, ['sw-a-3f-01', 'cam-a-3f-lobby']);
    t.equal(
      (
        await multi([
          ['name', 'Whole site'],
          ['all', '1'],
          ['start', '2026-12-02T10:00'],
          ['end', '2026-12-02T11:00'],
        ])
      ).status,
      303,
    );
    t.same(m.windows().find((x) => x.name === 'Whole site')?.targets, [], 'all devices: no target list');
    t.equal((await b.post('/console/maintenance/delete', { _csrf: Browserless.csrf(page.text), id: String(w.id) })).status, 303);
    t.notOk(
      m.windows().some((x) => x.name.startsWith('Shaft A-1')),
      'deleted',
    );
  });

  await t.test('photos must be JPEG or PNG', async (t) => {
    const list = await b.get('/console/inspections');
    const id = /\/console\/inspections\/(\d+)"/.exec(list.text)![1]!;
    const page = await b.get(`/console/inspections/${id}`);
    const fd = new FormData();
    fd.set('_csrf', Browserless.csrf(page.text));
    fd.set('seq', /data-seq="(\d+)"/.exec(page.text)![1]!);
    fd.set('result', 'pass');
    fd.set('note', '');
    fd.set('photo', new Blob(['<svg onload=alert(1)>'], { type: 'image/png' }), 'x.png');
    const res = await fetch(`${k.url}/console/inspections/${id}/item`, {
      method: 'POST',
      body: fd,
      redirect: 'manual',
      headers: { cookie: `wp_session=${b.cookies.get('wp_session')}` },
    });
    t.equal(res.status, 415, 'content is checked, not the declared type');
    t.equal((await b.get('/console/photos/..%2Fstate.db')).status, 404, 'no path traversal');
  });

  await t.test('login rate limiting per user name', async (t) => {
    const x = new Browserless(k.url);
    for (let i = 0; i < 3; i++) t.equal((await x.login('wang', 'wrong password!')).status, 401, `failure ${i + 1}`);
    const locked = await x.login('wang');
    t.equal(locked.status, 429, 'locked even with the right password');
    t.ok(Number(locked.text.length) > 0 && /\d+/.test(locked.text));
    t.equal((await new Browserless(k.url).login('li')).status, 303, 'other users are unaffected');
  });

  await t.test('chinese and english', async (t) => {
    t.match((await b.get('/console/problems?lang=zh-CN')).text, '问题清单');
    t.match((await b.get('/console/problems')).text, '问题清单', 'the choice sticks (cookie)');
    t.match((await b.get('/console/problems?lang=en')).text, '<h1>Problems</h1>');
  });

  await t.test('logout ends the session', async (t) => {
    const sid = b.cookies.get('wp_session')!;
    const page = await b.get('/console/');
    t.equal((await b.post('/console/logout', { _csrf: Browserless.csrf(page.text) })).status, 303);
    b.cookies.set('wp_session', sid);
    t.equal((await b.get('/console/')).location, '/console/login', 'the old session id no longer works');
  });

  const audit = k.c.ctx.audit.list(500).map((e) => `${e.actor} ${e.action}`);
  for (const a of [
    'li console.login',
    'li inspection.start',
    'li inspection.item',
    'li alert.ack',
    'wang console.login_failed',
    'wang console.login_blocked',
    'root user.add',
    'li console.logout',
  ])
    t.ok(audit.includes(a), `audit: ${a}`);
  t.ok(k.c.ctx.audit.verify().ok);
});

t.test('login limits are per user and address: another address is never locked out, blocked tries are counted not audited (issue 22 finding 8)', async (t) => {
  let clock = Date.now();
  const k = await consoleCollector({}, { now: () => clock });
  t.teardown(() => k.stop());
  const A = new Browserless(k.url, '127.0.0.2');
  const B = new Browserless(k.url, '127.0.0.3');
  const rows = (user: string) => k.c.ctx.audit.list(1000).filter((e) => e.actor === user && e.action.startsWith('console.login_'));
  for (let i = 0; i < 3; i++) t.equal((await A.login('wang', 'wrong password!')).status, 401, `A: failure ${i + 1}`);
  t.equal((await A.login('wang')).status, 429, 'A is blocked for wang, even with the right password');
  t.equal((await B.login('wang')).status, 303, 'B logs in as wang: wrong passwords from A do not lock wang out');
  t.equal((await A.login('li')).status, 303, 'and A may still log in as someone else');

  // 60 more tries from A while it is blocked: counted, not one audit row each.
  const before = rows('wang').length;
  // A fresh jar from A's address (A itself now holds li's session).
  const A2 = new Browserless(k.url, '127.0.0.2');
  const page = await A2.get('/console/login');
  const csrf = Browserless.csrf(page.text);
  const statuses = await Promise.all(
    Array.from({ length: 60 }, () => A2.post('/console/login', { _csrf: csrf, username: 'wang', password: 'wrong password!' }).then((r) => r.status)),
  );
  t.same(new Set(statuses), new Set([429]), 'all 60 refused');
  t.equal(rows('wang').length, before, 'and none of them wrote an audit row');
  t.same(
    rows('wang').map((e) => e.action),
    ['console.login_blocked', 'console.login_failed'],
    'so far: the first failure and the block (newest first)',
  );

  // The block ends: the right password from A logs in, and the run gets one summary row.
  clock += 31_000;
  t.equal((await A2.login('wang')).status, 303, 'the block was 30 s');
  const summary = rows('wang').find((e) => e.action === 'console.login_failures');
  t.ok(summary, 'a summary of the run');
  t.match(JSON.parse(String(summary?.details)), { addr: '127.0.0.2', failures: 3, refused: 61 });
  t.equal(rows('wang').length, 3, '63 tries, 3 rows: first failure, block, summary');

  // Backoff grows: each failure once the block has passed doubles it.
  const waits: number[] = [];
  const A3 = new Browserless(k.url, '127.0.0.2');
  for (let i = 0; i < 3; i++) await A3.login('root', 'wrong password!');
  for (let i = 0; i < 4; i++) {
    const r = await A3.login('root');
    waits.push(Number(r.headers.get('retry-after')));
    clock += waits.at(-1)! * 1000;
    await A3.login('root', 'wrong password!');
  }
  t.same(waits, [30, 60, 60, 60], 'retry-after doubles, capped at login_window_s (60 s here)');
  t.equal((await new Browserless(k.url, '127.0.0.3').login('root')).status, 303, 'root still logs in from B');
  t.ok(k.c.ctx.audit.verify().ok);
});

t.test('watchpost user: add, list, passwd, disable', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { tempDir, removeDir } = await import('../../peers/util.ts');
  const path = await import('node:path');
  const dir = tempDir('user-cli');
  t.teardown(() => removeDir(dir));
  const cli = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, 'user', ...args, '--data-dir', dir], { encoding: 'utf8', input });
  const add = run(['add', 'li', '--role', 'engineer']);
  t.equal(add.status, 0, add.stderr);
  t.match(add.stdout.trim(), /^[A-Za-z0-9_-]{16}$/, 'a generated password, printed once');
  t.equal(run(['add', 'ops', '--role', 'admin', '--password-stdin'], 'a long enough pass\n').status, 0);
  t.equal(run(['add', 'x', '--role', 'root']).status, 2, 'unknown role');
  t.equal(run(['add', 'li']).status, 1, 'duplicate');
  t.equal(run(['add', 'short', '--password-stdin'], 'short\n').status, 1, 'short password');
  t.match(run(['list']).stdout, /li\tengineer[\s\S]*ops\tadmin/);
  t.equal(run(['passwd', 'li', '--password-stdin'], 'another long password\n').status, 0);
  t.equal(run(['disable', 'li']).status, 0);
  t.match(run(['list']).stdout, /li\tengineer\t\S+\tdisabled/);
  const { openStateDb } = await import('../../../collector/store/db.ts');
  const { AuditLog } = await import('../../../collector/store/audit.ts');
  const db = openStateDb(dir);
  const actions = new AuditLog(db).list(20).map((e) => e.action);
  db.close();
  t.same(actions.filter((a) => a.startsWith('user.')).sort(), ['user.add', 'user.add', 'user.disable', 'user.passwd']);
});
