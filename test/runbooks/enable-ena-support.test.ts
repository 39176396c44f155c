/**
 * EnaGuard-EnableEnaSupport, run by the simulator exactly as it is deployed: its happy paths, its
 * no-op path, every refusal (the exemption tag's included), and a fault matrix over every AWS call
 * it makes. Every run is checked to release the instance's lock (test/support/runbook-lock.ts).
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccountModel,
  loadDocument,
  simulate,
  type AccountSnapshot,
  type AutomationDocument,
  type FaultPoint,
  type FaultRule,
  type GuestSpec,
  type SimulationResult,
  CHECK_DRIVER_EVIDENCE_DOCUMENT,
  RUNBOOK_LOCK_TABLE,
} from '../../src/simulator/index.js';
import {
  ACCOUNT_ID,
  INSTANCE_ID,
  INSTANCE_TYPES,
  LINUX_WITHOUT_DRIVER,
  LINUX_WITH_DRIVER,
  START,
  image,
  instance,
  reservation,
} from '../simulator/fixtures.js';
import { runbookPath } from '../support/runbook-documents.js';
import { LOCK_PRELUDE, expectLockReleased, heldLocks, runbookSteps, stepFailure } from '../support/runbook-lock.js';

const RUNBOOK = runbookPath('EnaGuard-EnableEnaSupport');
let runbook: AutomationDocument;

beforeAll(async () => {
  runbook = await loadDocument(RUNBOOK);
});

const WINDOWS_2019_WITH_DRIVER: GuestSpec = {
  osFamily: 'windows',
  osId: 'windows',
  osVersion: '2019',
  osName: 'Microsoft Windows Server 2019 Datacenter',
  kernelRelease: '10.0.17763',
  enaDriver: { present: true, version: '2.6.0', source: 'windows' },
  ssmAgent: true,
};

interface Scenario {
  readonly instance?: Partial<Instance>;
  readonly guest?: GuestSpec;
  readonly snapshot?: Partial<AccountSnapshot>;
  readonly faults?: readonly FaultRule[];
}

/**
 * One instance (r4.large, Xen, ENA off, running by default). The simulated guest answers the
 * runbook's driver-evidence script as a real one would: success only when its running kernel has
 * a driver.
 */
function account({ instance: overrides, guest = LINUX_WITH_DRIVER, snapshot, faults = [] }: Scenario = {}): AccountModel {
  const model = AccountModel.fromSnapshot(
    {
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      startTime: START,
      reservations: [reservation('r-0aaaaaaaaaaaaaaa1', [instance({ InstanceId: INSTANCE_ID, ...overrides })])],
      instanceTypes: INSTANCE_TYPES,
      images: [image({ ImageId: 'ami-0abcdef1234567890' })],
      guests: { [INSTANCE_ID]: guest },
      dynamoDbTables: [RUNBOOK_LOCK_TABLE],
      ...snapshot,
    },
    { faults },
  );
  return model;
}

/**
 * Runs the runbook and checks that the run released the instance's lock, whatever it did.
 * `lockLeft` is only for a run whose release (DeleteItem) is made to fail: the caller asserts the
 * lock it leaves behind instead.
 */
async function run(model: AccountModel, parameters: Record<string, string> = {}, { lockLeft = false } = {}): Promise<SimulationResult> {
  const result = await simulate(runbook, { InstanceId: INSTANCE_ID, ...parameters }, { account: model });
  if (!lockLeft) expectLockReleased(model, result);
  return result;
}

/** The API calls that change the instance or the account (the lock's PutItem and DeleteItem are asserted apart, with {@link lockCalls}). */
function mutations(model: AccountModel): string[] {
  const readOnly = /^(Describe|List|Get)/;
  return model.calls
    .calls()
    .filter((call) => call.service !== 'dynamodb' && !readOnly.test(call.operation) && call.operation !== 'SendCommand' && call.error === undefined)
    .map((call) => call.operation);
}

