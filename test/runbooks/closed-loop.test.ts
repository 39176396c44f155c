/**
 * The closed loop between ena-driver-current and EnaGuard-UpdateEnaDriver, in the simulator, for
 * generated policies and guests: whatever the rule says, the runbook given the same thresholds
 * agrees with it. NON_COMPLIANT with a remediable cause makes the runbook do work, and when the
 * guest's distribution offers a fix, the rule says COMPLIANT on the inventory the runbook
 * collected afterwards; COMPLIANT makes the runbook change nothing; no guest ends worse. Every run
 * releases the instance's lock (the fixtures' run checks it), and publishes the inventory of its
 * own instance only, by the refresh command, and only after a verified update.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driverCurrentParameters, evaluateDriverCurrent, type DriverCurrentReason } from '../../rules/driver-current.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { COLLECT_INVENTORY_DOCUMENT, ENA_INVENTORY_TYPE, KNOWN_COMMAND_DOCUMENTS, type AccountModel, type GuestSpec } from '../../src/simulator/index.js';
import { parseEnaDriverInventoryEntry, type EnaDriverInventory } from '../../rules/inventory.js';
import { instanceFacts } from '../support/instances.js';
import { runbookSteps } from '../support/runbook-lock.js';
import { accountFor, answersKernelCheck, INSTANCE_ID, installsKernel, inventoryRefreshes, invariantViolations, loadRunbook, neighbourInventory, run } from './update-ena-driver-fixtures.js';

/** Causes the runbook exists to fix. */
const REMEDIABLE: readonly DriverCurrentReason[] = ['DRIVER_OUTDATED', 'DRIVER_ROLLED_BACK', 'DRIVER_KNOWN_BAD', 'KERNEL_OUTDATED', 'DRIVER_MISSING'];

interface Case {
  readonly policy: { readonly linuxMinimumDriverVersion: string; readonly windowsMinimumDriverVersion: string; readonly requireSecurityFixes: 'true' | 'false' };
  readonly guest: GuestSpec;
  /** Linux: the kernel (and the driver it carries) the distribution offers, if any. */
  readonly offered: { readonly kernelRelease: string; readonly enaDriver: GuestSpec['enaDriver'] } | undefined;
}

const driverVersion = fc.tuple(fc.constantFrom(2), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 4 })).map(([major, minor, patch]) => `${major}.${minor}.${patch}`);
const WINDOWS_RELEASES = [
  { osVersion: '2008 R2', build: '6.1.7601' },
  { osVersion: '2012 R2', build: '6.3.9600' },
  { osVersion: '2019', build: '10.0.17763' },
  { osVersion: '2022', build: '10.0.20348' },
] as const;

const linuxGuest = (osId: string, osVersion: string, kernelRelease: string, enaDriver: GuestSpec['enaDriver']): GuestSpec => ({
  osFamily: 'linux',
  osId,
  osVersion,
  osName: osId,
  kernelRelease,
  enaDriver,
  ssmAgent: true,
  agentVersion: '3.3.1142.0',
});

/** Amazon Linux 2 with the out-of-tree driver (g), its kernels carrying newer ones. */
const amazonLinux2: fc.Arbitrary<Pick<Case, 'guest' | 'offered'>> = fc
  .record({ found: driverVersion, offered: fc.option(driverVersion, { nil: undefined }), present: fc.boolean() })
  .map(({ found, offered, present }) => ({
    guest: linuxGuest('amzn', '2', '4.14.300-100.1.amzn2.x86_64', present ? { present: true, version: `${found}g`, source: 'out-of-tree' } : { present: false }),
    offered: offered === undefined ? undefined : { kernelRelease: '4.14.355-275.570.amzn2.x86_64', enaDriver: { present: true, version: `${offered}g`, source: 'out-of-tree' } },
  }));

/** Ubuntu 20.04 on the in-tree driver, judged by its -aws kernel against 5.4.0-1025-aws. */
const ubuntu: fc.Arbitrary<Pick<Case, 'guest' | 'offered'>> = fc
  .record({ abi: fc.integer({ min: 1000, max: 1050 }), offered: fc.option(fc.integer({ min: 1000, max: 1120 }), { nil: undefined }) })
  .map(({ abi, offered }) => ({
    guest: linuxGuest('ubuntu', '20.04', `5.4.0-${abi}-aws`, { present: true, source: 'in-tree' }),
    offered: offered === undefined ? undefined : { kernelRelease: `5.4.0-${offered}-aws`, enaDriver: { present: true, source: 'in-tree' } },
  }));

const windows: fc.Arbitrary<Pick<Case, 'guest' | 'offered'>> = fc
  .record({ release: fc.constantFrom(...WINDOWS_RELEASES), found: fc.constantFrom('2.1.4', '2.2.3', '2.2.4', '2.4.0', '2.5.0', '2.6.0', '2.7.0', '2.8.0', '2.9.0', '2.10.0', '2.11.0') })
  .map(({ release, found }) => ({
    guest: {
      osFamily: 'windows',
      osId: 'windows',
      osVersion: release.osVersion,
      osName: `Microsoft Windows Server ${release.osVersion} Datacenter`,
      kernelRelease: release.build,
      enaDriver: { present: true, version: found, source: 'windows' },
      ssmAgent: true,
      agentVersion: '3.3.1142.0',
    },
    offered: undefined,
  }));

