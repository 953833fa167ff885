import { z } from 'zod';
import { compilePattern } from './software-match.ts';

const pattern = z
  .string()
  .min(1)
  .superRefine((p, ctx) => {
    try {
      compilePattern(p);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: (e as Error).message,
        params: {
          fix: 'write a glob ("Microsoft Office*": * any run, ? one character) or a JavaScript regular expression between slashes ("/迅雷|Thunder/i")',
        },
      });
    }
  });

export const softwareRuleSchema = z
  .strictObject({
    /** Shown in findings and the licensing report. */
    name: z.string().min(1).max(200).describe('Shown in findings and the licensing report.'),
    /** Every given field must match (glob, or /regex/flags). */
    match: z
      .strictObject({
        name: pattern.optional().describe("The program's name."),
        publisher: pattern.optional().describe('Its publisher.'),
        version: pattern.optional().describe('Its version.'),
      })
      .refine((m) => m.name !== undefined || m.publisher !== undefined || m.version !== undefined, {
        message: 'match needs at least one of name, publisher, version',
        params: { fix: 'add name: "pattern" (or publisher, version) to match' },
      })
      .describe('Every given field must match (glob, or /regex/flags).'),
    action: z
      .enum(['forbidden', 'requires_license', 'approved'])
      .describe('What a match means: forbidden, requires_license (counted against licenses) or approved.'),
    /** requires_license: licences held; machines with a matching installation are counted against it. */
    licenses: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .optional()
      .describe('requires_license: licences held; machines with a matching installation are counted against it.'),
  })
  .superRefine((r, ctx) => {
    if (r.action === 'requires_license' && r.licenses === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['licenses'],
        message: 'requires_license needs "licenses: N" (the number of licences held)',
        params: { fix: 'add "licenses: N" with the number of licences you hold (0 if none)' },
      });
    if (r.action !== 'requires_license' && r.licenses !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['licenses'],
        message: `"licenses" only applies to action requires_license (this rule is ${r.action})`,
        params: { fix: 'remove "licenses", or set action: requires_license' },
      });
  });

/**
 * A software-licensing policy: rules tried in order, the first that matches an installed
 * program decides its action; a program no rule matches is `unreviewed`. The same shape
 * is the collector config's `software.policy` and a file for `watchpost check software --policy`.
 */
export const softwarePolicySchema = z
  .strictObject({
    rules: z.array(softwareRuleSchema).max(10_000).default([]).describe('Tried in order; the first rule that matches a program decides; no match: unreviewed.'),
  })
  .superRefine((p, ctx) => {
    const seen = new Map<string, number>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `rule name "${r.name}" is already used by rules[${seen.get(r.name)}]: names must be unique (findings and licence counts are reported by name)`,
          params: { fix: 'give this rule another name' },
        });
      else seen.set(r.name, i);
    });
  });

export type SoftwareRule = z.infer<typeof softwareRuleSchema>;
export type SoftwarePolicy = z.infer<typeof softwarePolicySchema>;
