import type { SoftwareConfig } from './schema.ts';
import { type SoftwareCheckPrepared, docOf } from './probe.ts';
import type { ProbeCli } from '../probe.ts';

/** `watchpost check software`: options, the config they make and the JSON shape. Loaded with the definition; run only by the CLI. */
export const cli: ProbeCli<SoftwareConfig> = {
  options: { policy: { type: 'string' }, strict: { type: 'boolean' }, include_system_components: { type: 'boolean' }, include_updates: { type: 'boolean' } },
  toConfig(v) {
    const out: Record<string, unknown> = {};
    if (v.include_system_components === true) out.include_system_components = true;
    if (v.include_updates === true) out.include_updates = true;
    return out;
  },
  // Only the CLI calls this: the policy engine, yaml and zod stay out of the running agent.
  prepare: async (v) => (await import('./check-policy.ts')).prepareSoftwareCheck(v),
  toJson(_samples, _events, extra) {
    const doc = docOf(extra);
    const prep = extra.prepared as SoftwareCheckPrepared | undefined;
    return doc && prep ? prep.json(doc) : doc;
  },
  jsonDocument: true,
  help: {
    policy: 'a licensing policy file (YAML: rules matching name, publisher, version → forbidden, requires_license, approved)',
    strict: 'WARNING when software no rule matches (unreviewed) is installed',
    'include-system-components': 'also list entries marked SystemComponent=1 (Windows)',
    'include-updates': 'also list updates and hotfixes (ParentKeyName, ReleaseType) (Windows)',
  },
};
