import path from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { hashToken, newToken } from '../../../collector/store/agents.ts';
import { SimAgent } from '../../peers/agent-sim.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';
import { Browserless, consoleCollector } from './helpers.ts';

t.setTimeout(180_000);

// The newcomer saw an empty agents table while the demo's agent (one from the
// collector config, not enrolled) was connected.
t.test('the agents page lists config and enrolled agents with version, probes and last batch (Chromium, 1280 and 390 px)', async (t) => {
  const token = newToken();
  const k = await consoleCollector({ agents: [{ name: 'poller-a-b1', token_sha256: hashToken(token), building: 'A', floor: '1', room: 'IT room' }] });
  const enrolled = k.c.ctx.agents.enroll('pc-0301', 'test', { building: 'A', floor: '3' });
  const dir = tempDir('agents-page');
  const agent = new SimAgent({ url: k.url.replace(/^http/, 'ws') + '/v1/agent', token, dir, run: 'agents-page', flushMs: 20 });
  const profile = tempDir('chromium');
  const shots = tempDir('agents-shots');
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  t.teardown(async () => {
    await browser.close();
    await agent.close();
    await k.stop();
    for (const d of [dir, profile]) removeDir(d);
    if (!process.env.WP_KEEP_SHOTS) removeDir(shots);
  });
  agent.push(7);
  const overview = () => k.c.ctx.agents.overview(new Set(k.c.ctx.server.connectedAgents()));
  await waitFor('batch from the config agent', async () => (overview().find((a) => a.name === 'poller-a-b1')?.samples ?? 0) >= 7, 15_000);

  const rows = overview();
  t.same(
    rows.map((a) => [a.name, a.source, a.connected]),
    [
      ['pc-0301', 'enrolled', false],
      ['poller-a-b1', 'config', true],
    ],
  );
  const cfgAgent = rows.find((a) => a.name === 'poller-a-b1')!;
  t.same(cfgAgent.probes, ['sim'], 'the probes its hello announced');
  t.equal(cfgAgent.version, 'test');
  t.equal(cfgAgent.samples, 7);
  t.ok(cfgAgent.last_batch_ms && Date.now() - cfgAgent.last_batch_ms < 15_000);
  t.ok(enrolled.id);

  const b = new Browserless(k.url);
  await b.login('wang');
  const page = await b.get('/console/agents');
  t.equal(page.status, 200);
  t.match(page.text, /data-agent="poller-a-b1"[\s\S]*?在线[\s\S]*?test[\s\S]*?sim/, 'connected, its version and probes (zh)');
  t.match(page.text, /data-agent="pc-0301"[\s\S]*?离线[\s\S]*?从未/, 'an enrolled agent never seen is disconnected, last seen never');
  t.match((await b.get('/console/agents?lang=en')).text, /7 samples since it connected/);
  t.equal((await new Browserless(k.url).get('/console/agents')).status, 303, 'no session: to the login page');

  const pg = browser.pages()[0] ?? (await browser.newPage());
  await pg.goto(`${k.url}/console/login`);
  await pg.getByLabel('用户名').fill('li');
  await pg.getByLabel('密码').fill('correct horse battery');
  await pg.getByRole('button', { name: '登录' }).click();
  await pg.waitForURL(`${k.url}/console/`);
  for (const width of [1280, 390]) {
    await pg.setViewportSize({ width, height: 800 });
    await pg.goto(`${k.url}/console/agents`);
    await pg.locator('tr[data-agent="poller-a-b1"]').waitFor();
    const wide = (await pg.evaluate('document.documentElement.scrollWidth')) as number;
    t.ok(wide <= width, `${width} px: the page is ${wide} px wide (the table scrolls in its box)`);
    await pg.screenshot({ path: path.join(shots, `agents-${width}.png`), fullPage: true });
  }

  // The maintenance form on the phone: devices picked from the inventory, a mistake comes back
  // with what was typed and the field marked.
  await pg.goto(`${k.url}/console/maintenance`);
  await pg.getByLabel('名称').fill('3F 交换机更换');
  await pg.locator('select[name="targets"]').selectOption(['sw-a-3f-01', 'cam-a-3f-lobby']);
  await pg.locator('input[name="start"]').fill('2026-12-05T16:00');
  await pg.locator('input[name="end"]').fill('2026-12-05T15:00');
  await pg.getByRole('button', { name: '创建' }).click();
  await pg.locator('#err-end').waitFor();
  t.equal(await pg.locator('#err-end').textContent(), '结束时间必须晚于开始时间。');
  t.equal(await pg.getByLabel('名称').inputValue(), '3F 交换机更换', 'the name typed is kept');
  t.same(await pg.locator('select[name="targets"] option:checked').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)), [
    'sw-a-3f-01',
    'cam-a-3f-lobby',
  ]);
  t.ok(((await pg.evaluate('document.documentElement.scrollWidth')) as number) <= 390, 'the form fits the phone');
  await pg.screenshot({ path: path.join(shots, 'maintenance-error-390.png'), fullPage: true });
  await pg.locator('input[name="end"]').fill('2026-12-05T18:00');
  await pg.getByRole('button', { name: '创建' }).click();
  await pg.waitForURL(/msg=saved/);
  t.match((await pg.locator('#windows').textContent()) ?? '', /3F 交换机更换.*sw-a-3f-01.*2026-12-05 16:00.*2026-12-05 18:00/s, 'listed in local time');
  await pg.screenshot({ path: path.join(shots, 'maintenance-390.png'), fullPage: true });

  // The inspection checklist on the phone: one form, nothing pre-selected, the camera for photos.
  await pg.goto(`${k.url}/console/inspections`);
  await pg.getByRole('button', { name: '开始巡检' }).click();
  await pg.waitForURL(/\/console\/inspections\/\d+$/);
  t.equal(await pg.locator('form#checklist').count(), 1, 'one form for the checklist');
  t.same(
    await pg.locator('select[name^="result-"]').evaluateAll((ss) => ss.map((x) => (x as unknown as { value: string }).value)),
    ['', ''],
    'every manual item starts as not checked',
  );
  t.ok(((await pg.evaluate('document.documentElement.scrollWidth')) as number) <= 390, 'the checklist fits the phone');
  await pg.screenshot({ path: path.join(shots, 'inspection-390.png'), fullPage: true });
});
