/**
 * Safety properties of EnaGuard-UpdateEnaDriver's checks after the reboot that the scenario tests
 * did not pin down, found by the runbook mutation suite (docs/mutation-testing.md): a host whose
 * system status check fails after the reboot is reported as a failed reboot, not a success, and
 * the verification waits for an SSM Agent that is slow to come back. Each test reads what the run
 * did to the account and the guest; the fixtures' run checks that the instance's lock was released.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EC2_TIMINGS, type AccountModel, type AutomationDocument } from '../../src/simulator/index.js';
import { systemCheckImpaired } from '../support/account-doubles.js';
import { runbookSteps, stepFailure } from '../support/runbook-lock.js';
import {
  AMAZON_LINUX_2_NEW_DRIVER,
  AMAZON_LINUX_2_NEW_KERNEL,
  AMAZON_LINUX_2_OLD_KERNEL,
  INSTANCE_ID,
  INVENTORY_ASSOCIATION_ID,
  accountFor,
  answersKernelCheck,
  installsKernel,
  inventoryPublished,
  inventoryRefreshes,
  invariantViolations,
  loadRunbook,
  run,
  UPDATE_COMMANDS,
} from './update-ena-driver-fixtures.js';

let runbook: AutomationDocument;

beforeAll(async () => {
  runbook = await loadRunbook();
});

/** Amazon Linux 2 below the minimum whose package manager offers the kernel that brings driver 2.12.0g. */
function amazonLinux2(): AccountModel {
  return accountFor({
    guest: AMAZON_LINUX_2_OLD_KERNEL,
    behaviours: (guest) => {
      answersKernelCheck(guest, 'available');
      installsKernel(guest, UPDATE_COMMANDS.yum, AMAZON_LINUX_2_NEW_KERNEL, AMAZON_LINUX_2_NEW_DRIVER);
    },
  });
}

function rebooted(account: AccountModel): boolean {
  return account.calls.calls({ operation: 'RebootInstances' }).some((call) => call.error === undefined);
}

describe('EnaGuard-UpdateEnaDriver after the reboot', () => {
  it('fails, publishing nothing, when the host fails its system status check after the reboot', async () => {
    // Prepare: from the reboot on, EC2 reports the system check of the instance impaired.
    const account = amazonLinux2();
    systemCheckImpaired(account, (id) => id === INSTANCE_ID, () => rebooted(account));

    // Act
    const result = await run(runbook, account);

    // Assess: not a success (the run ends with its first failure, the system check that never
    // passed: TimedOut), reported as a failed reboot; no verification was published, the instance still runs.
    expect(result.status).toBe('TimedOut');
    expect(result.failureMessage).toMatch(/^Step waitForSystemStatusOk timed out: .*SystemStatus\.Status/);
    expect(runbookSteps(result).slice(-3)).toEqual(['waitForSystemStatusOk', 'recoverAfterRebootFailure', 'failReboot']);
    expect(stepFailure(result, 'failReboot')).toMatch(/did not pass both status checks/);
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(inventoryRefreshes(account)).toEqual([]);
    expect(inventoryPublished(account)).toMatchObject({ kernelRelease: AMAZON_LINUX_2_OLD_KERNEL.kernelRelease });
    expect(account.ec2.instance(INSTANCE_ID)?.State?.Name).toBe('running');
  });

  it('waits for an SSM Agent that is online only 20 minutes after the reboot, then verifies and publishes the update', async () => {
    // Prepare: after the reboot the agent is slow to start (the first boot of a new kernel): offline
    // from just after the guest booted until 20 minutes after the reboot, while both checks pass.
    const account = amazonLinux2();
    const call = account.call.bind(account);
    account.call = (service: string, operation: string, input: Record<string, unknown> = {}): object => {
      const output = call(service, operation, input);
      if (operation === 'RebootInstances') {
        const guest = account.guest(INSTANCE_ID);
        account.clock.schedule((DEFAULT_EC2_TIMINGS.rebootSeconds + 1) * 1000, () => guest.stopAgent());
        account.clock.schedule(20 * 60_000, () => guest.startAgent());
      }
      return output;
    };

    // Act
    const result = await run(runbook, account);

    // Assess
    expect(result.status).toBe('Success');
    expect(runbookSteps(result).at(-1)).toBe('reportUpdated');
    expect(account.calls.calls({ operation: 'StartAssociationsOnce' })).toEqual([]);
    expect(inventoryRefreshes(account)).toEqual([{ instanceIds: [INSTANCE_ID], parameters: { AssociationId: [INVENTORY_ASSOCIATION_ID] }, succeeded: true }]);
    expect(inventoryPublished(account)).toMatchObject({ kernelRelease: AMAZON_LINUX_2_NEW_KERNEL, driverVersion: '2.12.0g' });
    expect(invariantViolations(account, result)).toEqual([]);
  });
});
