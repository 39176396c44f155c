/**
 * Binds rule declarations to fact sources: the one place that knows which binder serves which
 * subject. The CLI, the demo and the benchmark run every rule of the registry through it; each
 * Lambda entry point (generated) calls the binder of its own rule directly, so that its bundle
 * holds only that rule's code and clients.
 */
import type { RuleDeclaration } from '../../rules/declaration.js';
import { RULES } from '../../rules/registry.js';
import type { ConfigRuleSpec } from '../engine/rule-spec.js';
import type { FactSources } from '../facts/sources.js';
import { bindImageRule } from './image-enabled.js';
import { bindInstanceRule } from './instance-rule.js';

export function bindRule(rule: RuleDeclaration, sources: FactSources): ConfigRuleSpec {
  return rule.subject === 'instance' ? bindInstanceRule(rule, sources) : bindImageRule(rule, sources);
}

/** Every rule of the registry, bound to one set of fact sources. */
export function allChecks(sources: FactSources, rules: readonly RuleDeclaration[] = RULES): ConfigRuleSpec[] {
  return rules.map((rule) => bindRule(rule, sources));
}
