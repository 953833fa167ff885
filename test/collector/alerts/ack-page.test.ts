import { chromium } from 'playwright-core';
import t from 'tap';
import { signAck } from '../../../collector/alerts/ack.ts';
import { hashToken } from '../../../collector/store/agents.ts';
import { encodeLine } from '../../../protocol/line-protocol.ts';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';
import { consoleCollector, PASSWORD } from '../console/helpers.ts';

// Issue 22 findings 1 and 2: the signed acknowledgement pages. Anything that can name a target
// (a /write token here; an agent or an SNMP trap's ifName the same way) must not get a script
// to run in an admin's browser, and a tampered link must not be reflected.

const SECRET = 'ack-page-secret-0123456789abcdef0123456789';
const WRITE = 'write-token-ack-page-0123456789';
// Reads the users page for its CSRF field and adds an admin: what the red team's payload did.
const STEAL = `fetch('/console/users').then(function(r){return r.text()}).then(function(t){var c=/name="_csrf" value="([^"]+)"/.exec(t)[1];return fetch('/console/users',{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded'},body:'_csrf='+encodeURIComponent(c)+'&username=mallory&password=mallory-password-1&role=admin'})}).then(function(){document.title='pwned'})`;
const PAYLOAD = `x<script>${STEAL}</script><img src=x onerror="${STEAL.replace(/"/g, '&quot;')}">`;

async function collector() {
  return consoleCollector({
    http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(WRITE) }] },
    alerts: {
      eval_interval_ms: 50,
      group_wait_s: 0,
      ack: { secret: SECRET },
      rules: [
        { name: 'inspection_due', type: 'inspection', due_within_days: 40, severity: 'warning' },
        { name: 'ping_loss', type: 'threshold', measurement: 'ping', external: true, field: 'percent_packet_loss', op: '>=', fire: 100, target_tag: 'url', severity: 'critical', summary: 'ping {target} lost everything' },
      ],
    },
  });
}

t.test('a target carrying a script does not run on the ack pages in headless Chromium (no admin created, CSP sent)', async (t) => {
  const k = await collector();
  const profile = tempDir('chromium-ack');
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(async () => {
    await browser.close();
    await k.stop();
    removeDir(profile);
  });
  const line = encodeLine({ measurement: 'ping', tags: { url: PAYLOAD }, fields: { percent_packet_loss: 100 }, time: Date.now() })!;
  const w = await fetch(`${k.url}/write?precision=ms`, { method: 'POST', headers: { authorization: `Token ${WRITE}` }, body: line });
  t.equal(w.status, 204, 'any /write token can name a target');
  const alerts = k.c.modules.alerts!;
  await waitFor('ping alert', async () => alerts.engine.openAlerts().some((a) => a.rule === 'ping_loss'), 10_000);
  const alert = alerts.engine.openAlerts().find((a) => a.rule === 'ping_loss')!;
  t.equal(alert.target, PAYLOAD, 'the alert carries the markup as its target');
  const link = `${k.url}/api/alerts/ack?t=${signAck(SECRET, { alert: alert.id, by: 'duty', exp: Date.now() + 3600_000 })}`;

  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15_000);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // The payload's last step sets the title: give it a bounded time to show up (on the old code
  // it does within a few hundred ms); networkidle never comes while its requests loop.
  const settle = () => page.waitForFunction('document.title === "pwned"', null, { timeout: 2000 }).catch(() => undefined);
  // The admin is logged in to the console, then opens the emailed link.
  await page.goto(`${k.url}/console/login`);
  await page.getByLabel('用户名').fill('root');
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${k.url}/console/`);

  const shown = await page.goto(link);
  t.equal(shown?.status(), 200);
  const headers = shown!.headers();
  t.match(headers['content-security-policy'], /default-src 'none'/, 'the console CSP is sent');
  t.notMatch(headers['content-security-policy'], /script-src/, 'and it allows no script');
  t.equal(headers['x-frame-options'], 'DENY');
  t.equal(headers['x-content-type-options'], 'nosniff');
  await settle();
  t.notOk(k.users.list().some((u) => u.username === 'mallory'), 'opening the link created no user');
  t.match(await page.locator('body').innerText(), '<script>', 'the target is shown as text');
  t.equal(await page.evaluate('document.querySelectorAll("script, img").length'), 0, 'no script or img element from the target');

  await page.getByRole('button', { name: '确认 / Acknowledge' }).click();
  await settle();
  t.match(await page.locator('h2').innerText(), 'Acknowledged alert', 'the POST result page');
  t.equal(alerts.engine.get(alert.id)?.state, 'acknowledged');
  t.match(await page.locator('body').innerText(), '<script>', 'the target is shown as text there too');
  t.equal(await page.evaluate('document.querySelectorAll("script, img").length'), 0, 'nothing from the target on the result page either');
  const posted = await fetch(`${k.url}/api/alerts/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: new URL(link).searchParams.get('t')! }).toString() });
  t.equal(posted.status, 409, 'a second POST: already acknowledged');
  t.match(posted.headers.get('content-security-policy'), /default-src 'none'/, 'the POST result pages send the CSP too');

  t.not(await page.title(), 'pwned', 'no script ran');
  t.same(dialogs, []);
  t.notOk(k.users.list().some((u) => u.username === 'mallory'), 'no admin user was created');
  t.notOk(k.c.ctx.audit.list(500).some((e) => e.action === 'user.add' && /mallory/.test(e.target)), 'and the audit log has no such action');
});

t.test('a tampered ack token is a clear 400 and nothing of it is reflected', async (t) => {
  const k = await collector();
  t.teardown(() => k.stop());
  const good = signAck(SECRET, { alert: 1, by: 'duty', exp: Date.now() + 3600_000 });
  t.equal((await fetch(`${k.url}/api/alerts/ack?t=${good}`)).status, 200, 'the untouched link shows its form');
  const marker = '"><script>alert(1)</script>';
  for (const bad of [`${good}=${marker}`, `${good}${marker}`, `${marker}.${good.split('.')[1]}`, `${good}=`, `${good} `]) {
    const r = await fetch(`${k.url}/api/alerts/ack?t=${encodeURIComponent(bad)}`);
    const text = await r.text();
    t.equal(r.status, 400, `GET ${JSON.stringify(bad.slice(-30))}: 400`);
    t.match(text, /malformed/, 'says why');
    t.notMatch(text, '<script>', 'the markup is not reflected');
    t.notMatch(text, good, 'nor the token');
    t.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    const p = await fetch(`${k.url}/api/alerts/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: bad }).toString() });
    t.equal(p.status, 400, 'POST: 400 too');
    t.notMatch(await p.text(), '<script>');
  }
  // A changed last character decodes to the same bytes when only its spare bits differ.
  const sig = good.split('.')[1]!;
  const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const i = last.indexOf(sig.at(-1)!);
  const sibling = `${good.slice(0, -1)}${last[i ^ 1]}`;
  t.equal((await fetch(`${k.url}/api/alerts/ack?t=${sibling}`)).status, 403, 'a non-canonical signature is refused');
});
