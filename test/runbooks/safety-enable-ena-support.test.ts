/**
 * Safety properties of EnaGuard-EnableEnaSupport that the scenario tests of
 * enable-ena-support.test.ts did not pin down, found by the runbook mutation suite
 * (docs/mutation-testing.md): every Auto Scaling lifecycle state but Standby is refused, a status
 * check that fails after the start is rolled back, and an instance whose enaSupport could not be
 * restored is never started with ENA on. Each test reads what the run did to the account, and
 * every run is checked to release the instance's lock (test/support/runbook-lock.ts).
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults, loadDocument, simulate, type AccountModel, type AccountModelOptions, type AutomationDocument, type GuestSpec, type LifecycleState, type SimulationResult, RUNBOOK_LOCK_TABLE } from '../../src/simulator/index.js';
import { INSTANCE_ID, LINUX_WITHOUT_DRIVER, singleInstanceAccount } from '../simulator/fixtures.js';
import { instanceCheckFailsOnceAfterPassing } from '../support/account-doubles.js';
import { runbookPath } from '../support/runbook-documents.js';
import { expectLockReleased, runbookSteps, stepFailure } from '../support/runbook-lock.js';

let runbook: AutomationDocument;

beforeAll(async () => {
  runbook = await loadDocument(runbookPath('EnaGuard-EnableEnaSupport'));
});

/** One running r4.large with ENA off and the given guest, in an Auto Scaling group when a lifecycle state is given. */
function account(options: { guest?: GuestSpec; lifecycleState?: string; faults?: AccountModelOptions } = {}): AccountModel {
  const group =
    options.lifecycleState === undefined
      ? {}
      : {
          autoScalingGroups: [{ AutoScalingGroupName: 'web', HealthCheckGracePeriod: 300 }],
          autoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: 'web', LifecycleState: options.lifecycleState as LifecycleState, HealthStatus: 'HEALTHY' as const }],
        };
  return singleInstanceAccount({ guest: options.guest, snapshot: { dynamoDbTables: [RUNBOOK_LOCK_TABLE], ...group }, ...options.faults });
}

async function run(model: AccountModel, parameters: Record<string, string> = {}): Promise<SimulationResult> {
  const result = await simulate(runbook, { InstanceId: INSTANCE_ID, ...parameters }, { account: model });
  expectLockReleased(model, result);
  return result;
}

function instanceNow(model: AccountModel): Instance {
  const current = model.ec2.instance(INSTANCE_ID);
  if (current === undefined) throw new Error('instance vanished');
  return current;
}

/** The EC2 calls that changed something, in order (whatever else the runbook calls, such as a lock table). */
function ec2Changes(model: AccountModel): string[] {
  return model.calls
    .calls()
    .filter((call) => call.service === 'ec2' && !/^(Describe|List|Get)/.test(call.operation) && call.error === undefined)
    .map((call) => call.operation);
}

describe('EnaGuard-EnableEnaSupport refuses every Auto Scaling lifecycle state but Standby', () => {
  // The states the runbook lists (the simulator's type knows only some of them).
  it.each(['Pending', 'Pending:Wait', 'Pending:Proceed', 'EnteringStandby', 'Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Detaching'])(
    'a member in %s is neither stopped nor changed',
    async (state) => {
      const model = account({ lifecycleState: state });

      const result = await run(model);

      expect(result.status).toBe('Failed');
      expect(result.failureMessage).toContain(state);
      expect(runbookSteps(result).at(-1)).toBe('refuseAutoScalingMember');
      expect(stepFailure(result, 'refuseAutoScalingMember')).toContain(state);
      expect(ec2Changes(model)).toEqual([]);
      expect(instanceNow(model)).toMatchObject({ EnaSupport: false, State: { Name: 'running' } });
    },
  );
});

describe('EnaGuard-EnableEnaSupport checks the instance after starting it', () => {
  it('rolls back when the instance check fails right after the start passed it', async () => {
    // Prepare: the guest comes up on ENA, passes both checks, and fails the instance check at the next read.
    const model = account();
    instanceCheckFailsOnceAfterPassing(model, INSTANCE_ID, () => model.calls.calls({ operation: 'StartInstances' }).length > 0);

    // Act
    const result = await run(model);
    model.clock.advance(30 * 60_000);

    // Assess: the change did not stand; the instance runs again on its original adapter.
    expect(result.status).toBe('Failed');
    expect(result.failureMessage).toMatch(/^Step assertStatusChecksPass failed: /);
    expect(runbookSteps(result).slice(-6)).toEqual(['rollbackWaitUntilSettled', 'rollbackStop', 'rollbackEnaSupport', 'decideRollbackStart', 'rollbackStart', 'confirmRolledBack']);
    expect(instanceNow(model)).toMatchObject({ EnaSupport: false, State: { Name: 'running' } });
    expect(ec2Changes(model)).toEqual(['StopInstances', 'CreateImage', 'ModifyInstanceAttribute', 'StartInstances', 'StopInstances', 'ModifyInstanceAttribute', 'StartInstances']);
    expect(model.calls.calls({ operation: 'ModifyInstanceAttribute' }).map((call) => (call.input as { EnaSupport?: unknown }).EnaSupport)).toEqual([{ Value: true }, { Value: false }]);
  });
});

describe('EnaGuard-EnableEnaSupport never starts an instance with ENA on after a failed restore', () => {
  it('leaves the instance stopped, ENA on, when enaSupport cannot be set back', async () => {
    // Prepare: no driver in the guest (risk accepted), so the start fails and the rollback runs; EC2
    // then refuses every ModifyInstanceAttribute after the one that enabled ENA.
    const model = account({ guest: LINUX_WITHOUT_DRIVER, faults: { faults: [Faults.failAlways('ec2', 'ModifyInstanceAttribute', 'InternalError', { fromAttempt: 2 })] } });

    // Act
    const result = await run(model, { AcceptMissingDriverEvidence: 'true' });
    model.clock.advance(30 * 60_000);

    // Assess: stopped rather than started on an adapter the guest cannot drive; the run says so.
    // The run's status is that of its first critical failure, the start that timed out on ENA; the
    // step that refuses to start again reports why the instance is left stopped.
    expect(result.status).toBe('TimedOut');
    expect(result.failureMessage).toMatch(/^Step startInstance timed out: /);
    expect(runbookSteps(result).slice(-3)).toEqual(['readEnaAfterFailedRestore', 'checkEnaAfterFailedRestore', 'refuseToStartWithEnaOn']);
    expect(stepFailure(result, 'refuseToStartWithEnaOn')).toBe('Property $.EnaSupport.Value is true; expected one of ["False","false"]');
    expect(instanceNow(model)).toMatchObject({ EnaSupport: true, State: { Name: 'stopped' } });
    const restores = model.calls.calls({ operation: 'ModifyInstanceAttribute' }).slice(1);
    expect(restores.length).toBeGreaterThan(0);
    expect(restores.every((call) => call.error !== undefined)).toBe(true);
    const lastRestore = restores.at(-1)?.at.getTime() ?? 0;
    expect(model.calls.calls({ operation: 'StartInstances' }).filter((call) => call.at.getTime() >= lastRestore)).toEqual([]);
  });
});