/** The run's successful calls to the lock table, with the lock and holder each names. */
function lockCalls(model: AccountModel): { operation: string; table: unknown; lockId: unknown; holder: unknown }[] {
  return model.calls
    .calls({ service: 'dynamodb' })
    .filter((call) => call.error === undefined)
    .map((call) => {
      const input = call.input as {
        TableName?: string;
        Item?: { LockId?: { S?: string }; Holder?: { S?: string } };
        Key?: { LockId?: { S?: string } };
        ExpressionAttributeValues?: Record<string, { S?: string }>;
      };
      return {
        operation: call.operation,
        table: input.TableName,
        lockId: (input.Item ?? input.Key)?.LockId?.S,
        holder: input.Item?.Holder?.S ?? input.ExpressionAttributeValues?.[':me']?.S,
      };
    });
}

/** The exemption tag on the instance, with the given value. */
function exemptBy(value: string): Scenario {
  return { instance: { Tags: [{ Key: 'Name', Value: 'web-1' }, { Key: 'ena-guard:exempt', Value: value }] } };
}

function instanceNow(model: AccountModel): Instance {
  const current = model.ec2.instance(INSTANCE_ID);
  if (!current) throw new Error('instance vanished');
  return current;
}

/** Lets simulated time run on, so that pending transitions (and Auto Scaling's health checks) settle. */
function settle(model: AccountModel, minutes = 30): void {
  model.clock.advance(minutes * 60_000);
}

describe('EnaGuard-EnableEnaSupport happy paths', () => {
  it('enables ENA on a running Linux instance: stop, back up, modify, start, verify', async () => {
    const model = account();

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'running' } });
    expect(model.ec2.statusChecks(INSTANCE_ID)).toEqual({ instance: 'ok', system: 'ok' });
    expect(mutations(model)).toEqual(['StopInstances', 'CreateImage', 'ModifyInstanceAttribute', 'StartInstances']);
    const backup = result.outputs['createBackupImage.ImageId'] as string;
    expect(backup).toMatch(/^ami-/);
    expect(model.ec2.image(backup)).toMatchObject({ State: 'available', EnaSupport: false });
    // Tagged as it is created (the role may create only images so tagged), image and snapshots alike.
    const backupTags = [
      { Key: 'ena-guard:backup-of', Value: INSTANCE_ID },
      { Key: 'ena-guard:created-by', Value: 'EnaGuard-EnableEnaSupport' },
      { Key: 'ena-guard:execution-id', Value: result.executionId },
    ];
    expect(model.ec2.image(backup)?.Tags).toEqual(backupTags);
    expect(model.calls.calls({ operation: 'CreateImage' })[0]?.input).toMatchObject({
      InstanceId: INSTANCE_ID,
      NoReboot: true,
      TagSpecifications: [
        { ResourceType: 'image', Tags: backupTags },
        { ResourceType: 'snapshot', Tags: backupTags },
      ],
    });
    expect(result.outputs).toMatchObject({
      'readInstance.OriginalState': 'running',
      'readEnaAttribute.OriginalEnaSupport': false,
      'readFinalEnaAttribute.FinalEnaSupport': true,
    });
    const evidence = model.calls.calls({ operation: 'SendCommand' });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]?.input).toMatchObject({ DocumentName: CHECK_DRIVER_EVIDENCE_DOCUMENT, InstanceIds: [INSTANCE_ID] });
  });

  it('takes the instance’s lock before anything else and releases it last', async () => {
    const model = account();

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(result.trace.slice(0, LOCK_PRELUDE.length).map((step) => step.stepName)).toEqual([...LOCK_PRELUDE]);
    expect(result.trace.at(-1)?.stepName).toBe('releaseLock');
    expect(lockCalls(model)).toEqual([
      { operation: 'PutItem', table: RUNBOOK_LOCK_TABLE.TableName, lockId: INSTANCE_ID, holder: result.executionId },
      { operation: 'DeleteItem', table: RUNBOOK_LOCK_TABLE.TableName, lockId: INSTANCE_ID, holder: result.executionId },
    ]);
    const calls = model.calls.calls();
    expect(calls[0]?.operation, 'the lock is the first call').toBe('PutItem');
    expect(calls.at(-1)?.operation, 'its release the last').toBe('DeleteItem');
  });

  it('backs up and enables ENA on a stopped instance without starting it', async () => {
    const model = account({
      instance: { State: { Code: 80, Name: 'stopped' } },
      snapshot: { inventory: { [INSTANCE_ID]: { 'Custom:EnaDriver': [{ DriverPresent: 'true', DriverVersion: '2.8.1g', OsFamily: 'linux' }] } } },
    });

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'stopped' } });
    expect(mutations(model)).toEqual(['CreateImage', 'ModifyInstanceAttribute']);
    expect(model.calls.calls({ operation: 'ListInventoryEntries' })).toHaveLength(1);
  });

  it('checks a Windows guest with the same fixed-content EnaGuard-CheckEnaDriverEvidence', async () => {
    const model = account({ instance: { Platform: 'windows' as Instance['Platform'], PlatformDetails: 'Windows' }, guest: WINDOWS_2019_WITH_DRIVER });

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(model.calls.calls({ operation: 'SendCommand' }).map((call) => call.input)).toEqual([
      expect.objectContaining({ DocumentName: CHECK_DRIVER_EVIDENCE_DOCUMENT, InstanceIds: [INSTANCE_ID] }),
    ]);
    expect(result.trace.find((step) => step.stepName === 'checkDriverInGuest')?.status).toBe('Success');
    expect(instanceNow(model).EnaSupport).toBe(true);
  });

  it('skips the backup when asked', async () => {
    const model = account();

    const result = await run(model, { CreateBackupImage: 'false' });

    expect(result.status).toBe('Success');
    expect(mutations(model)).toEqual(['StopInstances', 'ModifyInstanceAttribute', 'StartInstances']);
    expect(result.outputs['createBackupImage.ImageId']).toBeUndefined();
  });

  it('enables ENA on an Auto Scaling member that is in Standby', async () => {
    const model = account({
      snapshot: {
        autoScalingGroups: [{ AutoScalingGroupName: 'web', HealthCheckGracePeriod: 300 }],
        autoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web', LifecycleState: 'Standby', HealthStatus: 'HEALTHY' }],
      },
    });

    const result = await run(model);
    settle(model);

    expect(result.status).toBe('Success');
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'running' } });
  });
});

