/**
 * Runs rule specs on demand (no Config involved) and collects their results: the CLI's engine.
 * It drives the same specs and the same sweep as the Lambda, so a verdict printed here is the
 * verdict Config would record.
 */
import type { z } from 'zod';
import { allChecks } from '../checks/index.js';
import type { FactSources } from '../facts/sources.js';
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
  /** The Region swept, in live mode. */
  readonly region?: string;
}

/**
 * Splits `--param` values between rules: `rule-name.key=value` goes to that rule only, a plain
 * `key=value` to every rule that has such a parameter. A key that no rule has is refused, so a
 * typo is never silently ignored.
 */
export function parametersPerRule(
  specs: readonly ConfigRuleSpec[],
  raw: Readonly<Record<string, string>>,
): Map<string, Record<string, string>> {
  const perRule = new Map<string, Record<string, string>>(specs.map((spec) => [spec.name, {}]));
  for (const [key, value] of Object.entries(raw)) {
    const targeted = specs.find((spec) => key.startsWith(`${spec.name}.`));
    if (targeted) {
      perRule.get(targeted.name)![key.slice(targeted.name.length + 1)] = value;
      continue;
    }
    const takers = specs.filter((spec) => Object.hasOwn(spec.parameters.shape, key));
    if (takers.length === 0) {
      const known = [...new Set(specs.flatMap((spec) => Object.keys(spec.parameters.shape)))].sort();
      throw new InvalidRuleParametersError(`No rule has a parameter "${key}" (known: ${known.join(', ')}).`, [key]);
    }
    for (const spec of takers) perRule.get(spec.name)![key] = value;
  }
  return perRule;
}

/** @param accountId the account swept (STS's, live), for rules that judge the account itself. */
export async function runCheck<S extends z.ZodObject>(
  spec: ConfigRuleSpec<S>,
  rawParameters: Readonly<Record<string, string>>,
  log: Log,
  accountId?: string,
): Promise<RuleRun> {
  const parsed = parseRuleParameters(spec.parameters, rawParameters);
  if (!parsed.ok) throw new InvalidRuleParametersError(`${spec.name}: ${parsed.message}`, parsed.parameters);
  const results: ResourceResult[] = [];
  const outcome = await sweepRule(spec, parsed.value, {
    log,
    accountId,
    onResult: async (result) => {
      results.push(result);
    },
  });
  return { ruleName: spec.name, results, complete: outcome.complete, error: outcome.error };
}

export interface CheckHooks {
  /** The account the sources read (live: from STS). */
  readonly accountId?: string;
  /** Before each rule runs (progress for people). */
  readonly onStart?: (rule: string) => void;
  /** After each rule ran. */
  readonly onRun?: (run: RuleRun) => void;
}

/** Every check over one set of fact sources (a snapshot, or one account and Region), one after another. */
export async function runAllChecks(sources: FactSources, parameters: Readonly<Record<string, string>>, log: Log, hooks: CheckHooks = {}): Promise<RuleRun[]> {
  const specs = allChecks(sources);
  const perRule = parametersPerRule(specs, parameters);
  const runs: RuleRun[] = [];
  for (const spec of specs) {
    hooks.onStart?.(spec.name);
    const run = await runCheck(spec, perRule.get(spec.name) ?? {}, log, hooks.accountId);
    hooks.onRun?.(run);
    runs.push(run);
  }
  return runs;
}
