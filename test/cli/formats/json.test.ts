import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FindingsDocument } from '../../../src/cli/findings.js';
import { render } from '../../../src/cli/formats/index.js';
import { demoDocument, documentOf, finding } from './documents.js';

interface ObjectSchema {
  readonly type: 'object';
  readonly additionalProperties: boolean;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, unknown>>;
}

const schema = JSON.parse(readFileSync(new URL('../../../schemas/findings.schema.json', import.meta.url), 'utf8')) as ObjectSchema & {
  $defs: Record<'finding' | 'runRecord', ObjectSchema>;
  properties: { tool: ObjectSchema; summary: ObjectSchema; source: { oneOf: ObjectSchema[] } };
};

/** ajv without ajv-formats: date-time checked by round-tripping through Date, which is what consumers do. */
function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)));
  return ajv.compile(schema);
}

/** An object's keys split the way a schema lists them: every key, and those present whatever the data. */
function keysOf(value: object) {
  return Object.keys(value).sort();
}

let demo: FindingsDocument;
beforeAll(async () => {
  demo = await demoDocument();
});

describe('the json format', () => {
  it('prints the findings document itself', () => {
    expect(JSON.parse(render(demo, 'json', { colour: false }))).toEqual(demo);
  });

  it('validates against schemas/findings.schema.json for a run over the demo fleet', () => {
    const validate = validator();

    const valid = validate(JSON.parse(render(demo, 'json', { colour: false })));

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([
    ['an unknown verdict', { ...demo, findings: [{ ...finding(), verdict: 'INSUFFICIENT_DATA' }] }],
    ['a field the type does not have', { ...demo, findings: [{ ...finding(), severity: 'HIGH' }] }],
    ['a finding without its reasons', { ...demo, findings: [{ ...finding(), reasons: undefined }] }],
    ['a run record without complete', { ...demo, runs: [{ rule: 'ena-instance-enabled', accountId: '', region: '' }] }],
    ['a source of an unknown kind', { ...demo, source: { kind: 'guess' } }],
    ['a time that is not ISO 8601', { ...demo, generatedAt: 'yesterday' }],
    ['another schema version', { ...demo, schemaVersion: '2.0' }],
  ])('refuses %s', (_name, document) => {
    expect(validator()(JSON.parse(JSON.stringify(document)))).toBe(false);
  });

  it('lists exactly the fields of Finding, RunRecord and FindingsDocument, optional ones outside required', () => {
    // Prepare: one of each, every optional field set (TypeScript checks these objects are complete).
    const full = finding({ runbook: 'EnaGuard-EnableEnaSupport' });
    const { runbook: _runbook, ...mandatory } = full;
    const run = { rule: 'ena-instance-enabled', accountId: '111111111111', region: 'eu-west-1', complete: false, error: 'throttled' } satisfies FindingsDocument['runs'][number];
    const document = documentOf([full], [run]);

    // Assess: the schema names each key, requires the mandatory ones and refuses any other.
    const cases: [ObjectSchema, object, readonly string[]][] = [
      [schema, document, keysOf(document)],
      [schema.$defs.finding, full, keysOf(mandatory)],
      [schema.$defs.runRecord, run, ['accountId', 'complete', 'region', 'rule']],
      [schema.properties.tool, document.tool, keysOf(document.tool)],
      [schema.properties.summary, document.summary, keysOf(document.summary)],
    ];
    for (const [part, value, required] of cases) {
      expect(keysOf(part.properties)).toEqual(keysOf(value));
      expect([...part.required].sort()).toEqual(required);
      expect(part.additionalProperties).toBe(false);
    }
    const sources: FindingsDocument['source'][] = [{ kind: 'snapshot', path: 'fleet/' }, { kind: 'live' }, { kind: 'aggregator', name: 'org' }];
    expect(schema.properties.source.oneOf.map((option) => keysOf(option.properties))).toEqual(sources.map(keysOf));
    for (const source of sources) expect(validator()({ ...document, source })).toBe(true);
  });
});
