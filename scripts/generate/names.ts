/**
 * The names derived from a rule declaration, in one place: the function folder, the template's
 * logical ids and parameter names, and where the declaration lives. Logical ids keep the names
 * the stack has always had, so an existing stack updates in place instead of replacing resources.
 */
import type { RuleDeclaration } from '../../rules/declaration.js';

/** `ena-instance-enabled` → `instance-enabled`: the folder under functions/ and dist/functions/, and the rule's file under rules/. */
export function ruleFolder(rule: Pick<RuleDeclaration, 'id'>): string {
  return rule.id.replace(/^ena-/, '');
}

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `ena-instance-enabled` → `InstanceEnabled`: the prefix of the rule's logical ids. */
export function logicalBase(rule: Pick<RuleDeclaration, 'id'>): string {
  return pascal(ruleFolder(rule));
}

/** `exemptionTagKey` → `ExemptionTagKey`: the template parameter behind a rule parameter. */
export function templateParameterName(ruleParameter: string): string {
  return ruleParameter.charAt(0).toUpperCase() + ruleParameter.slice(1);
}

/** The template parameter that deploys an opt-in rule, e.g. `DeployExpressEnabledRule`. */
export function deployParameterName(rule: Pick<RuleDeclaration, 'id'>): string {
  return `Deploy${logicalBase(rule)}Rule`;
}

/** The condition that an opt-in rule's resources carry. */
export function deployConditionName(rule: Pick<RuleDeclaration, 'id'>): string {
  return `${logicalBase(rule)}RuleDeployed`;
}

/** `ena-instance-enabled` → `rules/instance-enabled.ts` exporting `instanceEnabledRule`. */
export function declarationModule(rule: Pick<RuleDeclaration, 'id'>): { readonly path: string; readonly exportName: string } {
  const base = logicalBase(rule);
  return { path: `rules/${ruleFolder(rule)}.ts`, exportName: `${base.charAt(0).toLowerCase()}${base.slice(1)}Rule` };
}

/** `EnaGuard-EnableEnaSupport` → `EnableEnaSupport`: the prefix of the runbook's document and role in infra/base.yaml. */
export function documentBase(document: string): string {
  return document.replace(/^EnaGuard-/, '');
}
