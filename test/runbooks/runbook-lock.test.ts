/**
 * The per-instance lock of EnaGuard-EnableEnaSupport and EnaGuard-UpdateEnaDriver, run by the
 * simulator: the interleaving race it exists for, replayed with and without it; a lock held by a
 * running execution refuses; a lock left by an ended or long-gone execution is taken over; every
 * way out, cancellation and a failed release included, leaves no lock a later run cannot take.
 * Its shape in the documents is checked by runbook-lock-structure.test.ts.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountModel,
  type AccountModelOptions,
  type AccountSnapshot,
  loadDocument,
  parseDocument,
  RUNBOOK_LOCK_TABLE,
  simulate,
  simulateInterleaved,
  startExecution,
  type AutomationDocument,
  type SimulationResult,
} from '../../src/simulator/index.js';
import { INSTANCE_ID, LINUX_WITH_DRIVER, singleInstanceAccount } from '../simulator/fixtures.js';
import { heldLocks } from '../support/runbook-lock.js';
import { runbookPath } from '../support/runbook-documents.js';

interface Step {
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

let enable: AutomationDocument;
beforeAll(async () => {
  enable = await loadDocument(runbookPath('EnaGuard-EnableEnaSupport'));
});

/** One running r4.large with ENA off, a guest with a driver, and driver inventory saying so (for a run that finds it stopped). */
function account(snapshot: Partial<AccountSnapshot> = {}, options: AccountModelOptions = {}): AccountModel {
  return singleInstanceAccount({
    snapshot: {
      inventory: { [INSTANCE_ID]: { 'Custom:EnaDriver': [{ DriverPresent: 'true', DriverVersion: '2.13.0', KernelRelease: LINUX_WITH_DRIVER.kernelRelease }] } },
      dynamoDbTables: [RUNBOOK_LOCK_TABLE],
      ...snapshot,
    },
    ...options,
  });
}

function instanceNow(model: AccountModel): Instance {
  const current = model.ec2.instance(INSTANCE_ID);
  if (current === undefined) throw new Error('instance vanished');
  return current;
}

/** The EC2 calls of one execution that changed something. */
function ec2ChangesBy(model: AccountModel, executionId: string): string[] {
  return model.calls
    .calls()
    .filter((call) => call.caller?.executionId === executionId && call.service === 'ec2' && !/^(Describe|List|Get)/.test(call.operation) && call.error === undefined)
    .map((call) => call.operation);
}

/** The document without its lock: acquireLock always succeeds, as if two runs could both hold it. */
function withoutLock(document: AutomationDocument): AutomationDocument {
  const content = structuredClone(document.content) as unknown as { mainSteps: Step[] };
  const acquire = content.mainSteps.find((step) => step.name === 'acquireLock') as Step;
  (acquire.inputs as Record<string, unknown>)['ConditionExpression'] = 'attribute_not_exists(LockId) OR attribute_exists(LockId) OR AcquiredAt < :staleBefore';
  return parseDocument(`${document.name}-without-lock`, JSON.stringify(content));
}

/**
 * The race: run A stops the instance to change it; run B starts then and reads it stopped, with
 * ENA off; A enables ENA and starts the instance; B goes on from what it read.
 */
const RACE = [
  { run: 'A', until: { afterStep: 'stopInstance' } },
  { run: 'B', until: { afterStep: 'readEnaAttribute' } },
  { run: 'A' },
  { run: 'B' },
] as const;
/** The same start with the lock: B gets no further than being refused it. */
const RACE_LOCKED = [{ run: 'A', until: { afterStep: 'stopInstance' } }, { run: 'B' }, { run: 'A' }] as const;