const cases: fc.Arbitrary<Case> = fc.record({
  policy: fc.record({
    linuxMinimumDriverVersion: fc.constantFrom('2.2.10', '2.8.0', '2.10.0', '2.13.0'),
    windowsMinimumDriverVersion: fc.constantFrom('2.4.0', '2.8.0', '2.10.0', '2.11.0'),
    requireSecurityFixes: fc.constantFrom('true' as const, 'false' as const),
  }),
  situation: fc.oneof(amazonLinux2, ubuntu, windows),
}).map(({ policy, situation }) => ({ policy, ...situation }));

/** The rule's verdict on the inventory as the collector would write it now. */
function verdictOn(inventory: EnaDriverInventory | undefined, policy: Case['policy'], platform: 'linux' | 'windows') {
  const parameters = parseRuleParameters(driverCurrentParameters, policy);
  if (!parameters.ok) throw new Error(parameters.message);
  return evaluateDriverCurrent({ instance: instanceFacts({ instanceId: INSTANCE_ID, platform }), enaCapability: 'supported', managed: true, inventory }, parameters.value);
}

function collectNow(account: AccountModel): EnaDriverInventory {
  const collector = KNOWN_COMMAND_DOCUMENTS[COLLECT_INVENTORY_DOCUMENT]!;
  const outcome = collector({}, { instanceId: INSTANCE_ID, guest: account.guest(INSTANCE_ID), enaAttached: account.ec2.instance(INSTANCE_ID)?.EnaSupport === true, now: account.clock.now() });
  const parsed = parseEnaDriverInventoryEntry(outcome.inventory?.content[0]);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

function inventoryPublished(account: AccountModel): EnaDriverInventory | undefined {
  const entry = account.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE)[0];
  if (entry === undefined) return undefined;
  const parsed = parseEnaDriverInventoryEntry(entry);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe('ena-driver-current and EnaGuard-UpdateEnaDriver, closed loop', () => {
  it('agree for generated policies and guests: remediable findings get fixed when a fix exists, compliant guests are left alone, no guest ends worse', async () => {
    const runbook = await loadRunbook();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(cases, async ({ policy, guest, offered }) => {
        runs += 1;
        const account = accountFor({
          guest,
          neighbour: true,
          behaviours: (model) => {
            if (offered === undefined) return;
            answersKernelCheck(model, 'available');
            for (const command of ['yum update -y kernel', 'dnf upgrade -y kernel', 'apt-get install -y linux-aws']) installsKernel(model, command, offered.kernelRelease, offered.enaDriver);
          },
        });
        const platform = guest.osFamily;
        const before = verdictOn(collectNow(account), policy, platform);

        const result = await run(runbook, account, {
          LinuxMinimumDriverVersion: policy.linuxMinimumDriverVersion,
          WindowsMinimumDriverVersion: policy.windowsMinimumDriverVersion,
          RequireSecurityFixes: policy.requireSecurityFixes,
        });
        const steps = runbookSteps(result);
        const changed = steps.includes('createBackupImage') || steps.includes('rebootInstance');
        const refreshed = inventoryRefreshes(account);

        expect(invariantViolations(account, result)).toEqual([]);
        expect(neighbourInventory(account)).toEqual([]);
        // The inventory is refreshed once, for this instance, exactly when the update was verified.
        expect(refreshed).toEqual(result.status === 'Success' && steps.at(-1) === 'reportUpdated' ? [expect.objectContaining({ instanceIds: [INSTANCE_ID], succeeded: true })] : []);
        expect(before.outcome).toBe('judged');
        if (before.outcome !== 'judged') return;
        if (before.compliance === 'COMPLIANT') {
          // Nothing to do, and nothing done.
          expect(steps.at(-1)).toBe('reportNothingToDo');
          expect(changed).toBe(false);
          return;
        }
        if (before.compliance !== 'NON_COMPLIANT' || !REMEDIABLE.includes(before.reasons[0]!)) return;
        if (platform === 'linux' && offered === undefined) {
          // A finding the distribution offers nothing for: refused, nothing changed.
          expect(steps.at(-1)).toBe('refuseNoNewerKernel');
          expect(changed).toBe(false);
          return;
        }
        // The runbook works on every remediable finding with a fix on offer.
        expect(changed).toBe(true);
        const after = verdictOn(inventoryPublished(account), policy, platform);
        if (result.status === 'Success') {
          expect(steps.at(-1)).toBe('reportUpdated');
          expect(after).toMatchObject({ outcome: 'judged', compliance: 'COMPLIANT' });
        } else {
          // The fix on offer does not meet the policy: the runbook says so, and the rule agrees.
          expect(steps.at(-1)).toBe('failDriverStillOutdated');
          expect(verdictOn(collectNow(account), policy, platform)).toMatchObject({ compliance: 'NON_COMPLIANT' });
        }
      }),
      { numRuns: 200, seed: 20261202 },
    );
    expect(runs).toBe(200);
  }, 120_000);
});