describe('EnaGuard-EnableEnaSupport when there is nothing to do', () => {
  it('succeeds without a single change when ENA is already enabled', async () => {
    const model = account({ instance: { EnaSupport: true } });

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(runbookSteps(result)).toEqual(['readInstance', 'readEnaAttribute', 'checkAlreadyEnabled', 'confirmAlreadyEnabled']);
    expect(mutations(model)).toEqual([]);
  });
});

describe('EnaGuard-EnableEnaSupport refusals change nothing and say why', () => {
  it.each([
    {
      why: 'the instance type cannot use ENA',
      scenario: { instance: { InstanceType: 'c4.large' as Instance['InstanceType'] } },
      step: 'assertInstanceTypeCanUseEna',
      message: /unsupported/,
    },
    {
      why: 'the root device is instance store',
      scenario: { instance: { InstanceType: 'i3.large' as Instance['InstanceType'], RootDeviceType: 'instance-store' as const } },
      step: 'assertEbsRootDevice',
      message: /instance-store/,
    },
    {
      why: 'the instance is paravirtual',
      scenario: { instance: { VirtualizationType: 'paravirtual' as const } },
      step: 'assertHvmVirtualization',
      message: /paravirtual/,
    },
    {
      why: 'the instance is a Spot instance',
      scenario: { instance: { InstanceLifecycle: 'spot' as const, SpotInstanceRequestId: 'sir-0123abcd' } },
      step: 'refuseSpotInstance',
      message: /spot/,
    },
    {
      why: 'the instance is InService in an Auto Scaling group',
      scenario: {
        snapshot: {
          autoScalingGroups: [{ AutoScalingGroupName: 'web' }],
          autoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web', LifecycleState: 'InService' as const, HealthStatus: 'HEALTHY' as const }],
        },
      },
      step: 'refuseAutoScalingMember',
      message: /InService/,
    },
    {
      why: 'stop protection is on',
      scenario: { snapshot: { instanceExtras: { [INSTANCE_ID]: { disableApiStop: true } } } },
      step: 'assertNotStopProtected',
      message: /true/i,
    },
    {
      why: 'the instance is still stopping',
      scenario: { instance: { State: { Code: 64, Name: 'stopping' as const } } },
      step: 'refuseUnsettledState',
      message: /stopping/,
    },
    {
      why: 'the running guest has no ENA driver',
      scenario: { guest: LINUX_WITHOUT_DRIVER },
      step: 'refuseWithoutDriverEvidence',
      message: /false/i,
    },
    {
      why: 'the instance is not managed and has no inventory',
      scenario: { guest: { ...LINUX_WITH_DRIVER, ssmAgent: false } },
      step: 'refuseWithoutDriverEvidence',
      message: /false/i,
    },
    {
      why: 'a stopped instance\'s inventory says there is no driver',
      scenario: {
        instance: { State: { Code: 80, Name: 'stopped' as const } },
        snapshot: { inventory: { [INSTANCE_ID]: { 'Custom:EnaDriver': [{ DriverPresent: 'false', OsFamily: 'linux' }] } } },
      },
      step: 'refuseWithoutDriverEvidence',
      message: /false/i,
    },
  ])('refuses when $why', async ({ scenario, step, message }) => {
    const model = account(scenario as Scenario);
    const before = structuredClone(instanceNow(model));

    const result = await run(model);

    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).at(-1)).toBe(step);
    expect(result.failureMessage).toContain(step);
    expect(result.failureMessage).toMatch(message);
    expect(stepFailure(result, step)).toMatch(message);
    expect(mutations(model)).toEqual([]);
    expect(instanceNow(model).EnaSupport).toBe(before.EnaSupport);
    expect(instanceNow(model).State?.Name).toBe(before.State?.Name);
  });
});

