import { DescribeAutomationExecutionsCommand, GetAutomationExecutionCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import type { DescribeAutomationExecutionsCommandOutput, GetAutomationExecutionCommandOutput } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AccountModel, SimulatorError, loadDocument, simulate, wireSsmClient } from '../../src/simulator/index.js';
import { DOCUMENTS_DIR, INSTANCE_ID, START, documentPath, singleInstanceAccount } from './fixtures.js';

function describeExecutions(account: AccountModel, input: Record<string, unknown>): DescribeAutomationExecutionsCommandOutput {
  return account.call('ssm', 'DescribeAutomationExecutions', input) as DescribeAutomationExecutionsCommandOutput;
}

function ids(output: DescribeAutomationExecutionsCommandOutput): (string | undefined)[] {
  return (output.AutomationExecutionMetadataList ?? []).map((e) => e.AutomationExecutionId);
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/** An account with three seeded executions of two documents, started a minute apart. */
function seededAccount(): AccountModel {
  return AccountModel.fromSnapshot({
    startTime: START,
    automationExecutions: [
      { AutomationExecutionId: 'crashed', DocumentName: 'EnaGuard-EnableEnaSupport', AutomationExecutionStatus: 'Failed', ExecutionStartTime: new Date('2026-03-02T07:00:00Z'), ExecutionEndTime: new Date('2026-03-02T07:05:00Z'), FailureMessage: 'Step stopInstance failed' },
      { AutomationExecutionId: 'elsewhere', DocumentName: 'EnaGuard-EnableEnaSupport', AutomationExecutionStatus: 'InProgress', ExecutionStartTime: '2026-03-02T07:01:00Z' as unknown as Date },
      { AutomationExecutionId: 'driver', DocumentName: 'EnaGuard-UpdateEnaDriver', AutomationExecutionStatus: 'Success', ExecutionStartTime: new Date('2026-03-02T07:02:00Z') },
    ],
  });
}

describe('executions the simulator runs, as SSM shows them', () => {
  it('shows a run InProgress to its own steps, at the step that runs, and Success with its end time once it ends', async () => {
    // Prepare
    const document = await loadDocument(documentPath('own-execution-status.yaml'));
    const account = new AccountModel({ startTime: START });

    // Act
    const result = await simulate(document, {}, { account });
    const after = account.ssm.automationExecution(result.executionId);

    // Assess
    expect(result.outputs).toEqual({ 'describeExecution.Statuses': ['InProgress'], 'describeExecution.CurrentStep': 'describeExecution', 'getExecution.Status': 'InProgress' });
    expect(after).toMatchObject({
      AutomationExecutionId: result.executionId,
      DocumentName: 'own-execution-status',
      AutomationExecutionStatus: 'Success',
      ExecutionStartTime: result.startTime,
      ExecutionEndTime: result.endTime,
      Outputs: { 'describeExecution.Statuses': ['InProgress'], 'describeExecution.CurrentStep': ['describeExecution'], 'getExecution.Status': ['InProgress'] },
    });
    expect(after?.CurrentStepName).toBeUndefined();
    expect(after?.StepExecutions?.map((s) => [s.StepName, s.Action, s.StepStatus])).toEqual([
      ['describeExecution', 'aws:executeAwsApi', 'Success'],
      ['getExecution', 'aws:executeAwsApi', 'Success'],
    ]);
    expect(after?.StepExecutions?.[0]?.Inputs?.['Filters']).toBe(JSON.stringify([{ Key: 'ExecutionId', Values: [result.executionId] }]));
  });

  it('records the final status and failure message of a failed run, and its parameters as lists of strings', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const account = singleInstanceAccount({ snapshot: { instanceExtras: { [INSTANCE_ID]: { disableApiStop: true } } } });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });
    const output = describeExecutions(account, { Filters: [{ Key: 'ExecutionStatus', Values: ['Failed'] }] });

    // Assess
    expect(result.status).toBe('Failed');
    expect(output.AutomationExecutionMetadataList).toEqual([
      expect.objectContaining({ AutomationExecutionId: result.executionId, AutomationExecutionStatus: 'Failed', FailureMessage: result.failureMessage, ExecutionEndTime: result.endTime }),
    ]);
    expect(account.ssm.automationExecution(result.executionId)?.Parameters).toEqual({ InstanceId: [INSTANCE_ID], AutomationAssumeRole: [''] });
  });

  it('registers nested executions with their parent', async () => {
    // Prepare
    const document = await loadDocument(documentPath('parent.yaml'));
    const account = singleInstanceAccount();

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account, documentsDir: DOCUMENTS_DIR });
    const children = describeExecutions(account, { Filters: [{ Key: 'ParentExecutionId', Values: [result.executionId] }] });

    // Assess
    expect(children.AutomationExecutionMetadataList).toEqual([
      expect.objectContaining({ DocumentName: 'child', AutomationExecutionStatus: 'Success', ParentAutomationExecutionId: result.executionId, AutomationExecutionId: result.trace[0]?.outputs['ExecutionId'] }),
    ]);
    expect(result.trace[0]?.outputs['ExecutionId']).toMatch(/^5e5a/);
    expect(ids(describeExecutions(account, {}))).toHaveLength(2);
  });

  it('does not register a run the simulator refuses before its first step', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const account = singleInstanceAccount();

    // Act
    await expect(simulate(document, {}, { account })).rejects.toThrow('Parameter InstanceId');

    // Assess
    expect(describeExecutions(account, {}).AutomationExecutionMetadataList).toEqual([]);
  });
});

