import { describe, expect, it } from 'vitest';
import { DocumentError, UnsupportedOperationError, loadDocument, parseDocument, select, simulate, substitute } from '../../src/simulator/index.js';
import { documentPath, singleInstanceAccount } from './fixtures.js';

const MINIMAL_STEP = { name: 'pause', action: 'aws:sleep', inputs: { Duration: 'PT1S' } };

describe('the document schema', () => {
  const refused: { readonly why: string; readonly document: unknown; readonly message: RegExp }[] = [
    { why: 'another schema version', document: { schemaVersion: '2.2', mainSteps: [MINIMAL_STEP] }, message: /schemaVersion/ },
    { why: 'a misspelt step property', document: { schemaVersion: '0.3', mainSteps: [{ ...MINIMAL_STEP, onfailure: 'Continue' }] }, message: /onfailure/ },
    { why: 'a duplicate step name', document: { schemaVersion: '0.3', mainSteps: [MINIMAL_STEP, MINIMAL_STEP] }, message: /duplicate step name pause/ },
    { why: 'an onFailure value of another form', document: { schemaVersion: '0.3', mainSteps: [{ ...MINIMAL_STEP, onFailure: 'Retry' }] }, message: /onFailure is Abort, Continue or step:<name>/ },
    { why: 'a parameter type that does not exist', document: { schemaVersion: '0.3', parameters: { X: { type: 'Number' } }, mainSteps: [MINIMAL_STEP] }, message: /parameters\.X\.type/ },
    {
      why: 'a branch choice pointing nowhere',
      document: { schemaVersion: '0.3', mainSteps: [{ name: 'route', action: 'aws:branch', inputs: { Choices: [{ NextStep: 'ghost', Variable: 'a', StringEquals: 'a' }] } }] },
      message: /Choices\.0\.NextStep: refers to step ghost/,
    },
    { why: 'an output that is not <step>.<output>', document: { schemaVersion: '0.3', mainSteps: [MINIMAL_STEP], outputs: ['pause'] }, message: /outputs are <step>.<output>/ },
  ];

  it.each(refused)('refuses $why', ({ document, message }) => {
    // Act
    const parsing = (): unknown => parseDocument('bad', JSON.stringify(document));

    // Assess
    expect(parsing).toThrow(DocumentError);
    expect(parsing).toThrow(message);
  });

  it('refuses text that is neither YAML nor JSON', () => {
    // Act
    const parsing = (): unknown => parseDocument('garbled', 'mainSteps: [unclosed');

    // Assess
    expect(parsing).toThrow(/Document garbled: is neither valid YAML nor JSON/);
  });

  it('refuses, before the first step, an API the account model does not implement', async () => {
    // Prepare
    const document = await loadDocument(documentPath('unmodelled-api.yaml'));
    const account = singleInstanceAccount();

    // Act
    const running = simulate(document, {}, { account });

    // Assess
    await expect(running).rejects.toThrow(UnsupportedOperationError);
    await expect(running).rejects.toThrow('Step listVpcs: The account model does not implement ec2:DescribeVpcs');
    expect(account.calls.calls()).toHaveLength(0);
  });
});

describe('selectors', () => {
  const data = {
    Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' }, Tags: [{ Key: 'a', Value: '1' }] }, { InstanceId: 'i-2', State: { Name: 'stopped' } }] }],
    'odd key': 'yes',
  };
  const rows: { readonly selector: string; readonly expected: unknown }[] = [
    { selector: '$.Reservations[0].Instances[0].State.Name', expected: 'running' },
    { selector: '$.Reservations[0].Instances[1].InstanceId', expected: 'i-2' },
    { selector: '$.Reservations[0].Instances[*].InstanceId', expected: ['i-1', 'i-2'] },
    { selector: '$..InstanceId', expected: ['i-1', 'i-2'] },
    { selector: "$['odd key']", expected: 'yes' },
    { selector: '$.Reservations[0].Instances[0].Tags[0]', expected: { Key: 'a', Value: '1' } },
    { selector: '$.Reservations[5].Instances[0]', expected: undefined },
    { selector: '$.Nope.Deeper', expected: undefined },
  ];

  it.each(rows)('selects $selector', ({ selector, expected }) => {
    // Act
    const value = select(data, selector);

    // Assess
    expect(value).toEqual(expected);
  });

  it('refuses a selector it cannot parse', () => {
    // Act
    const selecting = (): unknown => select(data, '$.Reservations[0');

    // Assess
    expect(selecting).toThrow(/Selector \$\.Reservations\[0 is not valid/);
  });
});

describe('substitution', () => {
  const scope = {
    parameters: { Ids: ['i-1', 'i-2'], Count: 3 },
    stepOutputs: new Map([['describe', { State: 'running' }]]),
    system: { 'automation:EXECUTION_ID': 'exec-1' },
  };

  it('keeps the native type of a whole-string reference and renders embedded ones as text', () => {
    // Act
    const value = substitute({ InstanceIds: '{{ Ids }}', Note: 'n={{Count}} s={{ describe.State }} by {{ automation:EXECUTION_ID }}', Nested: ['{{ Count }}'] }, scope);

    // Assess
    expect(value).toEqual({ InstanceIds: ['i-1', 'i-2'], Note: 'n=3 s=running by exec-1', Nested: [3] });
  });

  it.each([
    ['{{ Missing }}', /no parameter Missing/],
    ['{{ global:SOMETHING }}', /unknown system variable/],
    ['{{ ssm:/ena-guard/policy }}', /Parameter Store references are not modelled/],
    ['{{ other.Output }}', /step other has not run/],
  ])('refuses %s instead of leaving it in place', (text, message) => {
    // Act
    const substituting = (): unknown => substitute(text, scope);

    // Assess
    expect(substituting).toThrow(message);
  });
});
