/**
 * EnaGuard-UpdateEnaDriver and Auto Scaling groups: the update reboots the instance (twice with
 * the backup), and a reboot can fail the group's health checks, upon which the group replaces the
 * instance. So a group member is updated only in Standby; any other lifecycle state is refused
 * before the first change, before the backup and before any command runs in the guest. Every run
 * takes and releases the instance's lock (checked by the fixtures' run); step sequences leave
 * that bookkeeping out (runbookSteps).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults, SUPPORTED_ACTIONS, substitute, type AccountModel, type AutomationDocument, type FaultRule, type LifecycleState, type SimulationResult } from '../../src/simulator/index.js';
import { runbookSteps, stepFailure } from '../support/runbook-lock.js';
import {
  AMAZON_LINUX_2_NEW_DRIVER,
  AMAZON_LINUX_2_NEW_KERNEL,
  AMAZON_LINUX_2_OLD_KERNEL,
  AUTO_SCALING_GROUP,
  INSTANCE_ID,
  INVENTORY_ASSOCIATION_ID,
  UPDATE_COMMANDS,
  WINDOWS_2022_OLD_DRIVER,
  accountFor,
  answersKernelCheck,
  changesMade,
  commandsSent,
  imagesCreated,
  installsKernel,
  inventoryRefreshes,
  invariantViolations,
  loadRunbook,
  run,
  type Scenario,
} from './update-ena-driver-fixtures.js';

let runbook: AutomationDocument;

beforeAll(async () => {
  runbook = await loadRunbook();
});

const AMAZON_LINUX_2: Scenario = {
  guest: AMAZON_LINUX_2_OLD_KERNEL,
  behaviours: (guest) => {
    answersKernelCheck(guest, 'available');
    installsKernel(guest, UPDATE_COMMANDS.yum, AMAZON_LINUX_2_NEW_KERNEL, AMAZON_LINUX_2_NEW_DRIVER);
  },
};
const WINDOWS_2022: Scenario = { guest: WINDOWS_2022_OLD_DRIVER };

/** The steps of every refusal of a group member (after the lock and the exemption check): the first checks, the read, the decision, the refusal. */
const REFUSED_STEPS = ['checkInventoryAssociationGiven', 'describeInstance', 'checkInstanceRunning', 'readAutoScalingMembership', 'checkAutoScalingStandby', 'refuseAutoScalingMember'];

