import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { canonical, documentHash, type SoftwareDocument } from '../../../agent/probes/software/inventory.ts';
import { parseWindowsReport, windowsFromReport } from '../../../agent/probes/software/windows.ts';
import { collectSoftware } from '../../../agent/probes/software/probe.ts';
import { softwareSchema } from '../../../agent/probes/software/schema.ts';
import { systemPlatform } from '../../../agent/probes/platform/platform.ts';
import type { Ingest } from '../../../collector/ingest/ingest.ts';
import { softwareBodySchema } from '../../../collector/software/body.ts';
import { removeDir, tempDir } from '../../peers/util.ts';
import { consoleCollector, PASSWORD } from '../console/helpers.ts';

const FIX = path.join(import.meta.dirname, '../../agent/probes/software/fixtures');

function windowsDoc(): SoftwareDocument {
  const w = windowsFromReport(parseWindowsReport(readFileSync(path.join(FIX, 'windows-10-zh.json'), 'utf8'))!, {
    includeSystemComponents: false,
    includeUpdates: false,
  });
  return { os: w.os, software: canonical(w.items), licenses: w.licenses, office: w.office, errors: w.errors };
}

t.test('software console pages in headless Chromium at 1280 and 390 px', async (t) => {
  const k = await consoleCollector({
    software: {
      policy: {
        rules: [
          { name: 'Office seats', match: { name: 'Microsoft Office*' }, action: 'requires_license', licenses: 0 },
          { name: 'no P2P clients', match: { name: '/迅雷|Thunder|BitTorrent/i' }, action: 'forbidden' },
          { name: 'Debian base', match: { publisher: '/Debian|Ubuntu/i' }, action: 'approved' },
        ],
      },
    },
  });
  const out = process.env.WP_SHOTS ?? tempDir('sw-shots');
  const profile = tempDir('chromium');
  const ingest = k.c.ctx.ingest as Ingest;
  const send = (agent: string, body: SoftwareDocument, time: number) =>
    ingest.acceptDocument(
      { kind: 'agent', name: agent, tags: {} },
      { kind: 'software', hash: documentHash(body), time, body: body as unknown as Record<string, unknown> },
    );
  const now = Date.now();
  const win = windowsDoc();
  t.equal(send('pc-zhang-3f', win, now - 3 * 86_400_000), 'stored');
  // A week later 迅雷 is gone and WeChat upgraded.
  const win2 = {
    ...win,
    software: canonical(
      win.software.filter((s) => s.name !== '迅雷').map((s) => (s.name === '微信' && s.version === '3.9.11.25' ? { ...s, version: '3.9.12.17' } : s)),
    ),
  };
  t.equal(send('pc-zhang-3f', win2, now - 60_000), 'stored');
  t.equal(send('pc-li-2f', { ...win, os: { ...win.os, activation: 'unlicensed' } }, now - 3_600_000), 'stored');
  // A machine whose list stopped arriving five days ago.
  const sw = k.c.modules.software!;
  const old = softwareBodySchema.parse({ ...win, software: win.software.slice(0, 2) });
  sw.store.apply('pc-old-1f', documentHash(old), now - 5 * 86_400_000, old, now - 5 * 86_400_000);
  const deb = await collectSoftware(softwareSchema.parse({ kind: 'software', uos_apps_dir: tempDir('none') }), { platform: systemPlatform(), host: 'srv' });
  t.equal(send('srv-debian', deb, now - 120_000), 'stored');

  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(async () => {
    await ctx.close();
    await k.stop();
    removeDir(profile);
    if (!process.env.WP_SHOTS) removeDir(out);
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15_000);
  await page.goto(`${k.url}/console/login`);
  await page.getByLabel('用户名').fill('wang');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${k.url}/console/`);
  await page.getByRole('link', { name: '软件' }).click();
  t.equal(await page.locator('h1').textContent(), '软件');
  const text = await page.locator('main').innerText();
  t.match(text, /pc-li-2f\s+Microsoft Windows 10 专业版 10\.0\.19045\.4651\s+Professional\s+未激活/, 'OS, edition and activation per machine');
  t.match(text, /Office seats\s+2\s+0 超出持有的许可数/, 'licence count over the licences held');
  t.match(text, /srv-debian\s+Debian GNU\/Linux/);
  t.match(text, /已安装的禁用软件 \(1\)\s+计算机\s+名称\s+版本号\s+规则\s+pc-li-2f\s+迅雷\s+11\.4\.8\.2122\s+no P2P clients/, "the fleet's forbidden findings");
  t.match(text, /pc-old-1f\s.*已过期/, 'a list older than two days is marked out of date');
  t.notMatch(text, /pc-li-2f\s.*已过期/);
  // Which machines have WeChat (two users on each Windows machine).
  await page.getByLabel('查找安装了某软件的计算机').fill('微信');
  await page.getByRole('button', { name: '查找' }).click();
  const hits = await page.locator('main table').first().innerText();
  t.match(hits, /pc-li-2f/);
  t.match(hits, /pc-zhang-3f/);
  t.notMatch(hits, /srv-debian/);
  for (const w of [1280, 390]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: path.join(out, `software-${w}.png`), fullPage: true });
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    t.ok(overflow <= 0, `no sideways scrolling of the page at ${w} px (${overflow})`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('link', { name: 'pc-zhang-3f' }).first().click();
  const mtext = await page.locator('main').innerText();
  t.match(mtext, /O365ProPlusRetail 16\.0\.17928\.20114 \(c2r\) — 宽限期/, 'Office activation');
  t.match(mtext, /卸载\s+迅雷\s+11\.4\.8\.2122/, 'the removal in the history');
  t.match(mtext, /升级\s+微信\s+3\.9\.11\.25 → 3\.9\.12\.17/);
  for (const w of [1280, 390]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: path.join(out, `software-machine-${w}.png`), fullPage: true });
  }
  await page.goto(`${k.url}/console/software/changes?lang=en`);
  t.match(await page.locator('h1').textContent(), /^Changes in \d{4}-\d{2}$/);
  const ctext = await page.locator('main').innerText();
  t.match(ctext, /pc-zhang-3f\s+removed\s+迅雷/);
  t.notMatch(ctext, /srv-debian/, 'a baseline is not a change');
  for (const w of [1280, 390]) {
    await page.setViewportSize({ width: w, height: 900 });
    await page.screenshot({ path: path.join(out, `software-changes-${w}.png`), fullPage: true });
  }
  await page.goto(`${k.url}/console/software/machine?agent=nobody`);
  t.match(await page.locator('main').innerText(), /No software list from this machine/);
});
