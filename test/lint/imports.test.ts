import t from 'tap';
import { checkImports, folderCycles, importsOf } from '../../lint/imports.ts';

const f = (name: string, ...lines: string[]) => ({ name, text: lines.join('\n') });

t.test('a folder-level import cycle is named with its folders and the import that closes it', async (t) => {
  const files = [
    f('collector/alerts/engine.ts', "import { a } from '../notify/send.ts';", "import type { C } from '../calendar/cal.ts';"),
    f('collector/notify/send.ts', 'import {', '  localTime,', "} from '../alerts/engine.ts';"),
    f('collector/calendar/cal.ts', "export const c = '1';"),
  ];
  t.same(checkImports(files), [
    'collector/notify/send.ts:3: no-folder-cycle: folders import each other without cycles: move what both sides need to a folder below them\n    cycle among collector/alerts, collector/notify; this import of collector/alerts/engine.ts closes it',
  ]);
});

t.test('an acyclic set and tests pass; a cycle outside collector/ is one too', async (t) => {
  t.same(
    checkImports([
      f('collector/alerts/engine.ts', "import { a } from '../notify/send.ts';", "export { b } from '../../lib/b.ts';"),
      f('collector/notify/send.ts', "import '../../lib/b.ts';"),
      f('lib/b.ts', "import { z } from 'zod';"),
      f('test/collector/notify/send.test.ts', "import { x } from '../alerts/engine.ts';"),
      f('collector/notify/send.test.ts', "import { x } from '../alerts/engine.ts';"),
    ]),
    [],
  );
  t.match(
    checkImports([
      f('config/schema/agent.ts', "import { p } from '../../agent/probes/all/index.ts';"),
      f('agent/probes/all/index.ts', "import { s } from '../../../config/schema/agent.ts';"),
    ]),
    [/no-folder-cycle: .*\n {4}cycle among agent\/probes\/all, config\/schema;/],
  );
  const imports = [
    f('config/schema/agent.ts', "import { p } from '../../agent/probes/all/index.ts';"),
    f('agent/probes/all/index.ts', "import { s } from '../../../config/schema/agent.ts';"),
  ].flatMap(importsOf);
  t.same(
    folderCycles(imports).map((c) => c.folders),
    [['agent/probes/all', 'config/schema']],
  );
});

t.test('the collector never imports the agent', async (t) => {
  const bad = checkImports([
    f('collector/ingest/x.ts', "import type { Sample } from '../../protocol/sample.ts';", "import { ping } from '../../agent/probes/ping/probe.ts';"),
    f('agent/main.ts', "import { x } from '../collector/ingest/x.ts';"),
  ]);
  t.same(bad, [
    'collector/ingest/x.ts:2: no-collector-imports-agent: the collector runs without the agent: share code through protocol/ or lib/, never by importing agent/\n    imports agent/probes/ping/probe.ts',
  ]);
});
