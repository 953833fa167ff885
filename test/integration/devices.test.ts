import path from 'node:path';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import t from 'tap';
import { stringify } from 'yaml';
import { startAgent, type RunningAgent } from '../../agent/main.ts';
import type { DeviceView } from '../../collector/devices/module.ts';
import { startCollector, type RunningCollector } from '../../collector/main.ts';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { parseConfig } from '../../config/load.ts';
import { agentConfigSchema } from '../../config/schema/agent.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { startInfluxd, type InfluxPeer } from '../peers/influxd.ts';
import { startOnvifSim, type OnvifSim } from '../peers/onvif-sim.ts';
import { startSnmpsim, type SnmpSim } from '../peers/snmpsim.ts';
import { FIXTURES, freePort, removeDir, tempDir, waitFor } from '../peers/util.ts';

// A small building on loopback: real influxd, snmpsimd with two shared switch recordings and
// a community that does not exist (a dead switch), an ONVIF simulator with a black picture,
// a camera URL that does not answer, ping targets on 127.x, an inventory device nothing polls.
if (!FIXTURES) t.plan(0, 'skip: ../shared/fixtures (SNMP and ONVIF recordings) not present');
else {
  const PASSWORD = 'correct horse battery';
  const INVENTORY = [
    { name: 'poller-a-b1', kind: 'pc', building: 'A', floor: '1', room: 'IT', role: 'poller' },
    { name: 'sw-a-3f-01', kind: 'switch', building: 'A', floor: '3', shaft: 'A-1', room: 'shaft-3', role: 'access' },
    { name: 'sw-b-2f-01', kind: 'switch', building: 'B', floor: '2', room: 'B-201', role: 'access' },
    { name: 'sw-a-4f-dead', kind: 'switch', building: 'A', floor: '4', shaft: 'A-1', room: 'shaft-4' },
    { name: 'sw-a-5f-never', kind: 'switch', building: 'A', floor: '5', shaft: 'A-1', room: 'shaft-5' },
    { name: 'cam-a-1f-lobby', kind: 'camera', building: 'A', floor: '1', room: 'lobby' },
    { name: 'cam-a-1f-gate', kind: 'camera', building: 'A', floor: '1', room: 'gate', parent: 'sw-a-4f-dead' },
    { name: 'pc-0301', kind: 'pc', address: ['127.0.0.21', 'pc-0301.office.lan'], building: 'A', floor: '3', room: '301' },
    { name: 'pc-0302', kind: 'pc', address: '127.0.0.22', building: 'A', floor: '3', room: '302' },
  ];

  t.test('every device\'s state and reasons through /api/devices and the console in Chromium; location tags in InfluxDB', async (t) => {
    const dir = tempDir('devices-it');
    const log = pino({ level: 'silent' });
    let influx: InfluxPeer | undefined;
    let sim: SnmpSim | undefined;
    let cam: OnvifSim | undefined;
    let c: RunningCollector | undefined;
    let agent: RunningAgent | undefined;
    t.teardown(async () => {
      await agent?.stop(0);
      await c?.stop();
      await cam?.stop();
      await sim?.stop();
      await influx?.destroy();
      if (!process.env.WP_KEEP_E2E) removeDir(dir);
    });
    influx = await startInfluxd();
    const REC = path.join(FIXTURES!, 'snmprec');
    sim = await startSnmpsim([
      { name: 'ios_2960x', file: path.join(REC, 'ios_2960x.snmprec') },
      { name: 'comware_a5500', file: path.join(REC, 'comware_a5500.snmprec') },
    ], { quiet: true });
    cam = await startOnvifSim({ snapshot: 'black', clockSkewS: 1 });
    const closed = await freePort();
    const apiToken = newToken();
    const ccfg = collectorConfigSchema.parse({
      collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: path.join(dir, 'collector'), log_level: 'silent' },
      influxdb: { url: influx.url, database: 'watchpost', flush_interval_ms: 100 },
      inventory: { devices: INVENTORY },
      alerts: {
        api_tokens: [{ name: 'ops', token_sha256: hashToken(apiToken) }],
        eval_interval_ms: 200, group_wait_s: 0,
        rules: [
          { name: 'switch_down', type: 'threshold', measurement: 'snmp_device', field: 'up', op: '==', fire: 0, severity: 'critical' },
          // Fires later than the switch: the camera behind the dead switch is suppressed by it.
          { name: 'camera_down', type: 'threshold', measurement: 'camera', field: 'up', op: '==', fire: 0, for_s: 4, severity: 'critical' },
        ],
      },
      devices: { eval_interval_ms: 1000 },
      console: { grafana_url: 'http://127.0.0.1:3000' },
    });
    c = await startCollector(ccfg, log);
    const users = c.modules.console!.users;
    users.add('test', 'li', PASSWORD, 'engineer');
    const { token } = c.ctx.agents.enroll('poller-a-b1', 'test', { building: 'A', floor: '1' });
    const acfg = parseConfig(
      stringify({
        agent: { name: 'poller-a-b1', data_dir: path.join(dir, 'agent') },
        collector: { url: `ws://127.0.0.1:${c.port}/v1/agent`, token, allow_insecure: true },
        batch: { flush_ms: 100 },
        // The agent's own tags say IT room, floor 1; the SNMP probe even adds floor 1 to every sample.
        tags: { building: 'A', floor: '1', room: 'IT' },
        probes: [
          {
            kind: 'snmp', interval_s: 3, timeout_ms: 2500, tags: { floor: '1' },
            devices: [
              { host: '127.0.0.1', port: sim.port, community: 'ios_2960x', name: 'sw-a-3f-01', request_timeout_ms: 800, retries: 0 },
              { host: '127.0.0.1', port: sim.port, community: 'comware_a5500', name: 'sw-b-2f-01', request_timeout_ms: 800, retries: 0 },
              { host: '127.0.0.1', port: sim.port, community: 'no-such-community', name: 'sw-a-4f-dead', request_timeout_ms: 500, retries: 0 },
            ],
          },
          {
            kind: 'onvif', interval_s: 3, timeout_ms: 2800, stream: false, request_timeout_ms: 800, user: cam.options.user, password: cam.options.password,
            cameras: [{ url: `${cam.url}/onvif/device_service`, name: 'cam-a-1f-lobby' }, { url: `http://127.0.0.1:${closed}/onvif/device_service`, name: 'cam-a-1f-gate' }],
          },
          { kind: 'ping', interval_s: 2, timeout_ms: 1800, count: 1, reply_timeout_ms: 300, targets: ['127.0.0.21', '127.0.0.22', '127.0.0.99'] },
        ],
      }),
      'agent.yaml',
      agentConfigSchema,
    );
    agent = await startAgent(acfg, log);

    const api = async (q = '') => (await (await fetch(`${c!.url}/api/devices${q}`, { headers: { authorization: `Bearer ${apiToken}` } })).json()) as DeviceView[];
    const seen = new Set(['sw-a-3f-01', 'sw-b-2f-01', 'sw-a-4f-dead', 'cam-a-1f-lobby', 'cam-a-1f-gate', 'pc-0301', 'pc-0302', '127.0.0.99']);
    await waitFor('every polled device reported', async () => (await api()).filter((d) => seen.has(d.name) && d.last_seen && d.status !== 'unknown').length === seen.size, 30_000);
    c.modules.devices!.model.tick();
    const by = new Map((await api()).map((d) => [d.name, d]));
    t.match(by.get('sw-a-3f-01'), { status: 'up', kind: 'switch', floor: '3', shaft: 'A-1', room: 'shaft-3', agent: 'poller-a-b1', reasons: [] });
    t.match(by.get('sw-b-2f-01'), { status: 'up', building: 'B' });
    t.match(by.get('sw-a-4f-dead'), { status: 'down', reasons: [{ check: 'reachability', value: 'timeout' }] }, 'the community that does not exist: down');
    t.match(by.get('sw-a-5f-never'), { status: 'unknown', last_seen: null, agent: null, reasons: [{ check: 'never_seen' }] }, 'never polled: unknown, never OK');
    t.match(by.get('cam-a-1f-lobby'), { status: 'degraded', reasons: [{ check: 'snapshot', value: 'black', threshold: 'none' }] }, 'the black picture: degraded');
    t.match(by.get('cam-a-1f-gate'), { status: 'down', reasons: [{ check: 'reachability' }] });
    t.match(by.get('pc-0301'), { status: 'up', address: '127.0.0.21', room: '301', agent: 'poller-a-b1' }, 'a ping of 127.0.0.21 is pc-0301');
    t.match(by.get('127.0.0.99'), { status: 'up', kind: 'unregistered', building: null, floor: null });
    t.match(by.get('poller-a-b1'), { status: 'up' }, 'the agent\'s own host, connected');
    t.ok(by.get('poller-a-b1')!.last_seen, 'seen through its connection');
    t.same((await api('?status=down')).map((d) => d.name).sort(), ['cam-a-1f-gate', 'sw-a-4f-dead']);
    t.same((await api('?shaft=A-1&kind=switch')).map((d) => d.name), ['sw-a-4f-dead', 'sw-a-5f-never', 'sw-a-3f-01'], 'problems first');

    await waitFor('the camera alert', async () => ((await api('?status=down')).find((d) => d.name === 'cam-a-1f-gate')?.alerts_open ?? 0) > 0, 20_000);
    t.equal((await api('?status=down')).find((d) => d.name === 'sw-a-4f-dead')?.alerts_open, 1, 'alerts_open counts the device\'s alerts by inventory name');

    // InfluxDB: the switch polled by an agent tagged floor 1 is stored with its own floor and room.
    await waitFor('points in InfluxDB', async () => (await influx!.count('watchpost', 'snmp_device', 'up', `"device" = 'sw-a-3f-01'`).catch(() => 0)) > 0, 20_000);
    const tagsOf = async (m: string, key: string, where: string) =>
      (await influx!.query(`SHOW TAG VALUES FROM "${m}" WITH KEY = "${key}" WHERE ${where}`, 'watchpost')).flatMap((s) => s.values.map((v) => String(v[1])));
    t.same(await tagsOf('snmp_device', 'floor', `"device" = 'sw-a-3f-01'`), ['3'], 'floor 3, not the agent\'s 1');
    t.same(await tagsOf('snmp_device', 'room', `"device" = 'sw-a-3f-01'`), ['shaft-3']);
    t.same(await tagsOf('interface', 'floor', `"device" = 'sw-a-3f-01'`), ['3'], 'its ports too');
    t.same(await tagsOf('camera', 'room', `"camera" = 'cam-a-1f-lobby'`), ['lobby']);
    t.same(await tagsOf('ping', 'room', `"url" = '127.0.0.21'`), ['301']);
    t.same(await tagsOf('ping', 'floor', `"url" = '127.0.0.99'`), [], 'an unregistered address gets no floor of the poller');

    // Two hours of RTT history for pc-0301, for its page's chart.
    const hist = Array.from({ length: 24 }, (_, i) => `ping,url=127.0.0.21 average_response_ms=${(0.2 + (i % 5) / 10).toFixed(2)},percent_packet_loss=0 ${Date.now() - (24 - i) * 300_000}`).join('\n');
    t.equal((await fetch(`${influx.url}/write?db=watchpost&precision=ms`, { method: 'POST', body: hist })).status, 204);

    // The console in Chromium, at desktop and phone width.
    const profile = tempDir('chromium');
    const out = tempDir('devices-shots');
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    t.teardown(async () => {
      await browser.close();
      removeDir(profile);
      t.comment(`screenshots in ${out}`);
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !/favicon/.test(m.location().url) && errors.push(`${m.text()} ${m.location().url}`));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${c.url}/console/login`);
    await page.getByLabel('用户名').fill('li');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${c.url}/console/`);
    const rowStatus = async (name: string) => page.locator(`tr[data-device="${name}"]`).getAttribute('data-status');
    for (const [name, st] of [['sw-a-3f-01', 'up'], ['sw-a-4f-dead', 'down'], ['sw-a-5f-never', 'unknown'], ['cam-a-1f-lobby', 'degraded'], ['cam-a-1f-gate', 'down'], ['pc-0301', 'up']] as const) {
      t.equal(await rowStatus(name), st, `console: ${name} ${st}`);
    }
    t.match(await page.locator('tr[data-device="cam-a-1f-lobby"]').innerText(), '异常', 'zh status word');
    t.match(await page.locator('tr[data-device="sw-a-5f-never"]').innerText(), /未知[\s\S]*没有采集任务覆盖它/, 'zh status and reason');
    t.match(await page.locator('tr[data-device="cam-a-1f-lobby"]').innerText(), '截图全黑');
    const firstRows = await page.locator('tr[data-device]').evaluateAll((rs) => rs.slice(0, 3).map((r) => r.getAttribute('data-status')));
    t.same(firstRows, ['down', 'down', 'degraded'], 'problem devices first');
    t.equal(await page.locator('[data-count="down"] b').innerText(), '2');
    await page.screenshot({ path: path.join(out, 'overview-1280.png'), fullPage: true });
    // Filter by shaft, then wait for one self-refresh (no reload: the form state stays).
    await page.locator('select[name=shaft]').selectOption('A-1');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/shaft=A-1/);
    t.equal(await page.locator('tr[data-device]').count(), 3);
    await page.evaluate('window.__marker = 1');
    await page.waitForSelector('#live[data-refreshed]', { timeout: 25_000 });
    t.equal(await page.evaluate('window.__marker'), 1, 'refreshed without a page load');
    t.equal(await page.locator('tr[data-device]').count(), 3, 'the refresh keeps the filter');
    t.same(errors, [], 'no script or CSP errors');

    // The alert list: location, age, time left to the 2-hour deadline, suppressed by the switch, ack with a note.
    await page.goto(`${c.url}/console/alerts`);
    const sw = page.locator('tr[data-target="sw-a-4f-dead"]');
    t.match(await sw.locator('[data-col=location]').innerText(), 'A · 4F · 竖井 A-1 · shaft-4');
    t.match(await sw.locator('[data-col=left]').innerText(), /^1 小时 5\d 分$/, 'time left to the on-site deadline');
    t.match(await sw.innerText(), '严重', 'severity in Chinese');
    t.match(await page.locator('tr[data-target="cam-a-1f-gate"]').innerText(), '被 sw-a-4f-dead 抑制', 'suppressed by its parent switch');
    await sw.getByPlaceholder('备注').fill('已派人 ladder to shaft A-1');
    await sw.getByRole('button', { name: '确认' }).click();
    await page.waitForURL(/msg=saved/);
    t.match(await page.locator('tr[data-target="sw-a-4f-dead"]').innerText(), /已由 li 确认[\s\S]*已派人 ladder to shaft A-1/);
    t.ok(c.ctx.audit.list(50).some((e) => e.action === 'alert.ack' && e.details.includes('ladder to shaft A-1')), 'the note is in the audit log');
    await page.screenshot({ path: path.join(out, 'alerts-1280.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    for (const p of ['/console/', '/console/devices/sw-a-3f-01', '/console/devices/cam-a-1f-lobby', '/console/alerts']) {
      await page.goto(`${c.url}${p}`);
      const w = await page.evaluate('document.documentElement.scrollWidth');
      t.ok(Number(w) <= 390, `${p} fits 390 px (scrollWidth ${w})`);
      await page.screenshot({ path: path.join(out, `${p.replace(/\W+/g, '_')}-390.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${c.url}/console/devices/sw-a-3f-01?lang=en`);
    t.ok((await page.locator('#ports tr').count()) > 10, 'switch ports listed');
    t.match(await page.locator('main').innerText(), /Availability, last 24 h/);
    t.ok((await page.locator('svg rect').count()) >= 1, 'the timeline is drawn');
    t.match(await page.locator('a', { hasText: 'Open in Grafana' }).getAttribute('href'), 'http://127.0.0.1:3000/d/watchpost-network-en?var-switch=sw-a-3f-01');
    await page.screenshot({ path: path.join(out, 'switch-1280.png'), fullPage: true });
    await page.goto(`${c.url}/console/devices/pc-0301?lang=en`);
    t.ok(await page.locator('figure', { hasText: 'RTT' }).locator('polyline').count(), 'an RTT chart drawn from InfluxQL');
    await page.screenshot({ path: path.join(out, 'pc-1280.png'), fullPage: true });
    // From the overview, whose CSP allows fetches to the collector itself.
    await page.goto(`${c.url}/console/`);
    t.equal(await page.evaluate(async () => (await fetch('/console/api/devices?kind=pc')).status), 200, 'the API with the console session');
    t.same(await page.evaluate(async () => ((await (await fetch('/console/api/devices/127.0.0.21')).json()) as { name: string }).name), 'pc-0301');
    await page.goto(`${c.url}/console/devices/cam-a-1f-lobby?lang=en`);
    t.match(await page.locator('#reasons').innerText(), 'snapshot is black');
    await page.screenshot({ path: path.join(out, 'camera-1280.png'), fullPage: true });
  });
}
