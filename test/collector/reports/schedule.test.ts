import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { InspectionService } from '../../../collector/inspections/service.ts';
import { ReportService } from '../../../collector/reports/module.ts';
import { localMidnight } from '../../../lib/zoned-time.ts';
import { AuditLog } from '../../../collector/store/audit.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { startSmtp } from '../../peers/smtp.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const TZ = 'Asia/Shanghai';

t.test('scheduled monthly reports: after the hour on the 1st, once, emailed with the PDF attached', async (t) => {
  const smtp = await startSmtp();
  const dir = tempDir('report-schedule');
  t.teardown(async () => {
    await smtp.close();
    removeDir(dir);
  });
  const mk = (pass: string) =>
    collectorConfigSchema.parse({
      collector: { data_dir: dir },
      reports: {
        organisation: 'Test Centre',
        schedule: { enabled: true, hour: 6, langs: ['zh-CN', 'en'] },
        email: {
          smtp_host: '127.0.0.1',
          smtp_port: smtp.port,
          username: smtp.user,
          password: pass,
          from: 'watchpost@test.internal',
          to: ['manager@test.internal'],
        },
      },
    });
  const config = mk(smtp.pass);
  const db = openStateDb(dir);
  t.teardown(() => db.close());
  const audit = new AuditLog(db);
  let now = localMidnight(2026, 11, 1, TZ) + 5 * 3600_000;
  const log = pino({ level: 'silent' });
  const modules = { inspections: new InspectionService({ config, db, audit, devices: [], log, now: () => now }) };
  const svc = new ReportService({ config, db, audit, log, modules, now: () => now });

  t.same(await svc.scheduled(), [], 'not before 06:00 on the 1st');
  now += 2 * 3600_000;
  const made = await svc.scheduled();
  t.same(
    made.map((r) => [r.month, r.lang, r.emailed_ms !== null, r.email_error]),
    [
      ['2026-10', 'zh-CN', true, null],
      ['2026-10', 'en', true, null],
    ],
  );
  for (const r of made) t.ok(existsSync(r.file) && r.bytes > 10_000, `${path.basename(r.file)} kept in out_dir`);
  t.equal(smtp.mails.length, 2, 'one email per language');
  t.same(smtp.mails[0]!.to, ['manager@test.internal']);
  t.match(smtp.mails[1]!.raw, /Content-Type: application\/pdf;[\s\S]*name=watchpost-report-2026-10-en\.pdf/);
  t.match(smtp.mails[1]!.raw, /\r\n\r\nJVBERi0/, 'the attachment is a PDF (base64 of %PDF-)');
  now += 86_400_000;
  t.same(await svc.scheduled(), [], 'made once per month and language');
  t.equal(smtp.mails.length, 2);

  // A failing mail server: the PDF is still made and kept, the error recorded.
  const bad = new ReportService({ config: mk('wrong'), db, audit, log, modules, now: () => now });
  now = localMidnight(2026, 12, 2, TZ);
  const r = await bad.scheduled();
  t.equal(r.length, 2, 'November made');
  t.ok(
    r.every((x) => x.emailed_ms === null && /535|Invalid|auth/i.test(x.email_error ?? '')),
    `email error recorded: ${r[0]?.email_error}`,
  );
  t.ok(r.every((x) => existsSync(x.file)));
  const actions = audit.list(50).map((e) => e.action);
  t.equal(actions.filter((a) => a === 'report.generate').length, 4);
  t.equal(actions.filter((a) => a === 'report.email').length, 2);
});
