import t from 'tap';
import { alertListPage, duration, placeOf, reasonText } from '../../../collector/console/pages/device-pages.ts';
import type { PageCtx } from '../../../collector/console/ui/layout.ts';

const p = (lang: 'en' | 'zh-CN'): PageCtx => ({
  lang,
  tz: 'Asia/Shanghai',
  path: '/console/alerts',
  canEdit: true,
  csrf: 'x',
  user: { username: 'li', role: 'engineer' } as PageCtx['user'],
});
const NOW = Date.parse('2026-11-10T10:00:00+08:00');
const base = {
  rule: 'camera_down',
  severity: 'critical',
  summary: 'camera down',
  labels: { building: 'A', floor: '3', shaft: 'A-1', room: '301' },
  silenced: false,
};

t.test("alert list: deadline left or overdue, suppressed by its parent, silenced by a named window, words in the page's language", async (t) => {
  const rows = [
    { ...base, id: 1, target: 'cam-1', state: 'firing', started_ms: NOW - 30 * 60_000, fired_ms: NOW - 30 * 60_000 },
    { ...base, id: 2, target: 'cam-2', state: 'suppressed', started_ms: NOW - 3 * 3600_000, fired_ms: NOW - 3 * 3600_000, suppressor: 'sw-a-3f-01' },
    { ...base, id: 3, target: 'cam-3', state: 'firing', silenced: true, window: '周六机房停电', started_ms: NOW - 60_000, fired_ms: NOW - 60_000 },
  ];
  const resolved = [
    {
      ...base,
      id: 9,
      target: 'cam-9',
      state: 'resolved',
      started_ms: NOW - 7200_000,
      resolved_ms: NOW - 3600_000,
      resolved_reason: 'rule "x" no longer exists',
    },
  ];
  const zh = alertListPage(p('zh-CN'), rows, resolved, new URLSearchParams(), NOW, 7200_000, '告警');
  t.match(zh, /data-target="cam-1"[\s\S]*?A · 3F · 竖井 A-1 · 301[\s\S]*?30 分[\s\S]*?1 小时 30 分/, 'location, age, time left');
  t.match(zh, /data-target="cam-2"[\s\S]*?已超时 1 小时[\s\S]*?被 sw-a-3f-01 抑制/, 'overdue and suppressed by');
  t.match(zh, /维护窗口 周六机房停电 静默中/);
  t.match(zh, '严重');
  t.match(zh, /data-resolved="9"[\s\S]*rule &quot;x&quot; no longer exists/, 'resolved history with the reason');
  const en = alertListPage(p('en'), rows, resolved, new URLSearchParams('days=3'), NOW, 7200_000, 'Alerts');
  t.match(en, 'overdue by 1 h');
  t.match(en, 'suppressed by sw-a-3f-01');
  t.match(en, 'name="note"');
});

t.test('durations, places and reasons in both languages', async (t) => {
  t.equal(duration(45_000, 'en'), '45 s');
  t.equal(duration(3 * 3600_000 + 20 * 60_000, 'zh-CN'), '3 小时 20 分');
  t.equal(duration(50 * 3600_000, 'en'), '2 d 2 h');
  t.equal(placeOf({ building: 'B', floor: '2', shaft: null, room: 'B-201' }, 'en'), 'B · 2F · B-201');
  t.equal(reasonText('zh-CN', { check: 'snapshot', value: 'black', threshold: 'none', message: 'snapshot is black' }), '截图全黑');
  t.equal(reasonText('en', { check: 'snapshot', value: 'black', threshold: 'none', message: 'snapshot is black' }), 'snapshot is black');
});