/** Asserts the refusal of a group member, and that nothing at all was changed or run in the guest. */
function expectRefusedMember(account: AccountModel, result: SimulationResult, state: string): void {
  expect(result.status).toBe('Failed');
  expect(runbookSteps(result)).toEqual(REFUSED_STEPS);
  // The refusal is the run's first failure, so the run's message is the refusal's own.
  expect(result.failureMessage).toMatch(/^Step refuseAutoScalingMember failed: /);
  expect(result.failureMessage).toBe(`Step refuseAutoScalingMember failed: ${String(stepFailure(result, 'refuseAutoScalingMember'))}`);
  expect(result.failureMessage).toContain(`"${state}"`);
  expect(result.failureMessage).toMatch(new RegExp(`instance ${INSTANCE_ID} is in an Auto Scaling group and not in Standby`));
  expect(result.failureMessage).toMatch(/a reboot can fail the group's health checks, and the group then replaces the instance/);
  expect(result.failureMessage).toMatch(/Put it in Standby first \(aws autoscaling enter-standby\), then run again/);
  expect(result.failureMessage).toMatch(/Nothing was changed\./);
  // The call log: nothing changed, no command of any kind (not even the read-only collector or assessment), no inventory published;
  // only the lock, taken and released, and the exemption tag's read around the membership reads.
  expect(changesMade(account)).toEqual([]);
  expect(account.calls.calls({ operation: 'CreateImage' })).toEqual([]);
  expect(account.calls.calls({ operation: 'RebootInstances' })).toEqual([]);
  expect(account.calls.calls({ operation: 'SendCommand' })).toEqual([]);
  expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
  expect(inventoryRefreshes(account)).toEqual([]);
  expect(account.calls.calls().map((call) => call.operation)).toEqual(['PutItem', 'DescribeTags', 'DescribeInstances', 'DescribeAutoScalingInstances', 'DescribeAutoScalingInstances', 'DeleteItem']);
  expect(account.guest(INSTANCE_ID).rebootPending).toBe(false);
}

describe('EnaGuard-UpdateEnaDriver refuses an Auto Scaling group member that is not in Standby, before changing anything', () => {
  it.each<{ name: string; scenario: Scenario; parameters: Readonly<Record<string, string>> }>([
    { name: 'Amazon Linux 2', scenario: AMAZON_LINUX_2, parameters: {} },
    { name: 'Windows Server 2022', scenario: WINDOWS_2022, parameters: {} },
    { name: 'Amazon Linux 2, without a backup', scenario: AMAZON_LINUX_2, parameters: { CreateBackupImage: 'false' } },
  ])('$name, InService: no backup, no command, no reboot, and the message says why and what to do', async ({ scenario, parameters }) => {
    // Prepare
    const account = accountFor({ ...scenario, autoScaling: { LifecycleState: 'InService' } });
    const kernel = account.guest(INSTANCE_ID).kernelRelease;
    const driver = account.guest(INSTANCE_ID).runningDriver.version;

    // Act
    const result = await run(runbook, account, parameters);

    // Assess
    expectRefusedMember(account, result, 'InService');
    expect(result.trace.find((step) => step.stepName === 'readAutoScalingMembership')?.outputs).toEqual({ InstanceIds: [INSTANCE_ID], LifecycleStates: ['InService'] });
    expect(imagesCreated(account)).toEqual([]);
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(kernel);
    expect(account.guest(INSTANCE_ID).runningDriver.version).toBe(driver);
    expect(account.autoscaling.member(INSTANCE_ID)).toMatchObject({ LifecycleState: 'InService', HealthStatus: 'HEALTHY' });
    expect(invariantViolations(account, result)).toEqual([]);
  });

  it.each(['Pending', 'EnteringStandby', 'Terminating', 'Warmed:Running', 'Pending:Wait', 'Detaching'])(
    'in the lifecycle state %s, which is not Standby either',
    async (state) => {
      // Prepare: the simulator's type lists only some of Auto Scaling's states; the runbook knows none but Standby.
      const account = accountFor({ ...AMAZON_LINUX_2, autoScaling: { LifecycleState: state as LifecycleState } });

      // Act
      const result = await run(runbook, account);

      // Assess
      expectRefusedMember(account, result, state);
    },
  );

  it('even when the first read of the membership fails and its retry succeeds', async () => {
    // Prepare
    const account = accountFor({ ...AMAZON_LINUX_2, autoScaling: { LifecycleState: 'InService' } }, [Faults.throttle('autoscaling', 'DescribeAutoScalingInstances')]);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.trace.find((step) => step.stepName === 'readAutoScalingMembership')?.attempts).toBe(2);
    expect(runbookSteps(result).at(-1)).toBe('refuseAutoScalingMember');
    expect(changesMade(account)).toEqual([]);
    expect(commandsSent(account)).toEqual([]);
  });

  it('and stays refused and unchanged whichever of its calls fails, once or from then on', async () => {
    // Prepare
    const clean = accountFor({ ...AMAZON_LINUX_2, autoScaling: { LifecycleState: 'InService' } });
    await run(runbook, clean);
    const points = clean.calls.faultPoints();
    const violations: string[] = [];

    // Act
    for (const point of points) {
      for (const mode of ['once', 'always'] as const) {
        const rule: FaultRule = { ...Faults.atPoint(point, 'InternalError'), ...(mode === 'always' ? { times: 'always' as const } : {}) };
        const account = accountFor({ ...AMAZON_LINUX_2, autoScaling: { LifecycleState: 'InService' } }, [rule]);
        // releaseLock retries DeleteItem; one that always fails leaves the lock of this ended execution behind, by design.
        const result = await run(runbook, account, {}, { lock: point.operation === 'DeleteItem' && mode === 'always' ? 'left-behind' : 'released' });
        const where = `${point.service}:${point.operation}#${point.attempt} (${mode})`;
        if (!account.calls.calls().some((call) => call.error?.injected === true)) violations.push(`${where}: the fault never struck`);
        if (result.status === 'Success') violations.push(`${where}: succeeded`);
        if (runbookSteps(result).includes('assertManagedAndOnline')) violations.push(`${where}: went past the membership check`);
        if (changesMade(account).length > 0 || commandsSent(account).length > 0) violations.push(`${where}: changed ${JSON.stringify(changesMade(account))} or sent a command`);
        violations.push(...invariantViolations(account, result).map((violation) => `${where}: ${violation}`));
      }
    }

    // Assess
    expect(points.map((point) => point.operation)).toEqual(['PutItem', 'DescribeTags', 'DescribeInstances', 'DescribeAutoScalingInstances', 'DescribeAutoScalingInstances', 'DeleteItem']);
    expect(violations).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver lets an Auto Scaling group member in Standby through', () => {
  it.each([
    { name: 'Amazon Linux 2', scenario: AMAZON_LINUX_2 },
    { name: 'Windows Server 2022', scenario: WINDOWS_2022 },
  ])('and updates $name exactly as it updates a standalone instance, leaving it in Standby', async ({ scenario }) => {
    // Prepare
    const member = accountFor({ ...scenario, autoScaling: { LifecycleState: 'Standby' } });
    const standalone = accountFor(scenario);

    // Act
    const memberResult = await run(runbook, member);
    const standaloneResult = await run(runbook, standalone);

    // Assess
    expect(memberResult.status).toBe('Success');
    expect(runbookSteps(memberResult)).toEqual(runbookSteps(standaloneResult));
    expect(runbookSteps(memberResult).slice(2, 6)).toEqual(['checkInstanceRunning', 'readAutoScalingMembership', 'checkAutoScalingStandby', 'assertManagedAndOnline']);
    expect(memberResult.outputs).toEqual(standaloneResult.outputs);
    expect(member.calls.calls().map((call) => call.operation)).toEqual(standalone.calls.calls().map((call) => call.operation));
    expect(changesMade(member)).toEqual(changesMade(standalone));
    expect(changesMade(member)).toEqual(expect.arrayContaining(['CreateImage', 'RebootInstances']));
    expect(member.calls.calls({ operation: 'DescribeAutoScalingInstances' })).toHaveLength(1);
    expect(member.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(inventoryRefreshes(member)).toEqual([{ instanceIds: [INSTANCE_ID], parameters: { AssociationId: [INVENTORY_ASSOCIATION_ID] }, succeeded: true }]);
    expect(member.autoscaling.member(INSTANCE_ID)).toMatchObject({ AutoScalingGroupName: AUTO_SCALING_GROUP, LifecycleState: 'Standby' });
    expect(invariantViolations(member, memberResult)).toEqual([]);
  });
});

describe('EnaGuard-UpdateEnaDriver and instances in no Auto Scaling group', () => {
  it('updates a standalone instance, whose membership read returns no group', async () => {
    // Prepare
    const account = accountFor(AMAZON_LINUX_2);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'readAutoScalingMembership')?.outputs).toEqual({ InstanceIds: [], LifecycleStates: [] });
    expect(result.trace.find((step) => step.stepName === 'checkAutoScalingStandby')?.nextStep).toBe('assertManagedAndOnline');
    expect(account.calls.calls({ operation: 'DescribeAutoScalingInstances' }).map((call) => call.input)).toEqual([{ InstanceIds: [INSTANCE_ID] }]);
    expect(runbookSteps(result).at(-1)).toBe('reportUpdated');
    expect(account.guest(INSTANCE_ID).kernelRelease).toBe(AMAZON_LINUX_2_NEW_KERNEL);
    expect(result.outputs['assessLinuxAfter.Output']).toMatch(/^ENA_GUARD_PLAN=current\n/);
  });

  it('updates a standalone instance when another instance of the account is InService in a group', async () => {
    // Prepare
    const account = accountFor({ ...AMAZON_LINUX_2, autoScaling: { InstanceId: 'i-0bbbbbbbbbbbbbbb2', LifecycleState: 'InService' } });

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace.find((step) => step.stepName === 'readAutoScalingMembership')?.outputs).toEqual({ InstanceIds: [], LifecycleStates: [] });
  });
});

