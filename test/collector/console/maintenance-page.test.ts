import t from 'tap';
import { checkDraft, fromLocalInput, toLocalInput } from '../../../collector/console/pages/maintenance-page.ts';

const inv = [
  { name: 'sw-a-3f-01', kind: 'switch' },
  { name: 'cam-1', kind: 'camera' },
] as never;
const zh = { lang: 'zh-CN', tz: 'Asia/Shanghai' } as const;

t.test('datetime-local values are the collector time zone, both ways', async (t) => {
  t.equal(fromLocalInput('2026-12-03T16:00', 'Asia/Shanghai'), Date.parse('2026-12-03T08:00:00Z'), '16:00 in Shanghai is 08:00 UTC');
  t.equal(toLocalInput(Date.parse('2026-12-03T08:00:00Z'), 'Asia/Shanghai'), '2026-12-03T16:00');
  t.equal(fromLocalInput('2026-03-29T03:30', 'Europe/Berlin'), Date.parse('2026-03-29T01:30:00Z'), 'the day clocks go forward');
  t.equal(fromLocalInput('2026-10-25T12:00', 'Europe/Berlin'), Date.parse('2026-10-25T11:00:00Z'), 'after they go back');
  t.equal(fromLocalInput('tomorrow', 'UTC'), undefined);
});

t.test('a draft: end after start, targets from the inventory or "all", at most 31 days', async (t) => {
  const d = { name: 'UPS', targets: ['sw-a-3f-01'], all: false, start: '2026-12-03T16:00', end: '2026-12-03T18:00', reason: ' swap ' };
  t.same(checkDraft(zh, d, inv), {
    ok: true,
    window: { name: 'UPS', targets: ['sw-a-3f-01'], start: '2026-12-03T08:00:00.000Z', end: '2026-12-03T10:00:00.000Z', reason: 'swap' },
  });
  t.same(checkDraft(zh, { ...d, end: d.start }, inv), { ok: false, errors: { end: '结束时间必须晚于开始时间。' } });
  t.same(checkDraft(zh, { ...d, targets: [] }, inv), { ok: false, errors: { targets: '请选择受影响的设备，或勾选“全部设备”。' } });
  t.same(checkDraft(zh, { ...d, targets: [], all: true }, inv).ok, true);
  t.same(checkDraft({ lang: 'en', tz: 'UTC' }, { ...d, name: ' ', end: '2027-02-01T00:00' }, inv), {
    ok: false,
    errors: { name: 'Give the window a name.', end: 'A one-off window is at most 31 days; use a recurring window in the config for regular work.' },
  });
});
