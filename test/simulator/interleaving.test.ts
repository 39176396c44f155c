import { describe, expect, it } from 'vitest';
import { SimulatorError, loadDocument, simulate, simulateInterleaved, startExecution, type AccountSnapshot, type ApiCallRecord, type AutomationDocument } from '../../src/simulator/index.js';
import { INSTANCE_ID, START, documentPath, singleInstanceAccount } from './fixtures.js';

const LOCKS: AccountSnapshot = { dynamoDbTables: [{ TableName: 'EnaGuard-Locks', KeyAttribute: 'LockId' }] };

async function document(name: string): Promise<AutomationDocument> {
  return loadDocument(documentPath(name));
}

/** The caller of each call made by a runbook step, as `<run>:<step>`, runs named by execution id. */
function callers(calls: readonly ApiCallRecord[], names: Readonly<Record<string, string>>): string[] {
  return calls.map((call) => `${names[call.caller?.executionId ?? ''] ?? '?'}:${call.caller?.stepName ?? '?'}`);
}

/** Consecutive duplicates collapsed: which run made calls, turn by turn. */
function turns(values: readonly string[]): string[] {
  return values.filter((value, i) => i === 0 || value !== values[i - 1]);
}

describe('an execution advanced one step at a time', () => {
  it('runs exactly one step per call, tells the next step, and ends as simulate() would', async () => {
    // Prepare
    const doc = await document('interleave-calls.yaml');
    const stepped = singleInstanceAccount();
    const whole = singleInstanceAccount();

    // Act
    const execution = await startExecution(doc, { InstanceId: INSTANCE_ID }, { account: stepped });
    const before = { next: execution.nextStepName, done: execution.done, calls: stepped.calls.calls().length };
    const first = await execution.step();
    const afterFirst = { next: execution.nextStepName, calls: stepped.calls.calls().map((c) => c.operation) };
    await execution.step();
    await execution.step();
    const beyond = await execution.step();
    const expected = await simulate(doc, { InstanceId: INSTANCE_ID }, { account: whole });

    // Assess
    expect(before).toEqual({ next: 'first', done: false, calls: 0 });
    expect(first?.stepName).toBe('first');
    expect(afterFirst).toEqual({ next: 'second', calls: ['DescribeInstances'] });
    expect(beyond).toBeUndefined();
    expect(execution.done).toBe(true);
    expect(execution.nextStepName).toBeUndefined();
    const { executionId: _a, ...result } = execution.result();
    const { executionId: _b, ...reference } = expected;
    expect(result).toEqual(reference);
    expect(execution.trace.map((s) => s.stepName)).toEqual(['first', 'second', 'third']);
  });

  it('refuses result() before the end, and a second step() while one runs', async () => {
    // Prepare
    const execution = await startExecution(await document('interleave-calls.yaml'), { InstanceId: INSTANCE_ID }, { account: singleInstanceAccount() });

    // Act
    const early = (): unknown => execution.result();
    const running = execution.step();
    const overlapping = execution.step();

    // Assess
    expect(early).toThrow(SimulatorError);
    expect(early).toThrow(/has not ended: its next step is first/);
    await expect(overlapping).rejects.toThrow('step() was called while a step was running');
    await expect(running).resolves.toMatchObject({ stepName: 'first', status: 'Success' });
  });

  it('shows InProgress at its next step in the SSM model between steps', async () => {
    // Prepare
    const account = singleInstanceAccount();
    const execution = await startExecution(await document('interleave-calls.yaml'), { InstanceId: INSTANCE_ID }, { account });

    // Act
    await execution.step();
    const between = account.ssm.automationExecution(execution.executionId);

    // Assess
    expect(between).toMatchObject({ AutomationExecutionStatus: 'InProgress', CurrentStepName: 'second', CurrentAction: 'aws:executeAwsApi' });
    expect(between?.ExecutionEndTime).toBeUndefined();
    expect(between?.StepExecutions?.map((s) => s.StepName)).toEqual(['first']);
  });
});

