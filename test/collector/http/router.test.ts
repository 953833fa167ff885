import t from 'tap';
import { compilePattern, RouteTable } from '../../../collector/http/router.ts';

t.test('patterns: literal paths, :name segments, :name(regex) and *rest', async (t) => {
  t.equal(compilePattern('/api/alerts'), undefined, 'a literal path is matched exactly, not by a regex');
  const r = new RouteTable<string>();
  r.add('GET', '/api/devices', 'list');
  r.add('GET', '/api/devices/*name', 'one');
  r.add('POST', '/api/alerts/:id(\\d+)/ack', 'ack');
  r.add('GET', '/console/photos/:file', 'photo');
  r.add('GET', '/console/devices/:name(.+)', 'device');
  t.same(r.match('GET', '/api/devices'), { h: 'list', params: {} });
  t.same(r.match('GET', '/api/devices/'), { h: 'one', params: { name: '' } }, '*rest may be empty');
  t.same(r.match('GET', '/api/devices/a/b'), { h: 'one', params: { name: 'a/b' } }, '*rest spans segments');
  t.same(r.match('POST', '/api/alerts/12/ack'), { h: 'ack', params: { id: '12' } });
  t.equal(r.match('POST', '/api/alerts/x/ack'), undefined, 'a parameter must match its regex');
  t.equal(r.match('GET', '/api/alerts/12/ack'), undefined, 'and the method');
  t.same(r.match('GET', '/console/photos/a.jpg'), { h: 'photo', params: { file: 'a.jpg' } });
  t.equal(r.match('GET', '/console/photos/a/b.jpg'), undefined, ':name is one segment');
  t.equal(r.match('GET', '/console/devices/'), undefined, ':name(.+) is never empty');
  t.equal(compilePattern('/a.b/:x')!.test('/aXb/1'), false, 'literal parts are escaped');
});

t.test('literal routes win over patterns; patterns in the order added', async (t) => {
  const r = new RouteTable<string>();
  r.add('GET', '/console/*path', 'console');
  r.add('GET', '/console/api/devices/*name', 'devices');
  r.add('GET', '/console/login', 'login');
  t.equal(r.match('GET', '/console/login')?.h, 'login');
  t.equal(r.match('GET', '/console/api/devices/x')?.h, 'console', 'the first pattern added that matches');
});
