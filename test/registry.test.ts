/**
 * Registry conformance: every declared rule is wired everywhere its declaration says, and the
 * template's view of each parameter agrees with the rule's own schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseRuleParameters, templateFormOf, type TemplateParameterForm } from '../rules/parameters.js';
import { RULES } from '../rules/registry.js';
import { stackScopeParameters } from '../rules/stack-scope.js';
import { declarationModule, deployConditionName, documentBase, logicalBase, ruleFolder, templateParameterName } from '../scripts/generate/names.js';
import { remediationParameters, ruleTemplateParameters, templateParameter } from '../scripts/generate/template.js';
import { allChecks } from '../src/checks/index.js';
import { DEMO_FLEET } from '../src/cli/main.js';
import { snapshotSources } from '../src/facts/sources.js';
import { readTemplate } from './support/cloudformation.js';
import { fixedClock } from './support/instances.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const template = readTemplate(join(root, 'template.yaml'));
const rules = RULES.map((rule) => [rule.id, rule] as const);
/** A name as the template writes it: the stack's NamePrefix, then the name. */
const prefixed = (name: string) => ({ 'Fn::Sub': `\${NamePrefix}${name}` });

/** What CloudFormation accepts for a parameter of this form (AllowedPattern must match the whole value). */
function templateAccepts(form: TemplateParameterForm, value: string): boolean {
  if (form.type === 'Number') {
    if (!/^-?\d+(\.\d+)?$/.test(value)) return false;
    const number = Number(value);
    return (form.minValue === undefined || number >= form.minValue) && (form.maxValue === undefined || number <= form.maxValue);
  }
  if (form.allowedValues && !form.allowedValues.includes(value)) return false;
  if (form.allowedPattern && !new RegExp(form.allowedPattern).test(value)) return false;
  if (form.minLength !== undefined && value.length < form.minLength) return false;
  return form.maxLength === undefined || value.length <= form.maxLength;
}

const parameterCases = RULES.flatMap((rule) =>
  Object.entries(rule.parameters.shape).map(([key, schema]) => [`${rule.id}.${key}`, rule.parameters, key, templateFormOf(schema as z.ZodType, key)] as const),
);
/** Every sample of every parameter, so each parameter is also tried on the others' values. */
const everySample = [...new Set(parameterCases.flatMap(([, , , form]) => [...form.samples.accepted, ...form.samples.refused]))];

