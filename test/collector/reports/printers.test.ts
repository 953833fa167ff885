/**
 * Printers in the monthly report's 电脑及外设 section: by inventory name and room, availability
 * from the printer probe's polls, pages printed this month (the sum of its reset-safe per-poll
 * counts) and each supply at the month's end in words, with the state when it is not ok.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { monthPeriod } from '../../../lib/month-period.ts';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { collectorProcess } from '../../peers/collector.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { pdftotext, sections, squash } from './pdf-text.ts';

const TZ = 'Asia/Shanghai';
const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
const HOUR = 3600_000;

t.test('printers: availability, pages this month and supplies at the month end (seeded October, known answers)', async (t) => {
  const influx = await startInfluxd();
  const col = await collectorProcess({
    influxdb: { url: influx.url, database: 'watchpost' },
    reports: { timezone: TZ, organisation: '某市政务服务中心' },
    inventory: {
      devices: [
        { name: 'printer-3f', kind: 'printer', address: '10.3.9.10', building: 'A', floor: '3', room: '打印区' },
        { name: 'printer-2f', kind: 'printer', building: 'A', floor: '2' },
      ],
    },
  });
  t.teardown(async () => {
    await col.stop();
    await influx.destroy();
  });
  const start = localMidnight(2026, 10, 1, TZ);
  const lines: string[] = [];
  // Hourly polls for the whole of October; down (no answer) for 2 of 744 hours, 10 pages an hour
  // while up, a counter reset on the 15th (the probe counts from 0 then: still 10 that hour).
  const hours = 31 * 24;
  for (let h = 0; h < hours; h++) {
    const ts = start + h * HOUR + 60_000;
    const down = h === 100 || h === 101;
    lines.push(
      down
        ? `printer,device=printer-3f,vendor=hp up=0i,result_code=2i ${ts}`
        : `printer,device=printer-3f,vendor=hp up=1i,result_code=0i,pages_printed=10i,pages_total=${h === 0 ? 5000 : 5000 + h * 10}i ${ts}`,
    );
  }
  // The last poll's supplies: toner low at 8 %, drum ok, waste box near full.
  const last = start + (hours - 1) * HOUR + 60_000;
  lines.push(
    `printer_supply,device=printer-3f,index=1,colour=black,type=toner percent=8,level=8i,max=100i,state="low",words="黑色碳粉",name="Black Cartridge" ${last}`,
  );
  lines.push(`printer_supply,device=printer-3f,index=2,colour=其它,type=opc percent=64,level=64i,max=100i,state="ok",words="硒鼓",name="Imaging Drum" ${last}`);
  lines.push(
    `printer_supply,device=printer-3f,index=3,colour=其它,type=wasteToner percent=5,level=5i,max=100i,fill_pct=95,state="near_full",words="废粉盒",name="Toner Collection Unit" ${last}`,
  );
  const res = await fetch(`${col.url}/write?precision=ms`, {
    method: 'POST',
    headers: { authorization: `Token ${col.writeToken}` },
    body: lines.join('\n') + '\n',
  });
  t.equal(res.status, 204);
  await col.stop();
  const period = monthPeriod('2026-10', TZ);
  t.equal(Math.round((period.endMs - period.startMs) / HOUR), hours);

  for (const lang of ['zh-CN', 'en'] as const) {
    const out = path.join(process.env.WP_KEEP_REPORTS ?? col.dir, `printers-${lang}.pdf`);
    const r = spawnSync(process.execPath, [CLI, 'report', '--config', col.configFile, '--month', '2026-10', '--lang', lang, '--out', out], {
      encoding: 'utf8',
    });
    t.equal(r.status, 0, r.stderr);
    const text = squash(pdftotext(out, '-layout'));
    if (process.env.WP_SHOW_TEXT) console.error(text);
    if (lang === 'zh-CN') {
      const s = sections(text, ['电脑及外设', '告警及响应时间']);
      // 742 of 744 polls answered: 99.731 %; 742 polls × 10 pages.
      t.match(s['电脑及外设']!, /打印机：月末耗材与本月打印页数/);
      t.match(s['电脑及外设']!, /printer-3f A楼 · 3层 · 打印区 99\.731% 7420 黑色碳粉 8% \(不足\)；硒鼓 64%；废粉盒 5% \(将满\)/);
      t.match(s['电脑及外设']!, /printer-2f A楼 · 2层 · 办公区 — — 未检查/, 'a printer never polled: no figures, not checked');
      t.notMatch(text, /网络设备[^\f]*printer-3f/, 'printers are not network devices');
    } else {
      t.match(
        text,
        /printer-3f .*99\.731% 7420 Black Cartridge 8% \(low\); Imaging Drum 64%; Toner\s[\s\S]{0,120}?Collection Unit 5% \(near full\)/,
        'the supplies cell wraps onto the next line',
      );
    }
  }
});
