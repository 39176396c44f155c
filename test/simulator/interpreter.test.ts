import { describe, expect, it } from 'vitest';
import {
  AccountModel,
  DocumentError,
  Faults,
  ParameterError,
  UnsupportedActionError,
  loadDocument,
  simulate,
  type StepTrace,
} from '../../src/simulator/index.js';
import { DOCUMENTS_DIR, INSTANCE_ID, START, documentPath, singleInstanceAccount } from './fixtures.js';

function stepNames(trace: readonly StepTrace[]): string[] {
  return trace.map((s) => s.stepName);
}

function step(trace: readonly StepTrace[], name: string): StepTrace {
  const found = trace.find((s) => s.stepName === name);
  if (found === undefined) throw new Error(`step ${name} did not run`);
  return found;
}

describe('loading documents', () => {
  it('loads a YAML document and names it after its file', async () => {
    // Act
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));

    // Assess
    expect(document.name).toBe('stop-start-instance');
    expect(document.content.mainSteps.map((s) => s.name)).toEqual(['requestStop', 'waitUntilStopped', 'requestStart', 'waitUntilRunning', 'readFinalState']);
  });

  it('loads a JSON document and runs it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('simple.json'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel({ startTime: START }) });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.endTime.getTime() - result.startTime.getTime()).toBe(5000);
  });

  it('refuses a document whose onFailure points at a missing step', async () => {
    // Act
    const loading = loadDocument(documentPath('broken-reference.yaml'));

    // Assess
    await expect(loading).rejects.toThrow(DocumentError);
    await expect(loading).rejects.toThrow(/mainSteps\.0\.onFailure: refers to step nowhere/);
  });
});

describe('refusals before the first step', () => {
  it('refuses an unknown action, naming it, before any step runs', async () => {
    // Prepare
    const document = await loadDocument(documentPath('unknown-action.yaml'));
    const account = new AccountModel();

    // Act
    const running = simulate(document, {}, { account });

    // Assess
    await expect(running).rejects.toThrow(UnsupportedActionError);
    await expect(running).rejects.toThrow('Step invokeLambda: action aws:invokeLambdaFunction is not supported by the simulator');
    expect(account.clock.nowMs()).toBe(new Date('2026-01-01T00:00:00.000Z').getTime());
  });

  it('refuses a missing parameter, naming it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));

    // Act
    const running = simulate(document, {}, { account: singleInstanceAccount() });

    // Assess
    await expect(running).rejects.toThrow(ParameterError);
    await expect(running).rejects.toThrow('Parameter InstanceId: is required and has no default');
  });

  it('refuses a parameter that does not match its allowedPattern, and makes no API call', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const account = singleInstanceAccount();

    // Act
    const running = simulate(document, { InstanceId: 'not-an-instance' }, { account });

    // Assess
    await expect(running).rejects.toThrow(/Parameter InstanceId: value "not-an-instance" does not match allowedPattern/);
    expect(account.calls.calls()).toHaveLength(0);
  });

  it('refuses a value outside allowedValues', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parameters.yaml'));

    // Act
    const running = simulate(document, { InstanceId: INSTANCE_ID, Mode: 'destroy' }, { account: singleInstanceAccount() });

    // Assess
    await expect(running).rejects.toThrow('Parameter Mode: value "destroy" is not one of the allowed values ["check","fix"]');
  });

  it('refuses a value of the wrong type', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parameters.yaml'));

    // Act
    const running = simulate(document, { InstanceId: INSTANCE_ID, Retries: 'three' }, { account: singleInstanceAccount() });

    // Assess
    await expect(running).rejects.toThrow('Parameter Retries: expected a Integer, got "three"');
  });

  it('refuses a parameter the document does not declare', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parameters.yaml'));

    // Act
    const running = simulate(document, { InstanceId: INSTANCE_ID, Extra: 'x' }, { account: singleInstanceAccount() });

    // Assess
    await expect(running).rejects.toThrow('Parameter Extra: is not declared by document parameters');
  });

  it('refuses a StringList item that does not match the pattern', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parameters.yaml'));

    // Act
    const running = simulate(document, { InstanceId: INSTANCE_ID, Owners: ['ops', 'Bad Owner'] }, { account: singleInstanceAccount() });

    // Assess
    await expect(running).rejects.toThrow(/Parameter Owners: value "Bad Owner" does not match/);
  });
});