describe('EnaGuard-EnableEnaSupport, two executions on one instance', () => {
  it('without the lock, the race leaves a production instance stopped with ENA off (the failure the lock exists for)', async () => {
    const model = account();
    const unlocked = withoutLock(enable);

    const { results } = await simulateInterleaved(model, { A: { document: unlocked, parameters: { InstanceId: INSTANCE_ID } }, B: { document: unlocked, parameters: { InstanceId: INSTANCE_ID } } }, RACE);

    expect(results.A?.status).toBe('Success');
    expect(results.B?.status).toBe('Failed');
    expect(instanceNow(model)).toMatchObject({ State: { Name: 'stopped' }, EnaSupport: false });
    expect(ec2ChangesBy(model, results.B?.executionId ?? '')).toContain('StopInstances');
  });

  it('with the lock, the second execution is refused before it reads or changes anything, and the first finishes', async () => {
    const model = account();

    const { results } = await simulateInterleaved(model, { A: { document: enable, parameters: { InstanceId: INSTANCE_ID } }, B: { document: enable, parameters: { InstanceId: INSTANCE_ID } } }, RACE_LOCKED);

    const b = results.B as SimulationResult;
    expect(b.status).toBe('Failed');
    expect(b.trace.map((step) => step.stepName)).toEqual(['readLockTimes', 'acquireLock', 'readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'refuseLocked']);
    expect(b.failureMessage).toMatch(/^Step refuseLocked failed: .*the lock on i-0aaaaaaaaaaaaaaa1 could not be taken\. Another ena-guard execution holds it/);
    expect(b.failureMessage).toContain(results.A?.executionId);
    expect(ec2ChangesBy(model, b.executionId)).toEqual([]);
    expect(results.A?.status).toBe('Success');
    expect(instanceNow(model)).toMatchObject({ State: { Name: 'running' }, EnaSupport: true });
    expect(heldLocks(model)).toEqual([]);
  });

  it('a second execution after the first has ended takes the lock and finds nothing to do', async () => {
    const model = account();
    const first = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });
    const second = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect([first.status, second.status]).toEqual(['Success', 'Success']);
    expect(second.trace.map((step) => step.stepName)).toContain('confirmAlreadyEnabled');
    expect(heldLocks(model)).toEqual([]);
  });
});