describe('EnaGuard-EnableEnaSupport and the exemption tag, read live', () => {
  it('refuses an exempt instance, naming the tag and its reason, stopping nothing', async () => {
    // The rules saw the instance before it was tagged; the runbook reads the tag as it is now.
    const model = account(exemptBy('vendor appliance pins its NIC driver; until=2026-12-31'));
    const before = structuredClone(instanceNow(model));

    const result = await run(model);

    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toBe(
      `Step checkExemption failed: Refused - ${INSTANCE_ID} is exempt by tag ena-guard:exempt until 2026-12-31: "vendor appliance pins its NIC driver". Remove the tag, or wait until the exemption expires, to remediate it.`,
    );
    expect(model.calls.calls({ operation: 'DescribeTags' }).map((call) => call.input)).toEqual([
      { Filters: [{ Name: 'resource-id', Values: [INSTANCE_ID] }, { Name: 'key', Values: ['ena-guard:exempt'] }] },
    ]);
    // Nothing of the runbook itself ran: not even a read of the instance, let alone a stop.
    expect(runbookSteps(result)).toEqual([]);
    expect(mutations(model)).toEqual([]);
    expect(model.calls.calls({ operation: 'StopInstances' })).toEqual([]);
    expect(model.calls.calls({ operation: 'SendCommand' })).toEqual([]);
    expect(instanceNow(model)).toEqual(before);
  });

  it('refuses under the stack’s own exemption tag key', async () => {
    const model = account({ instance: { Tags: [{ Key: 'acme:no-touch', Value: 'change freeze' }] } });

    const result = await run(model, { ExemptionTagKey: 'acme:no-touch' });

    expect(result.status).toBe('Failed');
    expect(stepFailure(result, 'checkExemption')).toBe(`Refused - ${INSTANCE_ID} is exempt by tag acme:no-touch: "change freeze". Remove the tag to remediate it.`);
    expect(mutations(model)).toEqual([]);
  });

  it('still refuses on the until= day itself (the expiry day is inclusive)', async () => {
    const model = account(exemptBy('migration pending; until=2026-03-02'));

    const result = await run(model);

    expect(result.status).toBe('Failed');
    expect(stepFailure(result, 'checkExemption')).toContain('until 2026-03-02: "migration pending"');
    expect(mutations(model)).toEqual([]);
  });

  it('goes ahead once the until= date has passed', async () => {
    const model = account(exemptBy('migration pending; until=2026-03-01'));

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'checkExemption')?.outputs).toEqual({
      Note: `The exemption of ${INSTANCE_ID} by tag ena-guard:exempt expired after 2026-03-01.`,
    });
    expect(mutations(model)).toEqual(['StopInstances', 'CreateImage', 'ModifyInstanceAttribute', 'StartInstances']);
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'running' } });
  });

  it('refuses an exemption tag without a reason', async () => {
    // Someone meant to protect the instance: a runbook refuses where the rules would not exempt.
    for (const value of ['', 'until=2026-12-31', ' ; - ']) {
      const model = account(exemptBy(value));

      const result = await run(model);

      expect(result.status, JSON.stringify(value)).toBe('Failed');
      expect(stepFailure(result, 'checkExemption'), JSON.stringify(value)).toBe(
        `Refused - ${INSTANCE_ID} carries the exemption tag ena-guard:exempt without a reason. Give a reason in the tag value, or remove the tag, first.`,
      );
      expect(runbookSteps(result), JSON.stringify(value)).toEqual([]);
      expect(mutations(model), JSON.stringify(value)).toEqual([]);
    }
  });

  it('refuses an exemption tag whose expiry it cannot read', async () => {
    const model = account(exemptBy('legacy driver; until=31/12/2026'));

    const result = await run(model);

    expect(result.status).toBe('Failed');
    expect(stepFailure(result, 'checkExemption')).toContain('with an unreadable expiry "until=31/12/2026"');
    expect(mutations(model)).toEqual([]);
  });
});