describe('interleaved executions sharing one account', () => {
  it('alternates A and B step by step, as scheduled: the call log shows their calls alternating', async () => {
    // Prepare
    const doc = await document('interleave-calls.yaml');
    const account = singleInstanceAccount();
    const run = { document: doc, parameters: { InstanceId: INSTANCE_ID } };

    // Act
    const { results, order } = await simulateInterleaved(account, { A: run, B: run }, [
      { run: 'A', until: { steps: 1 } },
      { run: 'B', until: { steps: 1 } },
      { run: 'A', until: { beforeStep: 'third' } },
      { run: 'B', until: { afterStep: 'second' } },
      { run: 'A' },
      { run: 'B' },
    ]);

    // Assess
    const names = { [results['A']?.executionId ?? '']: 'A', [results['B']?.executionId ?? '']: 'B' };
    expect(callers(account.calls.calls(), names)).toEqual(['A:first', 'B:first', 'A:second', 'B:second', 'A:third', 'B:third']);
    expect(order.map((o) => `${o.run}:${o.stepName}`)).toEqual(['A:first', 'B:first', 'A:second', 'B:second', 'A:third', 'B:third']);
    expect(results['A']?.status).toBe('Success');
    expect(results['B']?.status).toBe('Success');
    expect(results['A']?.executionId).not.toBe(results['B']?.executionId);
  });

  it('replays “A until it has stopped the instance, then B to its end, then A”: B finds A’s lock held by a live execution and refuses', async () => {
    // Prepare
    const doc = await document('lock-and-stop.yaml');
    const account = singleInstanceAccount({ snapshot: LOCKS });
    const run = { document: doc, parameters: { InstanceId: INSTANCE_ID } };

    // Act
    const { results } = await simulateInterleaved(account, { A: run, B: run }, [{ run: 'A', until: { afterStep: 'stopInstance' } }, { run: 'B' }, { run: 'A' }]);

    // Assess
    const [a, b] = [results['A'], results['B']];
    expect(a?.status).toBe('Success');
    expect(a?.trace.map((s) => s.stepName)).toEqual(['takeLock', 'stopInstance', 'startInstance', 'releaseLock']);
    expect(b?.status).toBe('Failed');
    expect(b?.trace.map((s) => `${s.stepName}:${s.status}`)).toEqual(['takeLock:Failed', 'readHolder:Success', 'readHolderStatus:Success', 'refuseLocked:Success', 'failLocked:Failed']);
    expect(b?.trace[2]?.outputs).toEqual({ Status: 'InProgress', HolderStep: 'startInstance' });
    expect(b?.trace[1]?.outputs).toEqual({ Holder: a?.executionId });
    const names = { [a?.executionId ?? '']: 'A', [b?.executionId ?? '']: 'B' };
    expect(turns(callers(account.calls.calls(), names).map((c) => c.split(':')[0] as string))).toEqual(['A', 'B', 'A']);
    expect(account.calls.calls({ operation: 'StopInstances' })).toHaveLength(1);
    expect(account.dynamodb.items('EnaGuard-Locks')).toEqual([]);
    // One clock: B ran while A had stopped the instance, and A went on from where B left the clock.
    expect(b?.startTime.getTime()).toBeGreaterThanOrEqual(a?.trace[1]?.endTime.getTime() ?? Infinity);
    expect(a?.trace[2]?.startTime.getTime()).toBeGreaterThanOrEqual(b?.endTime.getTime() ?? Infinity);
  });

  it('runs A then B in sequence without conflict', async () => {
    // Prepare
    const doc = await document('lock-and-stop.yaml');
    const account = singleInstanceAccount({ snapshot: LOCKS });
    const run = { document: doc, parameters: { InstanceId: INSTANCE_ID } };

    // Act
    const { results } = await simulateInterleaved(account, { A: run, B: run }, [{ run: 'A' }, { run: 'B' }]);

    // Assess
    expect([results['A']?.status, results['B']?.status]).toEqual(['Success', 'Success']);
    expect(account.calls.calls({ operation: 'StopInstances' })).toHaveLength(2);
  });

  it('takes over the lock of an execution that crashed (seeded Failed)', async () => {
    // Prepare
    const doc = await document('lock-and-stop.yaml');
    const account = singleInstanceAccount({
      snapshot: {
        dynamoDbTables: [{ TableName: 'EnaGuard-Locks', KeyAttribute: 'LockId', Items: [{ LockId: { S: INSTANCE_ID }, Holder: { S: 'crashed-run' } }] }],
        automationExecutions: [{ AutomationExecutionId: 'crashed-run', DocumentName: 'lock-and-stop', AutomationExecutionStatus: 'Failed', ExecutionStartTime: new Date('2026-03-02T08:00:00Z') }],
      },
    });

    // Act
    const result = await simulate(doc, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.map((s) => s.stepName)).toEqual(['takeLock', 'readHolder', 'readHolderStatus', 'refuseLocked', 'takeOverLock', 'stopInstance', 'startInstance', 'releaseLock']);
    expect(account.dynamodb.items('EnaGuard-Locks')).toEqual([]);
  });

  it('refuses, with a sentence, a lock held by an execution seeded InProgress elsewhere', async () => {
    // Prepare
    const doc = await document('lock-and-stop.yaml');
    const account = singleInstanceAccount({ snapshot: { ...LOCKS, startTime: START } });
    account.dynamodb.seedItems('EnaGuard-Locks', [{ LockId: { S: INSTANCE_ID }, Holder: { S: 'elsewhere' } }]);
    account.ssm.recordAutomationExecution({ id: 'elsewhere', documentName: 'lock-and-stop', status: 'InProgress' });

    // Act
    const result = await simulate(doc, { InstanceId: INSTANCE_ID }, { account });

    // Assess
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step failLocked failed: Property \$\.Item\.Holder\.S is "elsewhere"/);
    expect(account.calls.calls({ operation: 'StopInstances' })).toEqual([]);
  });
});