describe('parameters and variables', () => {
  it('applies defaults, converts types and renders every type inside strings', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parameters.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID, Retries: '5', DryRun: 'false' }, { account });

    // Assess
    expect(result.status).toBe('Success');
    const tags = Object.fromEntries((account.ec2.instance(INSTANCE_ID)?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      mode: 'check',
      retries: 'retries=5',
      'dry-run': 'dry-run=false',
      owners: 'owners=["ops"]',
      team: 'team={"team":"network"}',
      disks: 'disks=[{"DeviceName":"/dev/xvda"}]',
    });
  });

  it('types selected outputs and substitutes system variables', async () => {
    // Prepare
    const document = await loadDocument(documentPath('variables.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({
      'describe.State': 'running',
      'describe.StateCode': 16,
      'describe.EnaSupport': false,
      'describe.InstanceIds': [INSTANCE_ID],
    });
    const describeStep = step(result.trace, 'describe');
    expect(describeStep.outputs['Placement']).toMatchObject({ AvailabilityZone: 'us-east-1a' });
    expect(describeStep.outputs['Disks']).toEqual([expect.objectContaining({ DeviceName: '/dev/xvda' })]);
    expect(describeStep.outputs['LaunchTime']).toBe('2025-11-20T08:15:00.000Z');
    expect(describeStep.outputs).not.toHaveProperty('NotThere');
    const tags = Object.fromEntries((account.ec2.instance(INSTANCE_ID)?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags['execution']).toBe(result.executionId);
    expect(tags['stamp']).toBe('at 2026-03-02_09.00.00 on 2026-03-02');
    expect(tags['where']).toBe('123456789012/us-east-1/aws');
    expect(tags['state']).toBe('running');
    expect(step(result.trace, 'tagWithSystemVariables').inputs['Resources']).toEqual([INSTANCE_ID]);
  });

  it('fails the step that refers to an output the selector did not find', async () => {
    // Prepare
    const document = await loadDocument(documentPath('undefined-output.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(result.status).toBe('Failed');
    expect(step(result.trace, 'useIt').failureMessage).toBe('{{ describe.Missing }}: step describe has no output Missing');
  });
});

describe('control flow', () => {
  it('follows nextStep and stops at isEnd', async () => {
    // Prepare
    const document = await loadDocument(documentPath('next-step.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['first', 'third']);
    expect(result.trace[0]?.nextStep).toBe('third');
    expect(result.trace[1]?.nextStep).toBeUndefined();
    expect(result.status).toBe('Success');
  });

  it('stops at a failing step when onFailure is Abort (the default) and ends Failed', async () => {
    // Prepare
    const document = await loadDocument(documentPath('on-failure-abort.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['assertStopped']);
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toBe('Step assertStopped failed: Property $.Reservations[0].Instances[0].State.Name is "running"; expected one of ["stopped"]');
  });

  it('runs the next step after a critical failure with onFailure Continue, and still ends Failed', async () => {
    // Prepare
    const document = await loadDocument(documentPath('on-failure-continue.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['assertStopped', 'afterFailure']);
    expect(step(result.trace, 'afterFailure').status).toBe('Success');
    expect(result.status).toBe('Failed');
  });

  it('ends Success after a non-critical failure with onFailure Continue', async () => {
    // Prepare
    const document = await loadDocument(documentPath('on-failure-continue-noncritical.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(step(result.trace, 'assertStopped').status).toBe('Failed');
    expect(result.status).toBe('Success');
    expect(result.failureMessage).toBeUndefined();
  });

  it('jumps to the step named by onFailure step:X, skipping the steps between', async () => {
    // Prepare
    const document = await loadDocument(documentPath('on-failure-step.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['assertStopped', 'rollback']);
    expect(result.trace[0]?.nextStep).toBe('rollback');
    expect(result.status).toBe('Failed');
  });

  it('retries a failing step up to maxAttempts and succeeds on the third attempt', async () => {
    // Prepare
    const document = await loadDocument(documentPath('retry.yaml'));
    const account = singleInstanceAccount({ faults: [Faults.failTimes('ec2', 'DescribeInstances', 'InternalError', 2)] });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace[0]?.attempts).toBe(3);
    expect(result.trace[0]?.outputs).toEqual({ State: 'running' });
    expect(account.calls.calls({ operation: 'DescribeInstances' })).toHaveLength(3);
  });

  it('fails a step whose every attempt fails, reporting the AWS error', async () => {
    // Prepare
    const document = await loadDocument(documentPath('retry.yaml'));
    const account = singleInstanceAccount({ faults: [Faults.failAlways('ec2', 'DescribeInstances', 'InternalError')] });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.attempts).toBe(3);
    expect(result.trace[0]?.failureMessage).toMatch(/^An error occurred \(InternalError\) when calling the DescribeInstances operation: Injected fault/);
  });

  it('times out a wait in simulated time and ends TimedOut', async () => {
    // Prepare
    const document = await loadDocument(documentPath('wait-timeout.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('TimedOut');
    expect(stepNames(result.trace)).toEqual(['waitForStopped']);
    const wait = result.trace[0] as StepTrace;
    expect(wait.status).toBe('TimedOut');
    expect(wait.endTime.getTime() - wait.startTime.getTime()).toBe(120_000);
    expect(account.calls.calls({ operation: 'DescribeInstances' }).length).toBeGreaterThan(20);
  });

  it('keeps the automation successful when a non-critical wait times out and control goes to a fallback', async () => {
    // Prepare
    const document = await loadDocument(documentPath('wait-timeout-handled.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['waitForStopped', 'fallback']);
    expect(result.trace[0]?.status).toBe('TimedOut');
    expect(result.status).toBe('Success');
  });

  it('times out a sleep longer than its timeoutSeconds', async () => {
    // Prepare
    const document = await loadDocument(documentPath('sleep-timeout.yaml'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel() });

    // Assess
    expect(result.status).toBe('TimedOut');
    expect(result.endTime.getTime() - result.startTime.getTime()).toBe(60_000);
  });

  it('ends Cancelled and runs the onCancel step when the user cancels a step', async () => {
    // Prepare
    const document = await loadDocument(documentPath('cancel.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account, cancelDuringStep: 'longWait' });

    // Assess
    expect(stepNames(result.trace)).toEqual(['prepare', 'longWait', 'cleanup']);
    expect(step(result.trace, 'longWait').status).toBe('Cancelled');
    expect(result.status).toBe('Cancelled');
    expect(account.ec2.instance(INSTANCE_ID)?.Tags).toContainEqual({ Key: 'cancelled', Value: 'true' });
  });

  it('ends Cancelled at once when the cancelled step has no onCancel', async () => {
    // Prepare
    const document = await loadDocument(documentPath('cancel.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount(), cancelDuringStep: 'prepare' });

    // Assess
    expect(stepNames(result.trace)).toEqual(['prepare']);
    expect(result.status).toBe('Cancelled');
  });
});

describe('aws:branch', () => {
  const rows: { readonly text: string; readonly number: number; readonly flag: boolean; readonly expected: string }[] = [
    { text: 'web-01', number: 0, flag: false, expected: 'viaAndNot' },
    { text: 'web-01', number: 500, flag: true, expected: 'viaOr' },
    { text: 'api-prod', number: 5, flag: true, expected: 'viaOr' },
    { text: 'exact', number: 5, flag: false, expected: 'viaStringEquals' },
    { text: 'mixed', number: 5, flag: false, expected: 'viaEqualsIgnoreCase' },
    { text: 'hayneedlestack', number: 5, flag: false, expected: 'viaContains' },
    { text: 'x', number: 7, flag: false, expected: 'viaNumericEquals' },
    { text: 'x', number: -3, flag: false, expected: 'viaNumericLesser' },
    { text: 'x', number: 50, flag: false, expected: 'viaNumericGreaterOrEquals' },
    { text: 'x', number: 1, flag: false, expected: 'viaNumericLesserOrEquals' },
    { text: 'x', number: 5, flag: true, expected: 'viaBooleanEquals' },
    { text: 'x', number: 5, flag: false, expected: 'viaDefault' },
  ];

  it.each(rows)('sends Text=$text Number=$number Flag=$flag to $expected', async ({ text, number, flag, expected }) => {
    // Prepare
    const document = await loadDocument(documentPath('branch-operators.yaml'));

    // Act
    const result = await simulate(document, { Text: text, Number: number, Flag: flag }, { account: new AccountModel() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['route', expected]);
    expect(result.status).toBe('Success');
  });

  it('falls through to the next step when no choice holds and there is no Default', async () => {
    // Prepare
    const document = await loadDocument(documentPath('branch-without-default.yaml'));

    // Act
    const result = await simulate(document, { Platform: 'Linux' }, { account: new AccountModel() });

    // Assess
    expect(stepNames(result.trace)).toEqual(['route', 'nextInDocument']);
  });

  it('branches on a previous step output', async () => {
    // Prepare
    const document = await loadDocument(documentPath('branch-on-output.yaml'));
    const account = singleInstanceAccount({ instance: { State: { Code: 80, Name: 'stopped' } } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(stepNames(result.trace)).toEqual(['describe', 'route', 'alreadyStopped']);
  });
});

describe('aws:sleep', () => {
  it('advances the virtual clock by a duration and up to a timestamp', async () => {
    // Prepare
    const document = await loadDocument(documentPath('sleep.yaml'));
    const account = new AccountModel({ startTime: START });

    // Act
    const result = await simulate(document, {}, { account });

    // Assess
    expect(result.trace[0]?.endTime.toISOString()).toBe('2026-03-02T10:30:00.000Z');
    expect(result.endTime.toISOString()).toBe('2026-03-02T12:00:00.000Z');
  });
});

describe('aws:executeAutomation', () => {
  it('runs a nested document from the documents folder with list-wrapped runtime parameters', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parent.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount(), documentsDir: DOCUMENTS_DIR });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.outputs).toEqual({ 'runChild.Status': 'Success', 'runChild.Output': { 'describe.State': 'running' } });
    expect(result.trace[0]?.children?.map((s) => s.stepName)).toEqual(['describe']);
  });

  it('fails the step when the nested document cannot be found', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parent-of-missing.yaml'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel(), documentsDir: DOCUMENTS_DIR });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(/Document NoSuchDocument not found/);
  });

  it('runs a registered known document and fails when the nested run fails', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parent-of-known.yaml'));
    const failing = await loadDocument(documentPath('on-failure-abort.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount(), knownDocuments: { 'AWS-RestartEC2Instance': failing } });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(/^Nested automation AWS-RestartEC2Instance \(.+\) ended Failed: Step assertStopped failed/);
    expect(result.trace[0]?.children?.map((s) => s.status)).toEqual(['Failed']);
  });

  it('fails the step when the nested document refuses its parameters', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parent.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: 'bogus' }, { account: singleInstanceAccount(), documentsDir: DOCUMENTS_DIR });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(/Nested automation child refused: Parameter InstanceId/);
  });
});

describe('aws:approve', () => {
  it('approves by default and exposes the decision as an output', async () => {
    // Prepare
    const document = await loadDocument(documentPath('approve.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(account.ec2.instance(INSTANCE_ID)?.Tags).toContainEqual({ Key: 'approved', Value: 'Approved' });
  });

  it('fails the automation when the caller rejects', async () => {
    // Prepare
    const document = await loadDocument(documentPath('approve.yaml'));

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount(), approvals: { askOwner: 'Reject' } });

    // Assess
    expect(result.status).toBe('Failed');
    expect(stepNames(result.trace)).toEqual(['askOwner']);
    expect(result.trace[0]?.failureMessage).toBe('Approval rejected by arn:aws:iam::123456789012:role/NetworkOwners');
  });

  it('refuses an SNS topic whose name does not start with Automation', async () => {
    // Prepare
    const document = await loadDocument(documentPath('approve-bad-topic.yaml'));

    // Act
    const result = await simulate(document, {}, { account: new AccountModel() });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.trace[0]?.failureMessage).toMatch(/the SNS topic name must start with "Automation"/);
  });
});