describe('EnaGuard-EnableEnaSupport looks for the driver only with the stack’s own document', () => {
  it('sends only EnaGuard-CheckEnaDriverEvidence, never a shell document', async () => {
    // The document itself names no shell document anywhere.
    expect(JSON.stringify(runbook.content)).not.toMatch(/AWS-Run(Shell|PowerShell)Script/);

    const guests: { guest: GuestSpec; instance?: Partial<Instance>; parameters?: Record<string, string> }[] = [
      { guest: LINUX_WITH_DRIVER },
      { guest: LINUX_WITHOUT_DRIVER },
      { guest: LINUX_WITHOUT_DRIVER, parameters: { AcceptMissingDriverEvidence: 'true' } },
      { guest: WINDOWS_2019_WITH_DRIVER, instance: { Platform: 'windows' as Instance['Platform'], PlatformDetails: 'Windows' } },
    ];
    for (const { guest, instance: overrides, parameters } of guests) {
      const model = account({ guest, ...(overrides === undefined ? {} : { instance: overrides }) });

      await run(model, parameters);

      const sent = model.calls.calls({ operation: 'SendCommand' }).map((call) => call.input as { DocumentName?: string; Parameters?: Record<string, unknown> });
      expect(sent, guest.osName).toHaveLength(1);
      for (const command of sent) {
        expect(command.DocumentName, guest.osName).toBe(CHECK_DRIVER_EVIDENCE_DOCUMENT);
        // Fixed content: the runbook passes no commands (nothing a caller could inject).
        expect(command.Parameters ?? {}, guest.osName).toEqual({});
      }
    }
  });

  it('sends the document under the name it is given, and refuses, changing nothing, when no such document is deployed', async () => {
    // The account has the document under its unprefixed name only: SendCommand fails with
    // InvalidDocument, and without inventory there is no evidence of a driver.
    const model = account();

    const result = await run(model, { DriverEvidenceDocumentName: `prod-${CHECK_DRIVER_EVIDENCE_DOCUMENT}` });

    expect(model.calls.calls({ operation: 'SendCommand' }).map((call) => (call.input as { DocumentName?: string }).DocumentName)).toEqual([
      `prod-${CHECK_DRIVER_EVIDENCE_DOCUMENT}`,
    ]);
    expect(stepFailure(result, 'checkDriverInGuest')).toMatch(/InvalidDocument/);
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step refuseWithoutDriverEvidence failed: /);
    expect(mutations(model)).toEqual([]);
  });
});