describe('EnaGuard-EnableEnaSupport and a lock it finds', () => {
  const lockItem = (holder: string, acquiredAt: string) => ({ LockId: { S: INSTANCE_ID }, Holder: { S: holder }, Runbook: { S: 'EnaGuard-UpdateEnaDriver' }, AcquiredAt: { S: acquiredAt } });
  const RECENT = '2026-03-02T08:30:00Z';
  const OTHER = '0f0f0f0f-1111-4222-8333-444444444444';

  it('refuses while another execution that still runs holds it, changing nothing and leaving its lock alone', async () => {
    const model = account({ dynamoDbTables: [{ ...RUNBOOK_LOCK_TABLE, Items: [lockItem(OTHER, RECENT)] }] });
    model.ssm.recordAutomationExecution({ id: OTHER, documentName: 'EnaGuard-UpdateEnaDriver', status: 'InProgress' });

    const result = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect(result.status).toBe('Failed');
    expect(result.trace.at(-1)?.stepName).toBe('refuseLocked');
    expect(result.failureMessage).toContain(OTHER);
    expect(ec2ChangesBy(model, result.executionId)).toEqual([]);
    expect(instanceNow(model)).toMatchObject({ State: { Name: 'running' }, EnaSupport: false });
    expect(model.dynamodb.items(RUNBOOK_LOCK_TABLE.TableName)).toEqual([lockItem(OTHER, RECENT)]);
  });

  it.each(['Failed', 'Cancelled', 'TimedOut', 'Success'])('takes over a lock left by an execution that ended %s, and releases it when done', async (status) => {
    const model = account({ dynamoDbTables: [{ ...RUNBOOK_LOCK_TABLE, Items: [lockItem(OTHER, RECENT)] }] });
    model.ssm.recordAutomationExecution({ id: OTHER, documentName: 'EnaGuard-UpdateEnaDriver', status: status as 'Failed' });

    const result = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName)).toContain('takeOverStaleLock');
    expect(instanceNow(model)).toMatchObject({ State: { Name: 'running' }, EnaSupport: true });
    expect(heldLocks(model)).toEqual([]);
  });

  it('goes on when the lock it finds is its own (a retried PutItem whose lost first attempt took it)', async () => {
    const model = account();
    const execution = await startExecution(enable, { InstanceId: INSTANCE_ID }, { account: model });
    model.dynamodb.seedItems(RUNBOOK_LOCK_TABLE.TableName, [lockItem(execution.executionId, '2026-03-02T09:00:00Z')]);
    while ((await execution.step()) !== undefined);

    const result = execution.result();
    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName).slice(0, 7)).toEqual(['readLockTimes', 'acquireLock', 'readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'readExemptionTag', 'checkExemption']);
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'running' } });
    expect(heldLocks(model)).toEqual([]);
  });

  it('refuses when the holder\'s execution cannot be found and its lock is recent: it may run in a way this run cannot see', async () => {
    const model = account({ dynamoDbTables: [{ ...RUNBOOK_LOCK_TABLE, Items: [lockItem(OTHER, RECENT)] }] });

    const result = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect(result.trace.at(-1)?.stepName).toBe('refuseLocked');
    expect(ec2ChangesBy(model, result.executionId)).toEqual([]);
  });

  it('takes over a lock older than its 24-hour lifetime, whoever holds it', async () => {
    const model = account({ dynamoDbTables: [{ ...RUNBOOK_LOCK_TABLE, Items: [lockItem(OTHER, '2026-02-28T09:00:00Z')] }] });
    model.ssm.recordAutomationExecution({ id: OTHER, documentName: 'EnaGuard-UpdateEnaDriver', status: 'InProgress' });

    const result = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect(result.status).toBe('Success');
    expect(result.trace.map((step) => step.stepName).slice(0, 3)).toEqual(['readLockTimes', 'acquireLock', 'readExemptionTag']);
    expect(heldLocks(model)).toEqual([]);
  });

  it('releases the lock when cancelled, wherever it is cancelled', async () => {
    for (const step of ['readInstance', 'stopInstance', 'createBackupImage', 'enableEnaSupport', 'startInstance']) {
      const model = account();
      const result = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model, cancelDuringStep: step });
      expect(result.status, step).toBe('Cancelled');
      expect(result.trace.at(-1)?.stepName, step).toBe('releaseLock');
      expect(heldLocks(model), step).toEqual([]);
    }
  });

  it('leaves its lock for the next run when the release itself fails, and the next run takes it over', async () => {
    const model = account({}, { faults: [{ service: 'dynamodb', operation: 'DeleteItem', code: 'InternalServerError', times: 3 }] });
    const first = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });
    expect(first.status).toBe('Success');
    expect(heldLocks(model)).toEqual([INSTANCE_ID]);

    const second = await simulate(enable, { InstanceId: INSTANCE_ID }, { account: model });

    expect(second.status).toBe('Success');
    expect(second.trace.map((step) => step.stepName)).toContain('takeOverStaleLock');
    expect(heldLocks(model)).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver and a lock another execution holds', () => {
  it('refuses while the holder still runs, before it reads the instance, changing nothing', async () => {
    const update = await loadDocument(runbookPath('EnaGuard-UpdateEnaDriver'));
    const holder = '0f0f0f0f-1111-4222-8333-444444444444';
    const model = account({ dynamoDbTables: [{ ...RUNBOOK_LOCK_TABLE, Items: [{ LockId: { S: INSTANCE_ID }, Holder: { S: holder }, Runbook: { S: 'EnaGuard-EnableEnaSupport' }, AcquiredAt: { S: '2026-03-02T08:30:00Z' } }] }] });
    model.ssm.recordAutomationExecution({ id: holder, documentName: 'EnaGuard-EnableEnaSupport', status: 'InProgress' });

    const result = await simulate(update, { InstanceId: INSTANCE_ID, InventoryAssociationId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' }, { account: model });

    expect(result.status).toBe('Failed');
    expect(result.trace.map((step) => step.stepName)).toEqual(['readLockTimes', 'acquireLock', 'readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'refuseLocked']);
    expect(result.failureMessage).toContain(holder);
    expect(model.calls.calls().filter((call) => call.caller?.executionId === result.executionId && call.service !== 'dynamodb' && !/^(Describe|List|Get)/.test(call.operation))).toEqual([]);
  });
});
