import t from 'tap';
import { csvToRecords, CsvError, parseCsv, recordsToCsv } from '../../../collector/cabling/csv.ts';

// Spreadsheet edge cases the HTTP round trip in register.test.ts does not reach.
t.test('quoted cells with commas, quotes and line breaks survive a round trip', async (t) => {
  const recs = [
    { switch: 'sw-1', port: 'Gi1/0/1', patch_panel: 'A,1', cable_label: 'say "hi"', wall_socket: '3F-01', room: '财务室\r\n里间', note: '+86 电话' },
  ];
  const zh = recordsToCsv(recs, 'zh');
  t.same(csvToRecords(zh), recs);
  t.match(zh, /'\+86 电话/, 'a cell starting with + is exported inert and imported back as it was');
});

t.test('a sheet saved by Excel: BOM, CRLF, empty trailing lines, columns in another order, English headers', async (t) => {
  const text = '\ufeffport,switch,room\r\nGi1/0/2,sw-1,305\r\n\r\n,,\r\n';
  t.same(csvToRecords(text), [{ switch: 'sw-1', port: 'Gi1/0/2', patch_panel: '', cable_label: '', wall_socket: '', room: '305', note: '' }]);
  t.same(parseCsv('a,"b\nc",d'), [['a', 'b\nc', 'd']]);
});

t.test('bad sheets name the line and the fix', async (t) => {
  t.throws(() => csvToRecords(''), CsvError);
  t.throws(() => csvToRecords('房间,备注\r\n305,x\r\n'), /line 1: the switch and port columns are required/);
  t.throws(() => csvToRecords('交换机,端口\r\nsw-1,\r\n'), /line 2: switch and port must not be empty/);
});