describe('EnaGuard-UpdateEnaDriver stops safely when it cannot read the Auto Scaling membership', () => {
  it.each([
    { why: 'the role may not call it', code: 'AccessDenied', scenario: AMAZON_LINUX_2 },
    { why: 'Auto Scaling keeps failing', code: 'InternalFailure', scenario: AMAZON_LINUX_2 },
    { why: 'Auto Scaling keeps failing, for an InService member', code: 'InternalFailure', scenario: { ...AMAZON_LINUX_2, autoScaling: { LifecycleState: 'InService' as const } } },
  ])('when $why, in failPrecheck, before any backup or command', async ({ code, scenario }) => {
    // Prepare
    const account = accountFor(scenario, [Faults.failAlways('autoscaling', 'DescribeAutoScalingInstances', code)]);

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Failed');
    expect(runbookSteps(result).slice(-2)).toEqual(['readAutoScalingMembership', 'failPrecheck']);
    const read = result.trace.find((step) => step.stepName === 'readAutoScalingMembership');
    expect(read?.attempts).toBe(3);
    expect(read?.failureMessage).toContain(`(${code}) when calling the DescribeAutoScalingInstances operation`);
    // The run ends with its first failure, the read; failPrecheck's report points to it.
    expect(result.failureMessage).toBe(`Step readAutoScalingMembership failed: ${String(read?.failureMessage)}`);
    expect(stepFailure(result, 'failPrecheck')).toMatch(/Failed before changing anything: a check of instance i-0aaaaaaaaaaaaaaa1 could not be completed; the first failed step names the error\. Nothing was changed/);
    expect(changesMade(account)).toEqual([]);
    expect(commandsSent(account)).toEqual([]);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(inventoryRefreshes(account)).toEqual([]);
    expect(invariantViolations(account, result)).toEqual([]);
  });
});

