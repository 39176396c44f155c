/** Reads template.yaml with CloudFormation's short-form intrinsic tags (!Ref, !Sub, …). */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'Select', 'Join', 'FindInMap', 'Split', 'ImportValue', 'Condition', 'Base64', 'Cidr', 'GetAZs', 'Transform'];

function intrinsicTags(): (ScalarTag | CollectionTag)[] {
  return INTRINSICS.flatMap((name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const scalar: ScalarTag = { tag: `!${name}`, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }) };
    const seq: CollectionTag = { tag: `!${name}`, collection: 'seq', resolve: (value) => ({ [key]: (value as { toJSON(): unknown }).toJSON() }) };
    const map: CollectionTag = { tag: `!${name}`, collection: 'map', resolve: (value) => ({ [key]: (value as { toJSON(): unknown }).toJSON() }) };
    return [scalar, seq, map];
  });
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface Template {
  readonly Parameters?: Record<string, Record<string, unknown>>;
  readonly Globals?: { Function?: Record<string, unknown> };
  readonly Resources: Record<string, TemplateResource>;
}

export function readTemplate(path: string): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: intrinsicTags() }) as Template;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** A statement written as `!If [Condition, statement, !Ref AWS::NoValue]`: the statement it grants when the condition holds. */
function unwrapConditional(statement: PolicyStatement | { 'Fn::If': [string, PolicyStatement, unknown] }): PolicyStatement {
  return 'Fn::If' in statement ? statement['Fn::If'][1] : statement;
}

/** The statements of a SAM function's inline policies (conditional ones as if their condition held). */
export function grantedStatements(resource: TemplateResource): PolicyStatement[] {
  const policies = (resource.Properties?.Policies ?? []) as ({ Statement?: PolicyStatement[] } | string)[];
  return policies.flatMap((policy) => {
    if (typeof policy === 'string') throw new Error(`Managed policy ${policy} cannot be checked for least privilege`);
    return (policy.Statement ?? []).map(unwrapConditional);
  });
}

/** The IAM actions a SAM function's inline policies grant. */
export function grantedActions(resource: TemplateResource): string[] {
  return grantedStatements(resource).flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}
