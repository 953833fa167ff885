/**
 * The monthly report's 网站与证书 section: availability per site over its monitored time,
 * the median response, and the certificates and domains that expire within 60 days of the
 * report's generation (seeded October with known answers, real influxd, zh-CN and en).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { collectorProcess } from '../../peers/collector.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { pdftotext, sections, squash } from './pdf-text.ts';

const TZ = 'Asia/Shanghai';
const CLI = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
const HOUR = 3600_000;
const DAY = 86_400_000;

t.test('websites: availability, median response, certificates and domains expiring within 60 days', async (t) => {
  const influx = await startInfluxd();
  const col = await collectorProcess({
    influxdb: { url: influx.url, database: 'watchpost' },
    reports: { timezone: TZ, organisation: '某市政务服务中心' },
    inventory: { devices: [{ name: 'portal', kind: 'server', building: 'A', floor: '1', room: '机房' }] },
  });
  t.teardown(async () => {
    await col.stop();
    await influx.destroy();
  });
  const start = localMidnight(2026, 10, 1, TZ);
  const hours = 31 * 24;
  const lines: string[] = [];
  // Hourly checks of the portal's page; 4 of 744 fail (a connection refused). Answers alternate 100 and 300 ms: the median is 200 ms.
  for (let h = 0; h < hours; h++) {
    const ts = start + h * HOUR + 60_000;
    const down = h >= 200 && h < 204;
    lines.push(
      down
        ? `http_response,target_name=portal,server=https://portal.example.gov.cn/,host=poller-a,result=connection_failed up=0i,result_type="connection_failed" ${ts}`
        : `http_response,target_name=portal,server=https://portal.example.gov.cn/,host=poller-a,result=success,status_code=200 up=1i,result_type="success",response_time=${h % 2 ? 0.3 : 0.1} ${ts}`,
    );
  }
  // A district sub-site only from the 20th: 12 days monitored, always up.
  for (let h = 19 * 24; h < hours; h++)
    lines.push(
      `http_response,target_name=sub-east,server=https://east.example.gov.cn/,host=poller-a,result=success up=1i,result_type="success",response_time=0.05 ${start + h * HOUR + 60_000}`,
    );
  // The last week's certificate samples: the portal's intermediate ends 20 days after today; sub-east's leaf in 200 days (not listed).
  const last = start + (hours - 1) * HOUR + 60_000;
  const now = Date.now();
  const soon = now + 20 * DAY;
  lines.push(
    `x509_cert,target_name=portal,source=https://portal.example.gov.cn:443,common_name=portal.example.gov.cn up=1i,verification="valid",expiry=${Math.round((now + 300 * DAY - last) / 1000)}i,chain_expiry=${Math.round((soon - last) / 1000)}i,chain_expiry_common_name="GDCA TrustAUTH R4 OV SSL CA" ${last}`,
  );
  lines.push(
    `x509_cert,target_name=sub-east,source=https://east.example.gov.cn:443,common_name=east.example.gov.cn up=1i,verification="valid",expiry=${Math.round((now + 200 * DAY - last) / 1000)}i,chain_expiry=${Math.round((now + 200 * DAY - last) / 1000)}i,chain_expiry_common_name="east.example.gov.cn" ${last}`,
  );
  lines.push(`domain,target_name=portal,domain=example.gov.cn expiry=1i,enddate=${Math.round((now + 40 * DAY) / 1000)}i ${last}`);
  const res = await fetch(`${col.url}/write?precision=ms`, {
    method: 'POST',
    headers: { authorization: `Token ${col.writeToken}` },
    body: lines.join('\n') + '\n',
  });
  t.equal(res.status, 204);
  await col.stop();
  const fmt = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

  for (const lang of ['zh-CN', 'en'] as const) {
    const out = path.join(col.dir, `web-${lang}.pdf`);
    const r = spawnSync(process.execPath, [CLI, 'report', '--config', col.configFile, '--month', '2026-10', '--lang', lang, '--out', out], {
      encoding: 'utf8',
    });
    t.equal(r.status, 0, r.stderr);
    const text = squash(pdftotext(out, '-layout'));
    if (lang === 'zh-CN') {
      const s = sections(text, ['网站与证书', '告警及响应时间']);
      const w = s['网站与证书']!;
      t.match(w, /portal A楼 · 1层 · 机房 99\.462% 31 \/ 31 200 ms/, '740 of 744 checks answered; median 200 ms');
      t.match(w, /sub-east [^\n]*100\.000% 12 \/ 31 50 ms/, 'the sub-site monitored from the 20th: 12 of 31 days, never counted down before');
      t.match(w, /60 天内到期的证书与域名/);
      t.match(w, new RegExp(`证书 portal GDCA TrustAUTH R4 OV SSL CA ${fmt(soon)} (19|20)`), 'the intermediate that ends first, not the leaf');
      t.match(w, new RegExp(`域名 portal example\\.gov\\.cn ${fmt(now + 40 * DAY)} (39|40)`));
      t.notMatch(w, /east\.example\.gov\.cn/, 'a certificate 200 days away is not listed');
    } else {
      t.match(text, /Websites and certificates/);
      t.match(text, /portal Building A · Floor 1 · [^\n]*99\.462% 31 \/ 31 200 ms/);
      t.match(text, /certificate portal GDCA TrustAUTH R4 OV SSL CA/);
    }
  }
});
