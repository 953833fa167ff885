import { loadConfig } from '../../../config/load.ts';
import { softwarePolicySchema } from '../../../lib/software-policy-schema.ts';
import { PolicyEngine } from '../../../lib/software-policy.ts';
import { ExitCode, type CheckStatus } from '../probe.ts';
import type { SoftwareDocument } from './inventory.ts';
import type { SoftwareCheckPrepared } from './probe.ts';

/**
 * `watchpost check software [--policy FILE] [--strict]`: loaded only by the CLI (the agent
 * never runs a policy; the collector does). A policy file is validated like every config
 * (ConfigError with file:line, path and fix). Without one every program is unreviewed.
 */
export function prepareSoftwareCheck(values: { policy?: unknown; strict?: unknown }): SoftwareCheckPrepared {
  const rules = typeof values.policy === 'string' ? loadConfig(values.policy, softwarePolicySchema).rules : [];
  const engine = new PolicyEngine(rules);
  const strict = values.strict === true;
  return {
    json(doc: SoftwareDocument) {
      const software = doc.software.map((s) => ({
        name: s.name,
        version: s.version,
        publisher: s.publisher,
        arch: s.arch,
        install_date: s.install_date,
        source: s.source,
        scope: s.scope,
      }));
      return {
        os: { name: doc.os.name, version: doc.os.version, edition: doc.os.edition, activation: doc.os.activation },
        software,
        findings: engine.findings(doc.software),
        licensing: engine.licensing([doc.software]),
      };
    },
    status(doc: SoftwareDocument): CheckStatus {
      const f = engine.findings(doc.software);
      const forbidden = f.filter((x) => x.action === 'forbidden');
      const unreviewed = f.filter((x) => x.action === 'unreviewed').length;
      const failed = Object.keys(doc.errors);
      const summary = `${doc.software.length} programs, ${forbidden.length} forbidden, ${unreviewed} unreviewed; ${doc.os.name} ${doc.os.version} activation ${doc.os.activation}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`;
      // On one machine only a forbidden program is critical: licence counts are a fleet question.
      if (forbidden.length)
        return {
          code: ExitCode.CRITICAL,
          summary: `${summary} (${forbidden
            .map((x) => x.name)
            .slice(0, 5)
            .join(', ')})`,
        };
      // A source that failed may hide a forbidden program: "OK" would be a guess.
      if (failed.length) return { code: ExitCode.UNKNOWN, summary };
      if (strict && unreviewed) return { code: ExitCode.WARNING, summary };
      return { code: ExitCode.OK, summary };
    },
  };
}
