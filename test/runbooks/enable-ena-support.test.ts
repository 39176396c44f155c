/**
 * EnaGuard-EnableEnaSupport, run by the simulator exactly as it is deployed: its happy paths, its
 * no-op path, every refusal, and a fault matrix over every AWS call it makes.
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

const RUNBOOK = new URL('../../automation-docs/EnaGuard-EnableEnaSupport.yaml', import.meta.url).pathname;
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
      ...snapshot,
    },
    { faults },
  );
  return model;
}

function run(model: AccountModel, parameters: Record<string, string> = {}): Promise<SimulationResult> {
  return simulate(runbook, { InstanceId: INSTANCE_ID, ...parameters }, { account: model });
}

function stepsRun(result: SimulationResult): string[] {
  return result.trace.map((step) => step.stepName);
}

/** The API calls that change something. */
function mutations(model: AccountModel): string[] {
  const readOnly = /^(Describe|List|Get)/;
  return model.calls
    .calls()
    .filter((call) => !readOnly.test(call.operation) && call.operation !== 'SendCommand' && call.error === undefined)
    .map((call) => call.operation);
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
    expect(result.outputs).toMatchObject({
      'readInstance.OriginalState': 'running',
      'readEnaAttribute.OriginalEnaSupport': false,
      'readFinalEnaAttribute.FinalEnaSupport': true,
    });
    const evidence = model.calls.calls({ operation: 'SendCommand' });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]?.input).toMatchObject({ DocumentName: 'AWS-RunShellScript', InstanceIds: [INSTANCE_ID] });
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

  it('checks a Windows guest with PowerShell', async () => {
    const model = account({ instance: { Platform: 'windows' as Instance['Platform'], PlatformDetails: 'Windows' }, guest: WINDOWS_2019_WITH_DRIVER });

    const result = await run(model);

    expect(result.status).toBe('Success');
    expect(model.calls.calls({ operation: 'SendCommand' })[0]?.input).toMatchObject({ DocumentName: 'AWS-RunPowerShellScript' });
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
    expect(stepsRun(result)).toEqual(['readInstance', 'readEnaAttribute', 'checkAlreadyEnabled', 'confirmAlreadyEnabled']);
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
    expect(stepsRun(result).at(-1)).toBe(step);
    expect(result.failureMessage).toContain(step);
    expect(result.failureMessage).toMatch(message);
    expect(mutations(model)).toEqual([]);
    expect(instanceNow(model).EnaSupport).toBe(before.EnaSupport);
    expect(instanceNow(model).State?.Name).toBe(before.State?.Name);
  });
});

describe('EnaGuard-EnableEnaSupport when the change fails', () => {
  it('rolls back to the old adapter when the caller accepted the risk and the guest has no driver', async () => {
    const model = account({ guest: LINUX_WITHOUT_DRIVER });

    const result = await run(model, { AcceptMissingDriverEvidence: 'true' });

    expect(result.status).not.toBe('Success');
    expect(result.failureMessage).toContain('startInstance');
    expect(stepsRun(result).slice(stepsRun(result).indexOf('startInstance'))).toEqual([
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

  beforeAll(async () => {
    const clean = account(scenario);
    await run(clean, parameters);
    points = clean.calls.faultPoints();
  });

  it('has fault points to walk', () => {
    expect(points.length).toBeGreaterThan(10);
  });

  it('keeps every invariant when any one call fails once', async () => {
    for (const point of points) {
      const model = account({ ...scenario, faults: [{ service: point.service, operation: point.operation, fromAttempt: point.attempt, times: 1, code: 'InternalError' }] });
      const result = await run(model, parameters);
      assertInvariants(model, result, invariants, `${point.service}:${point.operation}#${point.attempt} once`);
    }
  });

  it('keeps every invariant it can when a call fails from some point on, and fails loudly where it cannot', async () => {
    for (const point of points) {
      const model = account({ ...scenario, faults: [faultAlways(point)] });
      const result = await run(model, parameters);
      const label = `${point.service}:${point.operation}#${point.attempt} always`;
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