describe('EnaGuard-EnableEnaSupport when the change fails', () => {
  it('rolls back to the old adapter when the caller accepted the risk and the guest has no driver', async () => {
    const model = account({ guest: LINUX_WITHOUT_DRIVER });

    const result = await run(model, { AcceptMissingDriverEvidence: 'true' });

    expect(result.status).not.toBe('Success');
    expect(result.failureMessage).toContain('startInstance');
    const steps = runbookSteps(result);
    expect(steps.slice(steps.indexOf('startInstance'))).toEqual([
      'startInstance',
      'rollbackWaitUntilSettled',
      'rollbackStop',
      'rollbackEnaSupport',
      'decideRollbackStart',
      'rollbackStart',
      'confirmRolledBack',
    ]);
    expect(instanceNow(model)).toMatchObject({ EnaSupport: false, State: { Name: 'running' } });
    expect(model.ec2.statusChecks(INSTANCE_ID)).toEqual({ instance: 'ok', system: 'ok' });
    expect(model.ec2.image(result.outputs['createBackupImage.ImageId'] as string)?.State).toBe('available');
  });
});

// ---- Fault matrix ---------------------------------------------------------------------------------

interface Invariants {
  readonly wasRunning: boolean;
  readonly guestHasDriver: boolean;
}

/** What must hold after any run, whatever failed. */
function assertInvariants(model: AccountModel, result: SimulationResult, { wasRunning, guestHasDriver }: Invariants, label: string): void {
  settle(model);
  const now = instanceNow(model);
  const terminations = model.calls.calls({ operation: 'TerminateInstances' });
  const deregistrations = model.calls.calls({ operation: 'DeregisterImage' });
  expect(terminations, `${label}: no instance is terminated`).toEqual([]);
  expect(deregistrations, `${label}: no image is deregistered`).toEqual([]);
  expect(now.State?.Name, `${label}: the instance is not terminated`).not.toBe('terminated');
  if (!guestHasDriver) expect(now.EnaSupport ?? false, `${label}: ENA is never left on a guest without a driver`).toBe(false);
  if (result.status !== 'Success') expect(now.EnaSupport ?? false, `${label}: a failed run restores the original enaSupport`).toBe(false);
  if (wasRunning) expect(now.State?.Name, `${label}: an instance that was running is running again`).toBe('running');
  for (const call of model.calls.calls({ operation: 'CreateImage' })) {
    const imageId = (call.output as { ImageId?: string } | undefined)?.ImageId;
    if (imageId) expect(model.ec2.image(imageId), `${label}: the backup ${imageId} still exists`).toBeDefined();
  }
}

function faultAlways(point: FaultPoint): FaultRule {
  return { service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 'always', code: 'InternalError' };
}

const matrices: { name: string; scenario: Scenario; parameters: Record<string, string>; invariants: Invariants }[] = [
  { name: 'a running instance whose guest has the driver', scenario: {}, parameters: {}, invariants: { wasRunning: true, guestHasDriver: true } },
  {
    name: 'a running instance without a driver, risk accepted (the rollback path)',
    scenario: { guest: LINUX_WITHOUT_DRIVER },
    parameters: { AcceptMissingDriverEvidence: 'true' },
    invariants: { wasRunning: true, guestHasDriver: false },
  },
];