// ---- The decision, for every lifecycle state ------------------------------------------------------

/** Auto Scaling's lifecycle states (API reference, Instance.LifecycleState), warm pools included. */
const LIFECYCLE_STATES = [
  'Pending', 'Pending:Wait', 'Pending:Proceed', 'Quarantined', 'InService', 'Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Detaching', 'Detached', 'EnteringStandby', 'Standby',
  'Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed', 'Warmed:Terminating', 'Warmed:Terminating:Wait', 'Warmed:Terminating:Proceed', 'Warmed:Terminated', 'Warmed:Stopped', 'Warmed:Running', 'Warmed:Hibernated',
];

type Action = NonNullable<ReturnType<typeof SUPPORTED_ACTIONS.get>>;

/**
 * Where checkAutoScalingStandby sends a membership read. `asText` passes the lists as the text
 * they render to, so that Contains matches substrings: AWS does not document Contains on a
 * StringList, and the decision must not depend on it.
 */
function decideMembership(instanceIds: string[], states: string[], asText: boolean): string | undefined {
  const step = runbook.content.mainSteps.find((candidate) => candidate.name === 'checkAutoScalingStandby');
  const branch = SUPPORTED_ACTIONS.get('aws:branch') as Action;
  const read = asText ? { InstanceIds: JSON.stringify(instanceIds), LifecycleStates: JSON.stringify(states) } : { InstanceIds: instanceIds, LifecycleStates: states };
  const scope = { parameters: { InstanceId: INSTANCE_ID }, stepOutputs: new Map([['readAutoScalingMembership', read]]), system: {} };
  const outcome = branch.run(substitute(step?.inputs, scope) as Record<string, unknown>, {} as Parameters<Action['run']>[1]);
  if (outcome instanceof Promise) throw new Error('aws:branch is synchronous');
  return outcome.nextStep;
}

describe('EnaGuard-UpdateEnaDriver decides on the Auto Scaling membership', () => {
  it.each([false, true])('lets only Standby members and non-members through, whatever Contains means on a list (as text: %s)', (asText) => {
    const decisions = Object.fromEntries(LIFECYCLE_STATES.map((state) => [state, decideMembership([INSTANCE_ID], [state], asText)]));

    expect(decisions).toEqual(Object.fromEntries(LIFECYCLE_STATES.map((state) => [state, state === 'Standby' ? 'assertManagedAndOnline' : 'refuseAutoScalingMember'])));
    expect(decideMembership([], [], asText)).toBe('assertManagedAndOnline');
  });
});
