import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { documentHash } from '../../../agent/probes/software/inventory.ts';
import { softwareBodySchema } from '../../../collector/software/body.ts';
import { createSoftwareStore } from '../../../collector/software/store.ts';
import { openStateDb } from '../../../collector/store/db.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');
const hasPdftotext = spawnSync('sh', ['-c', 'command -v pdftotext']).status === 0;

t.test(
  'watchpost report --kind licensing: the annual report in Chinese and English',
  { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) not installed' },
  async (t) => {
    const dir = tempDir('sw-report');
    t.teardown(() => (process.env.WP_KEEP ? t.comment(dir) : removeDir(dir)));
    const data = path.join(dir, 'data');
    const db = openStateDb(data);
    const store = createSoftwareStore(db);
    const item = (name: string, version: string, publisher = 'Vendor') => ({
      name,
      version,
      publisher,
      arch: 'x64',
      install_date: null,
      install_location: '',
      source: 'registry' as const,
      scope: 'machine',
    });
    const os = (activation: string) => ({ name: 'Microsoft Windows 10 专业版', version: '10.0.19045.4651', edition: 'Professional', activation });
    const apply = (agent: string, ms: number, software: ReturnType<typeof item>[], activation = 'licensed', office: unknown[] = []) => {
      const body = softwareBodySchema.parse({ os: os(activation), software, office });
      store.apply(agent, documentHash(body), ms, body, ms);
    };
    const d = (m: number, day: number) => Date.UTC(2026, m - 1, day, 2);
    const office = [{ kind: 'msi', product: 'Microsoft Office Professional Plus 2016', version: '16.0.4266.1001', activation: 'unlicensed' }];
    apply('pc-zhang', d(1, 5), [item('Microsoft Office Professional Plus 2016', '16.0.4266.1001'), item('WPS Office', '11.1')], 'licensed', office);
    apply(
      'pc-zhang',
      d(3, 10),
      [item('Microsoft Office Professional Plus 2016', '16.0.4266.1001'), item('WPS Office', '11.1'), item('迅雷', '11.4.8')],
      'licensed',
      office,
    );
    apply('pc-zhang', d(6, 20), [item('Microsoft Office Professional Plus 2016', '16.0.4266.1001'), item('WPS Office', '12.1')], 'licensed', office);
    apply('pc-li', d(2, 1), [item('Microsoft Office Standard 2019', '16.0.10827'), item('BitTorrent', '7.11')], 'unlicensed');
    db.close();
    const cfg = path.join(dir, 'collector.yaml');
    writeFileSync(
      cfg,
      stringify({
        collector: { data_dir: data },
        reports: { organisation: '某某局办公室', contractor: 'Acme 运维' },
        software: {
          policy: {
            rules: [
              { name: 'Office seats', match: { name: 'Microsoft Office*' }, action: 'requires_license', licenses: 1 },
              { name: 'no P2P clients', match: { name: '/迅雷|Thunder|BitTorrent/i' }, action: 'forbidden' },
            ],
          },
        },
      }),
    );
    const text = (lang: string) => {
      const out = path.join(dir, `licensing-${lang}.pdf`);
      const r = spawnSync(process.execPath, [CLI, 'report', '--kind', 'licensing', '--year', '2026', '--lang', lang, '--out', out, '--config', cfg], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      t.equal(r.status, 0, r.stderr);
      t.match(r.stderr, /2 machines, 1 forbidden installed, 1 removed in 2026, 1 licence rules/);
      return execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
    };
    const zh = text('zh-CN');
    t.match(zh, '年度软件正版化检查报告');
    t.match(zh, '某某局办公室');
    t.match(zh, /操作系统已激活（或无需激活）\s+1\s*\/\s*2/);
    t.match(zh, /Office 已激活\s+0\s*\/\s*1/);
    t.match(zh, /Office seats\s+2\s+1\s+超出/, 'two machines against one licence');
    t.match(zh, /pc-li\s+BitTorrent\s+7\.11\s+no P2P clients/, 'forbidden and still installed');
    t.match(zh, /pc-zhang\s+迅雷\s+11\.4\.8\s+no P2P clients\s+2026-06-20/, 'forbidden, removed, with the date');
    t.match(zh, /2026-03\s+1\s+0\s+0\s+0/, 'March: one installation');
    t.match(zh, /2026-06\s+0\s+1\s+1\s+0/, 'June: a removal and an upgrade');
    t.match(zh, /第 1 页，共 \d+ 页/);
    const en = text('en');
    t.match(en, 'Annual software licensing report');
    t.match(en, /Forbidden programs removed this year\s+1/);
    t.match(en, /pc-li\s+Microsoft Windows(?: 10)?\s+Professional\s+unlicensed/, 'OS, edition and activation per machine');
    const bad = spawnSync(process.execPath, [CLI, 'report', '--kind', 'yearly', '--out', 'x.pdf'], { encoding: 'utf8' });
    t.equal(bad.status, 2);
    t.match(bad.stderr, /--kind must be monthly or licensing/);
  },
);
