import { createRequire } from 'node:module';
import t from 'tap';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { AV_SCRIPT } from '../../../agent/probes/antivirus/windows.ts';
import { wuaScript } from '../../../agent/probes/patches/windows.ts';
import { SOFTWARE_SCRIPT } from '../../../agent/probes/software/windows-script.ts';

// No PowerShell runs here (Linux CI, no Windows machine): tree-sitter's PowerShell grammar at
// least proves every script the agent sends to its PowerShell session parses — an unclosed
// brace, a bad here-string or a stray parenthesis fails here, not on the office PC.
const require = createRequire(import.meta.url);

t.test('every PowerShell script the agent runs parses without errors', async (t) => {
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  const problems = (src: string) => {
    const out: string[] = [];
    const walk = (n: Node) => {
      if (n.type === 'ERROR' || n.isMissing)
        out.push(`${n.isMissing ? 'missing ' : ''}${n.type} at line ${n.startPosition.row + 1}: ${src.slice(n.startIndex, n.startIndex + 50)}`);
      for (const c of n.children) if (c) walk(c);
    };
    walk(parser.parse(src)!.rootNode);
    return out;
  };
  for (const [name, src] of [
    ['software', SOFTWARE_SCRIPT],
    ['patches (cached search)', wuaScript(false)],
    ['patches (online search)', wuaScript(true)],
    ['antivirus', AV_SCRIPT],
  ] as const)
    t.same(problems(src), [], `${name} script parses`);
  // The check itself can fail: a broken copy of the software script does not parse.
  t.ok(problems(SOFTWARE_SCRIPT.replace('foreach ($vn in $ValueNames)', 'foreach ($vn in $ValueNames')).length > 0, 'a missing parenthesis is found');
  t.ok(problems(SOFTWARE_SCRIPT.replace("\n'@\n", "\n  '@\n")).length > 0, 'a here-string terminator not at the start of its line is found');
});