describe('seeded executions', () => {
  it('lists seeded executions newest first, with their times revived from the snapshot', () => {
    // Act
    const output = describeExecutions(seededAccount(), {});

    // Assess
    expect(ids(output)).toEqual(['driver', 'elsewhere', 'crashed']);
    expect(output.AutomationExecutionMetadataList?.[1]).toMatchObject({ AutomationExecutionStatus: 'InProgress', ExecutionStartTime: new Date('2026-03-02T07:01:00Z') });
    expect(output.AutomationExecutionMetadataList?.[1]?.ExecutionEndTime).toBeUndefined();
    expect(output.AutomationExecutionMetadataList?.[2]).toMatchObject({ ExecutionEndTime: new Date('2026-03-02T07:05:00Z'), FailureMessage: 'Step stopInstance failed' });
  });

  it.each([
    [[{ Key: 'ExecutionId', Values: ['crashed'] }], ['crashed']],
    [[{ Key: 'ExecutionId', Values: ['nobody'] }], []],
    [[{ Key: 'DocumentNamePrefix', Values: ['EnaGuard-Enable'] }], ['elsewhere', 'crashed']],
    [[{ Key: 'ExecutionStatus', Values: ['InProgress', 'Success'] }], ['driver', 'elsewhere']],
    [[{ Key: 'DocumentNamePrefix', Values: ['EnaGuard-Enable'] }, { Key: 'ExecutionStatus', Values: ['InProgress'] }], ['elsewhere']],
    [[{ Key: 'StartTimeAfter', Values: ['2026-03-02T07:00:30Z'] }], ['driver', 'elsewhere']],
    [[{ Key: 'StartTimeBefore', Values: ['2026-03-02T07:01:30Z'] }], ['elsewhere', 'crashed']],
  ])('filters %j to %j', (filters, expected) => {
    // Act
    const output = describeExecutions(seededAccount(), { Filters: filters });

    // Assess
    expect(ids(output)).toEqual(expected);
  });

  it('pages with MaxResults and NextToken', () => {
    // Prepare
    const account = seededAccount();

    // Act
    const first = describeExecutions(account, { MaxResults: 2 });
    const second = describeExecutions(account, { MaxResults: 2, NextToken: first.NextToken });

    // Assess
    expect(ids(first)).toEqual(['driver', 'elsewhere']);
    expect(first.NextToken).toBeDefined();
    expect(ids(second)).toEqual(['crashed']);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses an unknown filter key as SSM does, and a valid one it does not model with a SimulatorError', () => {
    // Prepare
    const account = seededAccount();

    // Act
    const unknown = errorOf(() => describeExecutions(account, { Filters: [{ Key: 'Status', Values: ['Failed'] }] }));
    const unmodelled = errorOf(() => describeExecutions(account, { Filters: [{ Key: 'TagKey', Values: ['team'] }] }));
    const empty = errorOf(() => describeExecutions(account, { Filters: [{ Key: 'ExecutionId', Values: [] }] }));

    // Assess
    expect(unknown).toBeInstanceOf(SSMServiceException);
    expect(unknown).toMatchObject({ name: 'ValidationException' });
    expect(unknown.message).toContain("Value 'Status' at 'filters.member.key' failed to satisfy constraint");
    expect(unmodelled).toBeInstanceOf(SimulatorError);
    expect(unmodelled.message).toContain('the filter key TagKey is not modelled by the simulator');
    expect(empty).toMatchObject({ name: 'ValidationException' });
  });

  it('gets one execution, and refuses an unknown id with AutomationExecutionNotFoundException', () => {
    // Prepare
    const account = seededAccount();

    // Act
    const found = account.call('ssm', 'GetAutomationExecution', { AutomationExecutionId: 'elsewhere' }) as GetAutomationExecutionCommandOutput;
    const missing = errorOf(() => account.call('ssm', 'GetAutomationExecution', { AutomationExecutionId: 'nobody' }));

    // Assess
    expect(found.AutomationExecution).toMatchObject({ AutomationExecutionId: 'elsewhere', DocumentName: 'EnaGuard-EnableEnaSupport', AutomationExecutionStatus: 'InProgress' });
    expect(missing).toBeInstanceOf(SSMServiceException);
    expect(missing.name).toBe('AutomationExecutionNotFoundException');
  });

  it('lets a test record an execution, then end it, keeping its start time', () => {
    // Prepare
    const account = new AccountModel({ startTime: START });
    account.ssm.recordAutomationExecution({ id: 'outside', documentName: 'EnaGuard-UpdateEnaDriver', status: 'InProgress' });
    account.clock.advance(90_000);

    // Act
    const ended = account.ssm.recordAutomationExecution({ id: 'outside', documentName: 'EnaGuard-UpdateEnaDriver', status: 'TimedOut' });

    // Assess
    expect(ended).toMatchObject({ AutomationExecutionStatus: 'TimedOut', ExecutionStartTime: START, ExecutionEndTime: new Date(START.getTime() + 90_000) });
    expect(ids(describeExecutions(account, {}))).toEqual(['outside']);
  });

  it('lets a runbook read a seeded execution: a crashed one reads Failed, an unknown id fails GetAutomationExecution', async () => {
    // Prepare
    const document = await loadDocument(documentPath('execution-status.yaml'));

    // Act
    const crashed = await simulate(document, { ExecutionId: 'crashed' }, { account: seededAccount() });
    const unknown = await simulate(document, { ExecutionId: 'nobody' }, { account: seededAccount() });

    // Assess
    expect(crashed.status).toBe('Success');
    expect(crashed.outputs).toMatchObject({ 'describeExecution.Statuses': ['Failed'], 'getExecution.Status': 'Failed' });
    expect(unknown.status).toBe('Failed');
    expect(unknown.trace[0]?.outputs).toEqual({ Statuses: [] });
    expect(unknown.trace[1]?.failureMessage).toMatch(/^An error occurred \(AutomationExecutionNotFoundException\) when calling the GetAutomationExecution operation: /);
  });

  it('serves the two operations to an SSMClient wired to the model', async () => {
    // Prepare
    const account = seededAccount();
    const stub = mockClient(SSMClient);
    wireSsmClient(stub, account);
    const client = new SSMClient({ region: 'us-east-1' });

    // Act
    const listed = await client.send(new DescribeAutomationExecutionsCommand({ Filters: [{ Key: 'ExecutionStatus', Values: ['Failed'] }] }));
    const got = await client.send(new GetAutomationExecutionCommand({ AutomationExecutionId: 'driver' }));

    // Assess
    expect(ids(listed)).toEqual(['crashed']);
    expect(got.AutomationExecution?.AutomationExecutionStatus).toBe('Success');
    stub.restore();
  });
});
