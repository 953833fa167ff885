import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { freePort, removeDir, tempDir, waitFor } from '../peers/util.ts';

t.setTimeout(420_000);
const ROOT = path.resolve(import.meta.dirname, '../..');

// The README's two commands, as a newcomer runs them: `npm start` in a fresh copy of the
// repository (tracked files only: no data dir, no ../shared/fixtures next to it), then the
// console in a browser with the printed password, the building's devices, and the parking
// camera's outage firing an alert and resolving.
t.test('npm start from a clean copy: the printed lines, the console, the devices, an alert that fires and resolves', async (t) => {
  const copy = tempDir('clean-copy');
  const profile = tempDir('chromium');
  const shots = tempDir('demo-shots');
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  t.ok(files.length > 100, `${files.length} tracked files`);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    copyFileSync(path.join(ROOT, f), path.join(copy, f));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const port = await freePort();
  // Its own process group, so the test stops npm, the demo and the influxd it started — and nothing else.
  const child = spawn('npm', ['start', '--silent', '--', '--outage-after-s', '25', '--outage-for-s', '60'], {
    cwd: copy,
    detached: true,
    env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`, WATCHPOST_PORT: String(port), WATCHPOST_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  t.teardown(async () => {
    await browser.close();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    for (const d of [copy, profile]) removeDir(d);
    if (!process.env.WP_KEEP_SHOTS) removeDir(shots);
  });

  await waitFor(
    'the two printed lines',
    async () => /api token: {3}\S+/.test(out),
    90_000,
    () => out,
  );
  const consoleLine = /^ {2}console: {5}http:\/\/127\.0\.0\.1:(\d+)\/console\/ {2}\(user admin, password (\S+)\)$/m.exec(out);
  const tokenLine = /^ {2}api token: {3}(\S+)$/m.exec(out);
  t.ok(consoleLine, 'the console line, exactly as documented');
  t.ok(tokenLine, 'the api token line');
  t.equal(Number(consoleLine![1]), port, 'WATCHPOST_PORT moves the port');
  t.match(out, /try: {9}npx watchpost check host --json/, 'the hint uses npx');
  t.match(out, /synthesized: \.\.\/shared\/fixtures is absent/, 'a clean copy has no shared recordings: the devices are synthesized');
  const password = consoleLine![2]!;
  const token = tokenLine![1]!;
  const base = `http://127.0.0.1:${port}`;
  const root = await fetch(`${base}/`, { redirect: 'manual' });
  t.equal(root.status, 303);
  t.equal(root.headers.get('location'), '/console/', 'GET / goes to the console');
  const api = async (p: string) =>
    (await (await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      alerts: { rule: string; target: string; state: string }[];
    };
  t.ok(Array.isArray((await api('/api/alerts')).alerts), 'the printed API token works');

  // The device-state model (collector/devices) says every simulated device is up once polled.
  type Dev = { name: string; kind: string; status: string; floor: string | null; room: string | null };
  const devices = async () => (await (await fetch(`${base}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).json()) as Dev[];
  const expectUp = [
    'sw-core-1f',
    'sw-a-2f',
    'sw-a-3f',
    'cam-a-1f-lobby',
    'cam-a-2f-corridor',
    'cam-a-3f-corridor',
    'cam-a-b1-parking',
    'printer-3f',
    'pc-0201',
    'pc-0202',
    'pc-0301',
    'portal',
  ];
  let devs: Dev[] = [];
  await waitFor(
    'every simulated device up',
    async () => {
      devs = await devices();
      return expectUp.every((n) => devs.find((d) => d.name === n)?.status === 'up');
    },
    60_000,
    () => JSON.stringify(devs.map((d) => [d.name, d.status])),
  );
  t.same(
    devs.filter((d) => d.kind === 'switch').map((d) => d.status),
    ['up', 'up', 'up'],
    'the switches are up',
  );
  t.equal(devs.find((d) => d.name === 'printer-3f')!.room, '3F 打印区', 'the printer, where the inventory says it is');
  t.equal(devs.find((d) => d.name === 'sw-a-3f')!.floor, '3', "a shaft switch on its own floor, not the poller's floor 1");
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(20_000);
  await page.goto(`${base}/`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${base}/console/`);
  const body = await page.locator('main').innerText();
  for (const d of [
    'sw-core-1f',
    'sw-a-2f',
    'sw-a-3f',
    'cam-a-1f-lobby',
    'cam-a-2f-corridor',
    'cam-a-3f-corridor',
    'cam-a-b1-parking',
    'printer-3f',
    'pc-0201',
    'portal',
  ])
    t.match(body, d, `the overview lists ${d}`);
  await page.screenshot({ path: path.join(shots, 'overview.png'), fullPage: true });
  // The portal through the real http probe: up, its certificate (90 days from the demo's CA) and domain (45 days).
  await page.goto(`${base}/console/websites`);
  const site = page.locator('tr[data-site="portal"]');
  t.match(
    await site.innerText(),
    /正常[\s\S]*portal[\s\S]*https:\/\/127\.0\.0\.1:\d+\/ · \d+ ms[\s\S]*剩余 (89|90) 天[\s\S]*剩余 (44|45) 天/,
    'the portal: up, response time, certificate and domain days left',
  );
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: path.join(shots, 'websites-390.png'), fullPage: true });
  t.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 390, 'the websites page fits a phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/console/agents`);
  t.match(
    await page.locator('tr[data-agent="poller-a-1f"]').innerText(),
    /在线[\s\S]*host[\s\S]*snmp[\s\S]*onvif/,
    'the local agent is connected with its probes',
  );

  await waitFor(
    'the parking camera alert firing',
    async () => (await api('/api/alerts')).alerts.some((a) => a.rule === 'camera_down' && a.target === 'cam-a-b1-parking' && a.state === 'firing'),
    150_000,
    () => out,
  );
  await page.goto(`${base}/console/alerts`);
  t.match(await page.locator('main').innerText(), /cam-a-b1-parking/, 'the console shows the camera alert');
  await page.screenshot({ path: path.join(shots, 'alert.png'), fullPage: true });
  await waitFor(
    'the camera alert resolving',
    async () => (await api('/api/alerts')).alerts.some((a) => a.rule === 'camera_down' && a.target === 'cam-a-b1-parking' && a.state === 'resolved'),
    150_000,
    () => out,
  );
  await page.goto(`${base}/console/notifications`);
  const inbox = await page.locator('main').innerText();
  t.match(inbox, /告警[\s\S]*cam-a-b1-parking/, 'the firing notification reached the console inbox');
  t.match(inbox, /已恢复[\s\S]*cam-a-b1-parking/, 'and the resolved one');
  await page.screenshot({ path: path.join(shots, 'notifications.png'), fullPage: true });
  t.match(out, /cam-a-b1-parking went offline/);
  t.match(out, /cam-a-b1-parking is back online/);
});