describe('rule registry', () => {
  it('declares each rule id once, as AWS Config allows rule names', () => {
    const ids = RULES.map((rule) => rule.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^ena-[a-z0-9-]{1,60}$/);
  });

  it.each(rules)('%s lives in the file its name says, under the name the generator imports', async (_id, rule) => {
    const { path, exportName } = declarationModule(rule);

    const module = (await import(join(root, path))) as Record<string, unknown>;

    expect(module[exportName]).toBe(rule);
  });

  it.each(rules)('%s has its function, log group, invoke permission and Config rule in the template', (_id, rule) => {
    const base = logicalBase(rule);
    const resources = template.Resources;
    const configRule = resources[`${base}Rule`]?.Properties as Record<string, unknown> & { Source: { SourceDetails: { MessageType: string }[] } };

    expect(resources[`${base}Function`]?.Properties?.CodeUri).toBe(`dist/functions/${ruleFolder(rule)}/`);
    expect(resources[`${base}LogGroup`]?.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[`${base}InvokePermission`]?.Type).toBe('AWS::Lambda::Permission');
    expect(configRule.ConfigRuleName).toEqual(prefixed(rule.id));
    const messageTypes = configRule.Source.SourceDetails.map((detail) => detail.MessageType).sort();
    const expected = [
      ...(rule.triggers.changeResourceTypes.length > 0 ? ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification'] : []),
      ...(rule.triggers.periodic ? ['ScheduledNotification'] : []),
    ].sort();
    expect(messageTypes).toEqual(expected);
    expect((configRule.Scope as { ComplianceResourceTypes?: string[] } | undefined)?.ComplianceResourceTypes ?? []).toEqual([...rule.triggers.changeResourceTypes]);
    for (const suffix of ['Function', 'LogGroup', 'InvokePermission', 'Rule']) {
      const resource = resources[`${base}${suffix}`] as { Condition?: string };
      expect(resource.Condition).toBe(rule.deployment === 'opt-in' ? deployConditionName(rule) : undefined);
    }
  });

  it.each(rules)('%s reads every parameter of its schema, and only those, from a template parameter of the declared form', (_id, rule) => {
    const configRule = template.Resources[`${logicalBase(rule)}Rule`]?.Properties as { InputParameters: Record<string, { Ref: string }> };
    const keys = Object.keys(rule.parameters.shape);

    expect(Object.keys(configRule.InputParameters).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const name = templateParameterName(key);
      expect(configRule.InputParameters[key]).toEqual({ Ref: name });
      expect(template.Parameters?.[name]).toEqual(templateParameter(templateFormOf(rule.parameters.shape[key] as z.ZodType, key)));
    }
  });

  it.each(rules)('%s honours the stack scope (ScopeTagKey, ScopeTagValue)', (_id, rule) => {
    expect(rule.parameters.shape).toHaveProperty('scopeTagKey', stackScopeParameters.scopeTagKey);
    expect(rule.parameters.shape).toHaveProperty('scopeTagValue', stackScopeParameters.scopeTagValue);
  });

  it('gives a parameter shared by several rules one form (one template parameter for all)', () => {
    const shared = [...ruleTemplateParameters(RULES)].filter(([, parameter]) => parameter.rules.length > 1);

    expect(shared.map(([name]) => name)).toContain('ExemptionTagKey');
  });

  it('sends every rule\'s compliance changes, and every remediation\'s outcome, to the owner alerts', () => {
    const changes = template.Resources.ComplianceChangeRule?.Properties as { EventPattern: { detail: { configRuleName: string[] } } };
    const outcomes = template.Resources.RemediationOutcomeRule?.Properties as { EventPattern: { detail: { Definition: { Ref: string }[] } } };
    const documents = [...new Set(RULES.flatMap((rule) => (rule.remediation ? [rule.remediation.document] : [])))];

    expect(changes.EventPattern.detail.configRuleName).toEqual(RULES.map((rule) => prefixed(rule.id)));
    expect(outcomes.EventPattern.detail.Definition.map((ref) => template.Resources[ref.Ref]?.Properties?.Name)).toEqual(documents.map(prefixed));
  });

  it('runs every declared rule in the CLI, and nothing else', () => {
    const checks = allChecks(snapshotSources(DEMO_FLEET, fixedClock));

    expect(checks.map((check) => check.name)).toEqual(RULES.map((rule) => rule.id));
  });

  it.each(rules)('%s has a table test that reaches all three outcomes', (_id, rule) => {
    const file = join(root, 'test', 'rules', `${ruleFolder(rule)}.test.ts`);

    expect(existsSync(file), `${file} exists`).toBe(true);
    const source = readFileSync(file, 'utf8');
    for (const outcome of ["'COMPLIANT'", "'NON_COMPLIANT'", "'NOT_APPLICABLE'"]) expect(source, `${file} expects ${outcome}`).toContain(outcome);
  });
});

describe('rule parameters and their template form', () => {
  it.each(parameterCases)('%s: the template default is the schema default', (_name, schema, key, form) => {
    const fromTemplate = parseRuleParameters(schema, { [key]: form.default });
    const omitted = parseRuleParameters(schema, {});

    expect(fromTemplate.ok && omitted.ok).toBe(true);
    if (fromTemplate.ok && omitted.ok) expect(fromTemplate.value[key]).toEqual(omitted.value[key]);
  });

  it.each(parameterCases)('%s: the rule and the template accept its accepted samples and refuse its refused ones', (_name, schema, key, form) => {
    for (const sample of form.samples.accepted) {
      expect(parseRuleParameters(schema, { [key]: sample }).ok, `rule accepts ${JSON.stringify(sample)}`).toBe(true);
      expect(templateAccepts(form, sample), `template accepts ${JSON.stringify(sample)}`).toBe(true);
    }
    for (const sample of form.samples.refused) {
      expect(parseRuleParameters(schema, { [key]: sample }).ok, `rule refuses ${JSON.stringify(sample)}`).toBe(false);
      expect(templateAccepts(form, sample), `template refuses ${JSON.stringify(sample)}`).toBe(false);
    }
    expect(form.samples.refused.length).toBeGreaterThan(0);
  });

  // An empty value is left out here: the rule reads it as "use the default", CloudFormation
  // checks it against the form; the default itself is checked above.
  it.each(parameterCases)('%s: the rule and the template agree on every other parameter\'s samples too', (_name, schema, key, form) => {
    const disagreements = everySample
      .filter((sample) => sample !== '')
      .filter((sample) => parseRuleParameters(schema, { [key]: sample }).ok !== templateAccepts(form, sample));

    expect(disagreements).toEqual([]);
  });
});

describe('remediations', () => {
  const remediated = RULES.flatMap((rule) => (rule.remediation ? [[rule.id, rule, rule.remediation] as const] : []));

  it.each(remediated)('%s passes only parameters its runbook declares, and every one it requires', (_id, rule, remediation) => {
    const document = parse(readFileSync(join(root, 'automation-docs', `${remediation.document}.yaml`), 'utf8')) as {
      parameters: Record<string, { default?: unknown; allowedValues?: string[]; allowedPattern?: string }>;
    };
    const passed = Object.keys(remediationParameters(remediation));
    const required = Object.entries(document.parameters).filter(([, parameter]) => parameter.default === undefined).map(([name]) => name);

    expect(passed.filter((name) => !(name in document.parameters))).toEqual([]);
    expect(required.filter((name) => !passed.includes(name))).toEqual([]);
    expect(passed).toContain('AutomationAssumeRole');
    for (const [name, value] of Object.entries(remediation.staticParameters)) {
      if (!('literal' in value)) continue;
      const declared = document.parameters[name];
      if (declared?.allowedValues) expect(declared.allowedValues).toContain(value.literal);
      if (declared?.allowedPattern) expect(value.literal).toMatch(new RegExp(declared.allowedPattern));
    }
    const configuration = template.Resources[`${logicalBase(rule)}Remediation`]?.Properties as { TargetId: { Ref: string }; Parameters: unknown };
    expect(template.Resources[configuration.TargetId.Ref]?.Properties?.Name).toEqual(prefixed(remediation.document));
    expect(configuration.TargetId.Ref).toBe(`${documentBase(remediation.document)}Document`);
  });
});
