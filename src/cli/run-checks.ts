/**
 * Runs rule specs on demand (no Config involved) and collects their results: the CLI's engine.
 * It drives the same specs and the same sweep as the Lambda, so a verdict printed here is the
 * verdict Config would record.
 */
import type { z } from 'zod';
import { parseRuleParameters } from '../../rules/parameters.js';
import type { ConfigRuleSpec, ResourceResult } from '../engine/rule-spec.js';
import { sweepRule } from '../engine/run-rule.js';
import type { Log } from '../engine/ports.js';
import { InvalidRuleParametersError } from '../errors.js';

export interface RuleRun {
  readonly ruleName: string;
  readonly results: readonly ResourceResult[];
  readonly complete: boolean;
  /** Why the sweep stopped early, if it did. */
  readonly error?: unknown;
}

export async function runCheck<S extends z.ZodObject>(
  spec: ConfigRuleSpec<S>,
  rawParameters: Readonly<Record<string, string>>,
  log: Log,
): Promise<RuleRun> {
  const parsed = parseRuleParameters(spec.parameters, rawParameters);
  if (!parsed.ok) throw new InvalidRuleParametersError(`${spec.name}: ${parsed.message}`, parsed.parameters);
  const results: ResourceResult[] = [];
  const outcome = await sweepRule(spec, parsed.value, {
    log,
    onResult: async (result) => {
      results.push(result);
    },
  });
  return { ruleName: spec.name, results, complete: outcome.complete, error: outcome.error };
}
