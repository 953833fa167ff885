import t from 'tap';
import { fill, isLang, negotiateLang, translator } from '../../../collector/i18n/index.ts';
import { ct } from '../../../collector/i18n/messages/console.ts';
import { tr } from '../../../collector/i18n/messages/reports.ts';

t.test('a missing placeholder is empty on console pages and stays {name} in reports', async (t) => {
  t.equal(fill('{a} of {b}', { a: 1 }), '1 of ');
  t.equal(fill('{a} of {b}', { a: 1 }, 'keep'), '1 of {b}');
  t.equal(ct('en', 'locked', {}), 'Too many failed logins. Try again in  s.');
  t.equal(tr('en', 'page', { n: 2 }), 'Page 2 of {total}');
  t.equal(tr('zh-CN', 'page', { n: 2, total: 3 }), '第 2 页，共 3 页');
  const words = translator({ en: { hi: 'hello {who}' }, zh: { hi: '你好 {who}' } });
  t.equal(words('zh-CN', 'hi', { who: 'x' }), '你好 x');
  t.equal(words('en', 'hi'), 'hello ');
});

t.test('a valid ?lang= wins and is remembered, then a valid cookie, then the default', async (t) => {
  t.same(negotiateLang('en', 'zh-CN', 'zh-CN'), { lang: 'en', chosen: true });
  t.same(negotiateLang('fr', 'en', 'zh-CN'), { lang: 'en', chosen: false });
  t.same(negotiateLang(null, 'klingon', 'zh-CN'), { lang: 'zh-CN', chosen: false });
  t.same(negotiateLang(null, undefined, 'en'), { lang: 'en', chosen: false });
  t.ok(isLang('zh-CN'));
  t.notOk(isLang('zh'));
});