describe('schedules that cannot be replayed', () => {
  async function runs(): Promise<Record<string, { document: AutomationDocument; parameters: Record<string, unknown> }>> {
    const doc = await document('interleave-calls.yaml');
    return { A: { document: doc, parameters: { InstanceId: INSTANCE_ID } }, B: { document: doc, parameters: { InstanceId: INSTANCE_ID } } };
  }

  it.each([
    ['a run that is not declared', [{ run: 'A' }, { run: 'C' }], 'Schedule: no run named C (runs: A, B)'],
    ['a step the document does not have', [{ run: 'A' }, { run: 'B', until: { afterStep: 'fourth' } }], 'Schedule: run B (interleave-calls) has no step fourth'],
  ] as const)('refuses %s before any run starts', async (_case, schedule, message) => {
    // Prepare
    const account = singleInstanceAccount();

    // Act
    const replaying = simulateInterleaved(account, await runs(), schedule);

    // Assess
    await expect(replaying).rejects.toThrow(SimulatorError);
    await expect(replaying).rejects.toThrow(message);
    expect(account.calls.calls()).toEqual([]);
  });

  it.each([
    ['more steps than a run has left', [{ run: 'A', until: { steps: 4 } }, { run: 'B' }], 'Schedule entry 1: run A ended before it could run for 4 steps'],
    ['a step after the run ended', [{ run: 'A' }, { run: 'A', until: { afterStep: 'first' } }, { run: 'B' }], 'Schedule entry 2: run A ended before it could run until it has completed step first'],
    ['a run left unfinished', [{ run: 'A', until: { steps: 1 } }, { run: 'B' }], 'Schedule: run A has not ended when the schedule ends (its next step is second)'],
    ['a run never scheduled', [{ run: 'A' }], 'Schedule: run B never runs (give it an entry)'],
  ] as const)('refuses %s', async (_case, schedule, message) => {
    // Act
    const replaying = simulateInterleaved(singleInstanceAccount(), await runs(), schedule);

    // Assess
    await expect(replaying).rejects.toThrow(SimulatorError);
    await expect(replaying).rejects.toThrow(message);
  });
});
