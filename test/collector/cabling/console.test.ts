import path from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { createPortmapProbe, PORTMAP_DOCUMENT } from '../../../agent/probes/portmap/probe.ts';
import { portmapSchema } from '../../../agent/probes/portmap/schema.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startSnmpsim } from '../../peers/snmpsim.ts';
import { FIXTURES, removeDir, tempDir } from '../../peers/util.ts';
import { Browserless, consoleCollector, PASSWORD, XSS } from '../console/helpers.ts';

// The cabling pages of the console: a real port map (the Huawei recording under snmpsimd)
// in the register; search and edit as engineer and viewer, over HTTP and in headless Chromium
// at desktop and phone width (screenshots kept with WP_KEEP_E2E=1).
if (!FIXTURES) {
  t.plan(0, 'skip: ../shared/fixtures (SNMP recordings) not present');
} else {
  t.test('cabling console: search by IP/MAC/name, switch page, records edited with role and CSRF', async (t) => {
    const sim = await startSnmpsim([{ name: 'sw3f', file: path.join(FIXTURES!, 'snmprec', 'fdb_huawei_s5720-36c.snmprec') }], { quiet: true });
    const k = await consoleCollector({ inventory: { devices: [{ name: 'pc-0305', kind: 'pc', address: '10.120.30.77', room: XSS }] } });
    const profile = tempDir('chromium');
    const out = tempDir('cabling-shots');
    t.teardown(async () => {
      await k.stop();
      await sim.stop();
      removeDir(profile);
      if (!process.env.WP_KEEP_E2E) removeDir(out);
      else console.error(`screenshots in ${out}`);
    });
    const docs: unknown[] = [];
    const probe = createPortmapProbe(
      portmapSchema.parse({ kind: 'portmap', devices: [{ host: '127.0.0.1', port: sim.port, community: 'sw3f', name: 'sw-3f-01' }] }),
      {
        log: silentLogger,
        now: Date.now,
        emitDocument: (kind, body) => {
          if (kind === PORTMAP_DOCUMENT) docs.push(body);
          return { hash: '', queued: true };
        },
      },
    );
    await probe.collect(AbortSignal.timeout(20_000));
    const cabling = k.c.modules.cabling!;
    t.equal(cabling.ingestDocument('agent-3f', docs[0], Date.now()).attached, 3);

    // A second sighting on another port: the search shows where it came from.
    const moved = JSON.parse(JSON.stringify(docs[0])) as { time: number; entries: { mac: string; ifIndex: number; ifName: string }[] };
    moved.time += 60_000;
    const pc = moved.entries.find((e) => e.mac === 'c4:2f:90:20:5f:8c')!;
    Object.assign(pc, { ifIndex: 12, ifName: 'GigabitEthernet0/0/7' });
    t.equal(cabling.ingestDocument('agent-3f', moved, Date.now()).moved, 1);

    const viewer = new Browserless(k.url);
    await viewer.login('wang');
    const found = await viewer.get('/console/cabling?q=10.120.30.77');
    t.equal(found.status, 200);
    t.match(found.text, /sw-3f-01/);
    // biome-ignore lint/correctness/noEmptyCharacterClassInRegex: [^] is "any character, newlines included"
    t.match(found.text, /GigabitEthernet0\/0\/7[^]*移自 sw-3f-01 GigabitEthernet0\/0\/6/, 'where it came from');
    t.match(found.text, /c4:2f:90:20:5f:8c/);
    t.notMatch(found.text, /<form method="post" action="\/console\/cabling\/record"/, 'a viewer gets no edit form');
    const csrfV = Browserless.csrf(found.text);
    const denied = await viewer.post('/console/cabling/record', { _csrf: csrfV, switch: 'sw-3f-01', port: 'GigabitEthernet0/0/6', room: 'x' });
    t.equal(denied.status, 403, 'viewers cannot edit records');

    const eng = new Browserless(k.url);
    await eng.login('li');
    const noCsrf = await eng.post('/console/cabling/record', { switch: 'sw-3f-01', port: 'GigabitEthernet0/0/6', room: 'x' });
    t.equal(noCsrf.status, 403, 'no CSRF token, no edit');
    const sw = await eng.get('/console/cabling/switch?name=sw-3f-01');
    const saved = await eng.post('/console/cabling/record', {
      _csrf: Browserless.csrf(sw.text),
      switch: 'sw-3f-01',
      port: 'GigabitEthernet0/0/7',
      room: XSS,
      wall_socket: '3F-305-02',
      patch_panel: 'A1-07',
    });
    t.equal(saved.status, 303);
    const audit = k.c.ctx.audit.list(50).filter((e) => e.action === 'cabling.record_set');
    t.equal(audit.length, 1);
    t.equal(audit[0]!.actor, 'li');
    const csv = await eng.get('/console/cabling/export?lang=zh');
    t.match(csv.text, /交换机,端口,配线架位置/);
    t.match(csv.text, /sw-3f-01,GigabitEthernet0\/0\/7,A1-07,,3F-305-02,/);

    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.teardown(() => ctx.close());
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    await page.goto(`${k.url}/console/login`);
    await page.getByLabel('用户名').fill('li');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${k.url}/console/`);
    await page.getByRole('link', { name: '综合布线' }).click();
    await page.getByPlaceholder('IP、MAC、主机名、房间或信息点').fill('pc-0305');
    await page.getByRole('button', { name: '查找' }).click();
    const row = page.locator('table tr', { hasText: 'c4:2f:90:20:5f:8c' });
    t.match(await row.innerText(), /pc-0305[\s\S]*sw-3f-01[\s\S]*GigabitEthernet0\/0\/7[\s\S]*移自 sw-3f-01 GigabitEthernet0\/0\/6[\s\S]*30/);
    t.not(await page.title(), 'pwned', 'markup in a record is text');
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      t.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= width, `search page fits ${width} px`);
      await page.screenshot({ path: path.join(out, `cabling-search-${width}.png`), fullPage: true });
    }
    await row.getByRole('link', { name: 'sw-3f-01' }).click();
    await page.waitForURL(/\/console\/cabling\/switch/);
    const g8 = page.locator('tr', { hasText: 'GigabitEthernet0/0/8' }).last();
    await g8.locator('summary', { hasText: '编辑' }).click();
    await g8.getByLabel('墙面信息点').fill('3F-307-01');
    await g8.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/msg=saved/);
    t.equal(cabling.register.record('sw-3f-01', 'GigabitEthernet0/0/8')?.wall_socket, '3F-307-01', 'saved from the browser');
    t.match(await page.locator('tr', { hasText: 'XGigabitEthernet0/0/1' }).first().innerText(), /上联: MAC 过多/);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      t.ok(((await page.evaluate('document.documentElement.scrollWidth')) as number) <= width, `switch page fits ${width} px`);
      await page.screenshot({ path: path.join(out, `cabling-switch-${width}.png`), fullPage: true });
    }
  });
}