describe.each(matrices)('EnaGuard-EnableEnaSupport fault matrix: $name', ({ scenario, parameters, invariants }) => {
  let points: readonly FaultPoint[] = [];
  let cleanStatus: SimulationResult['status'] | undefined;

  beforeAll(async () => {
    const clean = account(scenario);
    cleanStatus = (await run(clean, parameters)).status;
    points = clean.calls.faultPoints();
  });

  it('has a fault point for every AWS call of the clean run, the lock’s, the exemption tag’s and the backup’s included', () => {
    expect(points.length).toBeGreaterThan(10);
    expect(new Set(points.map((point) => `${point.service}:${point.operation}`))).toEqual(
      new Set([
        'dynamodb:PutItem',
        'ec2:DescribeTags',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceAttribute',
        'ec2:DescribeInstanceTypes',
        'autoscaling:DescribeAutoScalingInstances',
        'ssm:DescribeInstanceInformation',
        'ssm:SendCommand',
        'ssm:GetCommandInvocation',
        'ec2:StopInstances',
        'ec2:CreateImage',
        'ec2:DescribeImages',
        'ec2:ModifyInstanceAttribute',
        'ec2:StartInstances',
        'ec2:DescribeInstanceStatus',
        'dynamodb:DeleteItem',
      ]),
    );
    expect(points[0]).toMatchObject({ service: 'dynamodb', operation: 'PutItem', attempt: 1 });
    expect(points.at(-1)).toMatchObject({ service: 'dynamodb', operation: 'DeleteItem', attempt: 1 });
  });

  it('keeps every invariant when any one call fails once', async () => {
    for (const point of points) {
      const model = account({ ...scenario, faults: [{ service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 1, code: 'InternalError' }] });
      // The run helper checks the lock was released: releaseLock retries a failed DeleteItem.
      const result = await run(model, parameters);
      assertInvariants(model, result, invariants, `${point.service}:${point.operation}#${point.attempt} once`);
    }
  });

  it('keeps every invariant it can when a call fails from some point on, and fails loudly where it cannot', async () => {
    for (const point of points) {
      const model = account({ ...scenario, faults: [faultAlways(point)] });
      const releaseImpossible = point.service === 'dynamodb' && point.operation === 'DeleteItem';
      const result = await run(model, parameters, { lockLeft: releaseImpossible });
      const label = `${point.service}:${point.operation}#${point.attempt} always`;
      if (releaseImpossible) {
        // By design: the lock stays, held by this execution, which has ended, so the next run takes
        // it over as stale. The release is not critical: the run reports what it did to the instance.
        expect(result.trace.at(-1), label).toMatchObject({ stepName: 'releaseLock', status: 'Failed' });
        expect(heldLocks(model), label).toEqual([INSTANCE_ID]);
        expect(model.dynamodb.items(RUNBOOK_LOCK_TABLE.TableName)[0]?.['Holder'], label).toEqual({ S: result.executionId });
        expect(result.status, `${label}: the same outcome as the clean run`).toBe(cleanStatus);
      }
      const startImpossible = point.operation === 'StartInstances';
      const stopImpossibleAfterChange = point.operation === 'StopInstances' && point.attempt > 1;
      const restoreImpossible = point.operation === 'ModifyInstanceAttribute' && point.attempt > 1;
      if (startImpossible || stopImpossibleAfterChange || restoreImpossible) {
        // EC2 refuses the very call that could put things back: the run must not claim success.
        expect(result.status, label).not.toBe('Success');
        expect(model.calls.calls({ operation: 'TerminateInstances' }), label).toEqual([]);
        expect(model.calls.calls({ operation: 'DeregisterImage' }), label).toEqual([]);
        continue;
      }
      assertInvariants(model, result, invariants, label);
    }
  });
});
