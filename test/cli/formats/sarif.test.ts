/**
 * SARIF output validated with ajv against the OASIS schemas vendored in test/fixtures/sarif/
 * (see its README): the 2.1.0 Errata 01 schema and the committee-specification schema.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../rules/registry.js';
import type { FindingsDocument } from '../../../src/cli/findings.js';
import { render } from '../../../src/cli/formats/index.js';
import { demoDocument, documentOf, finding } from './documents.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sarif/${name}`, import.meta.url), 'utf8');
const SCHEMAS = {
  'sarif-schema-2.1.0.json': 'c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e',
  'sarif-schema-2.1.0-cs01.json': '6352a05f9d03f181b8d9c71a46bdacc4fcff9d8ade5364858b425ba0c0994ed7',
} as const;

/**
 * ajv 8 speaks draft-07 and later. The errata schema declares draft-04, but the only draft-04
 * keyword it uses is its top-level `id` (a base URI its `#/definitions` references never need),
 * so ajv validates it with that keyword switched off. `unicodeRegExp: false` because one pattern
 * (language tags) is not valid with the `u` flag. Formats ajv-formats would bring are checked
 * the way consumers read them.
 */
function validatorFor(name: keyof typeof SCHEMAS): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateSchema: false, logger: false });
  ajv.removeKeyword('id');
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///'));
  ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
  const schema = JSON.parse(fixture(name)) as Record<string, unknown>;
  const { $schema: _dialect, ...rest } = schema;
  return ajv.compile(rest);
}

interface SarifLog {
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string } }[] } };
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; associatedRule: { id: string } }[] }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      kind: string;
      level: string;
      message: { text: string };
      locations: { logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[] }[];
    }[];
  }[];
}

let demo: FindingsDocument;
let sarif: SarifLog;
beforeAll(async () => {
  demo = await demoDocument();
  sarif = JSON.parse(render(demo, 'sarif', { colour: false })) as SarifLog;
});

describe('the sarif format', () => {
  it.each(Object.entries(SCHEMAS))('uses %s exactly as OASIS published it', (name, sha256) => {
    expect(createHash('sha256').update(fixture(name)).digest('hex')).toBe(sha256);
  });

  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])('validates against %s for a run over the demo fleet', (name) => {
    const validate = validatorFor(name);

    validate(sarif);

    expect(validate.errors ?? []).toEqual([]);
  });

  it.each(Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[])('has a validator for %s that refuses a broken log', (name) => {
    const validate = validatorFor(name);
    const broken = structuredClone(sarif);
    (broken.runs[0]!.results[0] as { level: string }).level = 'fatal';

    expect(validate(broken)).toBe(false);
  });

  it('declares every rule once, with its declaration as the short description', () => {
    const { driver } = sarif.runs[0]!.tool;

    expect(driver.name).toBe('ena-guard');
    expect(driver.version).toBe(demo.tool.version);
    expect(driver.rules).toEqual(RULES.map((rule) => ({ id: rule.id, shortDescription: { text: rule.description } })));
  });

  it('gives one result per finding, pointing at its rule by id and index', () => {
    const { results, tool } = sarif.runs[0]!;

    expect(results).toHaveLength(demo.findings.length);
    for (const result of results) expect(tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it.each([
    ['NON_COMPLIANT', 'fail', 'error'],
    ['NOT_JUDGED', 'fail', 'warning'],
    ['COMPLIANT', 'pass', 'none'],
    ['NOT_APPLICABLE', 'notApplicable', 'none'],
  ] as const)('reports %s as kind %s, level %s, with the annotation as message and the resource as location', (verdict, kind, level) => {
    const log = JSON.parse(render(documentOf([finding({ verdict })]), 'sarif', { colour: false })) as SarifLog;

    expect(log.runs[0]!.results[0]).toMatchObject({
      ruleId: 'ena-instance-enabled',
      kind,
      level,
      message: { text: 'enaSupport is false on an instance type that supports ENA.' },
      locations: [{ logicalLocations: [{ name: 'i-0123456789abcdef0', fullyQualifiedName: '111111111111/eu-west-1/AWS::EC2::Instance/i-0123456789abcdef0', kind: 'resource' }] }],
    });
  });

  it('keeps level "none" on every result that is not a failure (SARIF 2.1.0 §3.27.10)', () => {
    for (const result of sarif.runs[0]!.results) if (result.kind !== 'fail') expect(result.level).toBe('none');
  });

  it('reports a rule that did not complete as an unsuccessful invocation naming it', () => {
    const [invocation] = sarif.runs[0]!.invocations;

    expect(invocation?.executionSuccessful).toBe(false);
    expect(invocation?.toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'ena-express-enabled did not cover 222222222222 us-east-1: DescribeImages was throttled' }, associatedRule: { id: 'ena-express-enabled' } },
    ]);
  });
});
