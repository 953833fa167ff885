import t from 'tap';
import fc from 'fast-check';
import { diffLines } from '../../lib/line-diff.ts';

// With unlimited context the diff is one hunk holding every line: ' ' and '-' lines rebuild
// the old text, ' ' and '+' lines the new one, and the counts match.
t.test('a full-context diff rebuilds both texts', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', 'b', 'c', '#', ' x'), { maxLength: 30 }),
      fc.array(fc.constantFrom('a', 'b', 'c', '#', ' y'), { maxLength: 30 }),
      (a, b) => {
        const A = a.join('\n');
        const B = b.join('\n');
        const d = diffLines(A, B, { context: 1000 });
        if (A === B) return d.text === '' && d.added === 0 && d.removed === 0;
        const body = d.text.split('\n').slice(3, -1);
        const oldT = body.filter((l) => l[0] !== '+').map((l) => l.slice(1));
        const newT = body.filter((l) => l[0] !== '-').map((l) => l.slice(1));
        return (
          oldT.join('\n') === A &&
          newT.join('\n') === B &&
          d.added === body.filter((l) => l[0] === '+').length &&
          d.removed === body.filter((l) => l[0] === '-').length
        );
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 random pairs');
});

t.test('hunks keep 3 lines of context and number lines like diff -u', async (t) => {
  const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
  const b = [...a];
  b[9] = 'line 10 changed';
  const d = diffLines(a.join('\n'), b.join('\n'), { from: 'v1', to: 'v2' });
  t.equal(
    d.text,
    ['--- v1', '+++ v2', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+line 10 changed', ' line 11', ' line 12', ' line 13', ''].join('\n'),
  );
  const big = diffLines('x\n'.repeat(50), 'y\n'.repeat(50), { maxCells: 100 });
  t.match(big, { added: 50, removed: 50 }, 'beyond maxCells: all removed, all added');
});
