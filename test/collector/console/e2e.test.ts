import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { localParts } from '../../../lib/zoned-time.ts';
import { removeDir, tempDir } from '../../peers/util.ts';
import { consoleCollector, PASSWORD, XSS } from './helpers.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

t.test('console end to end in headless Chromium: log in, acknowledge, inspect and sign, download the report', async (t) => {
  const k = await consoleCollector();
  const profile = tempDir('chromium');
  const out = tempDir('e2e-out');
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
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
  t.teardown(async () => {
    await ctx.close();
    await k.stop();
    removeDir(profile);
    if (!process.env.WP_KEEP_E2E) removeDir(out);
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.setDefaultTimeout(15_000);

  await page.goto(`${k.url}/console/`);
  t.match(page.url(), /\/console\/login$/, 'redirected to the login page');
  await page.getByLabel('用户名').fill('li');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${k.url}/console/`);
  t.equal(await page.locator('h1').textContent(), '设备', 'Chinese by default');
  await page.getByRole('link', { name: 'English' }).click();
  t.equal(await page.locator('h1').textContent(), 'Devices', 'switched to English');
  t.not(await page.title(), 'pwned', 'markup in the inventory did not run');
  t.ok((await page.content()).includes('sw-a-3f-01'));
  t.match(await page.locator('body').innerText(), XSS.slice(0, 20), 'it is shown as text');

  // Acknowledge the alert the overdue-soon inspection raised.
  await page.getByRole('link', { name: 'Alerts' }).click();
  const row = page.locator('tr[data-alert]').first();
  t.match(await row.innerText(), 'inspection_due');
  await row.getByRole('button', { name: 'Acknowledge' }).click();
  await page.waitForURL(/msg=saved/);
  t.match(await page.locator('tr[data-alert]').first().innerText(), 'acknowledged by li');

  // Start the inspection, fill the manual checklist (one finding with a photo), sign it off.
  await page.getByRole('link', { name: 'Inspections' }).click();
  await page.getByRole('button', { name: 'Start inspection' }).click();
  await page.waitForURL(/\/console\/inspections\/\d+$/);
  t.equal(await page.getByLabel('Result Cabling tidy').inputValue(), '', 'an item nobody recorded starts as "not checked"');
  t.equal(await page.locator('select[aria-label="Result Cabling tidy"] option:checked').textContent(), 'not checked');
  t.equal(await page.getByLabel('Photo Door locked').getAttribute('capture'), 'environment', 'the photo input opens the phone camera');
  // One submit for the whole checklist: sign with an item left out comes back with what was typed.
  await page.getByLabel('Result Door locked').selectOption('fail');
  await page.getByLabel('Note Door locked').fill(`lock broken ${XSS}`);
  await page.getByLabel('Photo Door locked').setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: PNG });
  await page.getByLabel('Note Cabling tidy').fill('labels renewed');
  await page.getByLabel('Summary for the sign-off').fill('Monthly check done');
  await page.getByRole('button', { name: 'Save and sign off' }).click();
  await page.locator('p.err[role=alert]').waitFor();
  t.equal(await page.locator('p.err[role=alert]').textContent(), 'Record these items before signing: Cabling tidy.');
  t.equal(await page.getByLabel('Note Cabling tidy').inputValue(), 'labels renewed', 'the note typed is kept');
  t.equal(await page.getByLabel('Summary for the sign-off').inputValue(), 'Monthly check done', 'and the summary');
  t.equal(await page.locator('tr.missing').count(), 1, 'the missing item is marked');
  t.equal(await page.getByLabel('Result Door locked').inputValue(), 'fail', 'the recorded item keeps its result');
  await page.getByLabel('Result Cabling tidy').selectOption('pass');
  await page.getByRole('button', { name: 'Save and sign off' }).click();
  await page.waitForURL(/msg=saved/);
  t.equal(await page.evaluate('document.querySelectorAll("script").length'), 0, 'no script element from the note');
  t.not(await page.title(), 'pwned');
  const img = page.locator('tr[data-seq] img');
  t.equal(await img.count(), 1, 'the photo is shown');
  t.equal(await img.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth), 1, 'and it loads');
  t.match(await page.locator('main').innerText(), /Signed off by li at/);
  t.equal(await page.getByRole('button', { name: 'Sign off' }).count(), 0, 'signed inspections have no form');
  await page.screenshot({ path: path.join(out, 'inspection.png'), fullPage: true });

  await page.getByRole('link', { name: 'Problems' }).click();
  t.match(await page.locator('table').innerText(), /Door locked: lock broken/, 'the finding is on the problem list');

  // Download this month's report and read it.
  await page.getByRole('link', { name: 'Reports' }).click();
  const lp = localParts(Date.now(), 'Asia/Shanghai');
  const month = `${lp.y}-${String(lp.m).padStart(2, '0')}`;
  await page.locator('input[name=month]').fill(month);
  await page.locator('select[name=lang]').selectOption('en');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
  const pdf = path.join(out, 'report.pdf');
  await download.saveAs(pdf);
  const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).stdout.replace(/[ \t]+/g, ' ');
  t.match(text, 'Monthly Operations and Inspection Report');
  t.match(text, 'Test Centre 测试中心');
  t.match(text, /Signed off by li at/, 'the signed inspection is in the report');
  t.match(text, /Door locked: lock broken/, 'with its problem');
  t.same(dialogs, [], 'no script ever opened a dialog');
  const audit = k.c.ctx.audit.list(200).map((e) => e.action);
  for (const a of ['console.login', 'alert.ack', 'inspection.start', 'inspection.item', 'inspection.sign']) t.ok(audit.includes(a), `audit: ${a}`);
});
