/**
 * Scenarios for EnaGuard-UpdateEnaDriver: guests (Windows and Linux, before an update), the way
 * their package managers answer the stack's kernel check and kernel update, accounts built from
 * SDK-typed fixtures, and the invariants every run must keep, whatever fails. Every run through
 * {@link run} also checks the instance's lock: released at the end (test/support/runbook-lock.ts).
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { expect } from 'vitest';
import type { AssociationDescription } from '@aws-sdk/client-ssm';
import { parseEnaDriverInventoryEntries, type EnaDriverInventory } from '../../rules/inventory.js';
import {
  ASSESS_LINUX_DOCUMENT,
  ASSESS_WINDOWS_DOCUMENT,
  AccountModel,
  COLLECT_INVENTORY_DOCUMENT,
  ENA_INVENTORY_TYPE,
  INVENTORY_GATHER_SECONDS,
  KERNEL_CHECK_MARKER,
  KNOWN_COMMAND_DOCUMENTS,
  REFRESH_INVENTORY_DOCUMENT,
  RUNBOOK_LOCK_TABLE,
  loadDocument,
  simulate,
  type AutoScalingInstanceDetails,
  type AutomationDocument,
  type CommandDocument,
  type FaultRule,
  type Guest,
  type GuestSpec,
  type SimulationResult,
} from '../../src/simulator/index.js';
import { ACCOUNT_ID, INSTANCE_ID, INSTANCE_TYPES, INVENTORY_ASSOCIATION_ID, START, image, instance, inventoryAssociation, reservation } from '../simulator/fixtures.js';
import { expectLockReleased, heldLocks, runbookSteps } from '../support/runbook-lock.js';
import { runbookPath } from '../support/runbook-documents.js';

export { INSTANCE_ID, INVENTORY_ASSOCIATION_ID, REFRESH_INVENTORY_DOCUMENT };

export const RUNBOOK_PATH = runbookPath('EnaGuard-UpdateEnaDriver');

/** The runbook as deployed, parsed once. */
export function loadRunbook(): Promise<AutomationDocument> {
  return loadDocument(RUNBOOK_PATH);
}

// ---------------------------------------------------------------------------------------------
// Guests
// ---------------------------------------------------------------------------------------------

function windowsGuest(release: string, build: string, driverVersion: string | undefined): GuestSpec {
  return {
    osFamily: 'windows',
    osId: 'windows',
    osVersion: release,
    osName: `Microsoft Windows Server ${release} Datacenter`,
    kernelRelease: build,
    enaDriver: driverVersion === undefined ? { present: false } : { present: true, version: driverVersion, source: 'windows' },
    ssmAgent: true,
    agentVersion: '3.3.1142.0',
  };
}

/** Windows Server 2022 still on 2.2.3 (carried over from an older image): below the 2.4.0 floor and the 2.10.0 minimum. */
export const WINDOWS_2022_OLD_DRIVER = windowsGuest('2022', '10.0.20348', '2.2.3');
/** Windows Server 2012 R2 on 2.2.3: it can run at most 2.6.0. */
export const WINDOWS_2012_R2_OLD_DRIVER = windowsGuest('2012 R2', '6.3.9600', '2.2.3');
/** Windows Server 2008 R2 on 2.2.2: it can run at most 2.2.3. */
export const WINDOWS_2008_R2_OLD_DRIVER = windowsGuest('2008 R2', '6.1.7601', '2.2.2');
/** Windows Server 2019 on 2.10.0: meets the 2.10.0 minimum. */
export const WINDOWS_2019_CURRENT = windowsGuest('2019', '10.0.17763', '2.10.0');
/** A guest with the given Windows driver version, for tables. */
export function windows(release: '2008 R2' | '2012 R2' | '2019' | '2022', driverVersion: string | undefined): GuestSpec {
  const builds = { '2008 R2': '6.1.7601', '2012 R2': '6.3.9600', '2019': '10.0.17763', '2022': '10.0.20348' } as const;
  return windowsGuest(release, builds[release], driverVersion);
}

function linuxGuest(osId: string, osVersion: string, osName: string, kernelRelease: string, enaDriver: GuestSpec['enaDriver']): GuestSpec {
  return { osFamily: 'linux', osId, osVersion, osName, kernelRelease, enaDriver, ssmAgent: true, agentVersion: '3.3.1142.0' };
}

/** Amazon Linux 2 on an old 4.14 kernel whose ENA driver reports 2.1.3g (below 2.10.0). */
export const AMAZON_LINUX_2_OLD_KERNEL = linuxGuest('amzn', '2', 'Amazon Linux', '4.14.173-137.229.amzn2.x86_64', { present: true, version: '2.1.3g', source: 'out-of-tree' });
/** The kernel the Amazon Linux 2 update installs, and the driver it carries (2.12.0g, above 2.10.0). */
export const AMAZON_LINUX_2_NEW_KERNEL = '4.14.355-275.570.amzn2.x86_64';
export const AMAZON_LINUX_2_NEW_DRIVER: GuestSpec['enaDriver'] = { present: true, version: '2.12.0g', source: 'out-of-tree' };
/** Amazon Linux 2 on a current 4.14 kernel with driver 2.12.0g. */
export const AMAZON_LINUX_2_CURRENT = linuxGuest('amzn', '2', 'Amazon Linux', AMAZON_LINUX_2_NEW_KERNEL, AMAZON_LINUX_2_NEW_DRIVER);
/** Amazon Linux 2023 on kernel 6.1 with the in-tree driver. */
export const AMAZON_LINUX_2023_CURRENT = linuxGuest('amzn', '2023', 'Amazon Linux', '6.1.55-75.123.amzn2023.x86_64', { present: true, source: 'in-tree' });
/** Ubuntu 20.04 on an early linux-aws kernel (below 5.4.0-1025-aws, the first with ENAv3 support). */
export const UBUNTU_2004_OLD_KERNEL = linuxGuest('ubuntu', '20.04', 'Ubuntu', '5.4.0-1009-aws', { present: true, source: 'in-tree' });
/** Red Hat Enterprise Linux 8.2, kernel 4.18.0-193 (below the 8.3 row). */
export const RHEL_82_OLD_KERNEL = linuxGuest('rhel', '8.2', 'Red Hat Enterprise Linux', '4.18.0-193.el8.x86_64', { present: true, source: 'in-tree' });
/** SUSE Linux Enterprise Server 15 SP2 before 5.3.18-24.15.1. */
export const SLES_15_SP2_OLD_KERNEL = linuxGuest('sles', '15.2', 'SLES', '5.3.18-22-default', { present: true, source: 'in-tree' });
/** Amazon Linux 2023 whose ENA module is missing (removed by hand). */
export const AMAZON_LINUX_2023_WITHOUT_DRIVER = linuxGuest('amzn', '2023', 'Amazon Linux', '6.1.55-75.123.amzn2023.x86_64', { present: false });
/** CentOS 7: judged by RHEL's rows, of which none covers release 7 (no published minimum). */
export const CENTOS_7 = linuxGuest('centos', '7', 'CentOS Linux', '3.10.0-1160.el7.x86_64', { present: true, source: 'in-tree' });
/** Amazon Linux AMI 2018.03 (Amazon Linux 1), end of life, on 2.8.1g (a known-bad release). */
export const AMAZON_LINUX_1 = linuxGuest('amzn', '2018.03', 'Amazon Linux AMI', '4.14.320-166.565.amzn1.x86_64', { present: true, version: '2.8.1g', source: 'out-of-tree' });

// ---------------------------------------------------------------------------------------------
// How guests answer the stack's kernel check and kernel update
// ---------------------------------------------------------------------------------------------

/** Text of the read-only kernel check of EnaGuard-AssessEnaDriverLinux, as the simulator asks the guest. */
export { KERNEL_CHECK_MARKER };

/** The package manager's answer to the read-only kernel check (a guest that registers none answers `none`). */
export function answersKernelCheck(guest: Guest, answer: 'available' | 'pending' | 'none'): void {
  guest.onScript(KERNEL_CHECK_MARKER, () => ({ stdout: `${KERNEL_CHECK_MARKER}=${answer}\n`, durationSeconds: 20 }));
}

/** An update command (one of {@link UPDATE_COMMANDS}) that installs a new kernel (taking effect at the next boot). */
export function installsKernel(guest: Guest, command: string, kernelRelease: string, enaDriver?: GuestSpec['enaDriver']): void {
  guest.onScript(command, ({ guest: self }) => {
    self.installKernel(kernelRelease, enaDriver);
    return { stdout: `Installed kernel ${kernelRelease}\nComplete!\n`, durationSeconds: 180 };
  });
}

/** The command EnaGuard-UpdateLinuxKernel runs on each supported distribution (src/simulator kernelUpdateCommand). */
export const UPDATE_COMMANDS = {
  yum: 'yum update -y kernel',
  dnf: 'dnf upgrade -y kernel',
  apt: 'apt-get install -y linux-aws',
  zypper: 'zypper --non-interactive update kernel-default',
} as const;

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/** What a test says about the one instance of the account. */
export interface Scenario {
  readonly guest: GuestSpec;
  /**
   * DescribeInstances fields that differ from a running r4.large whose ENA attribute is on when the
   * guest has a driver (with ENA on and no driver the guest would have no network).
   */
  readonly instance?: Partial<Instance>;
  /** How the guest answers the kernel check and the kernel update. */
  readonly behaviours?: (guest: Guest) => void;
  /**
   * The account's AWS-GatherSoftwareInventory association ({@link INVENTORY_ASSOCIATION_ID}),
   * changed by these fields; `null` for none. Default: one targeting every instance, with custom
   * inventory enabled.
   */
  readonly association?: Partial<AssociationDescription> | null;
  /**
   * Whether Custom:EnaDriver already holds an entry gathered a day before the run (what the
   * collector would have written then, as the daily collector association leaves it), which the
   * rule judged. The runbook never reads it; its publishInventory replaces it. Default true.
   */
  readonly previousInventory?: boolean;
  /**
   * The instance's membership of the Auto Scaling group {@link AUTO_SCALING_GROUP} (InService and
   * healthy, changed by these fields); absent: the instance is in no group.
   */
  readonly autoScaling?: Partial<AutoScalingInstanceDetails>;
  /**
   * A second managed instance, {@link NEIGHBOUR_ID}, that the same inventory association targets:
   * its collector has written a Custom:EnaDriver file that no gather has published yet, so any
   * gather of the whole association (rather than of this instance alone) would publish it.
   */
  readonly neighbour?: boolean;
}

/** The instance of {@link Scenario.neighbour}. */
export const NEIGHBOUR_ID = 'i-0bbbbbbbbbbbbbbb2';

/** The group of {@link Scenario.autoScaling}, with Auto Scaling's default grace period. */
export const AUTO_SCALING_GROUP = 'web-asg';

/** When the entry of {@link Scenario.previousInventory} was collected. */
export const PREVIOUS_COLLECTION = new Date(START.getTime() - 24 * 3600 * 1000);

/** One instance (r4.large, running, EBS root, ENA on when the guest has a driver), with the scenario's guest and behaviours. */
export function accountFor(scenario: Scenario, faults: readonly FaultRule[] = []): AccountModel {
  const windowsGuest = scenario.guest.osFamily === 'windows';
  const neighbour = scenario.neighbour === true;
  const model = AccountModel.fromSnapshot(
    {
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      startTime: START,
      reservations: [
        reservation('r-0aaaaaaaaaaaaaaa1', [
          instance({
            InstanceId: INSTANCE_ID,
            EnaSupport: scenario.guest.enaDriver.present,
            ...(windowsGuest ? { Platform: 'windows' as Instance['Platform'], PlatformDetails: 'Windows' } : {}),
            ...scenario.instance,
          }),
          ...(neighbour ? [instance({ InstanceId: NEIGHBOUR_ID, EnaSupport: true })] : []),
        ]),
      ],
      instanceTypes: INSTANCE_TYPES,
      images: [image({ ImageId: 'ami-0abcdef1234567890' })],
      guests: { [INSTANCE_ID]: scenario.guest, ...(neighbour ? { [NEIGHBOUR_ID]: AMAZON_LINUX_2_CURRENT } : {}) },
      dynamoDbTables: [RUNBOOK_LOCK_TABLE],
      associations: scenario.association === null ? [] : [inventoryAssociation(scenario.association)],
      ...(scenario.autoScaling === undefined
        ? {}
        : {
            autoScalingGroups: [{ AutoScalingGroupName: AUTO_SCALING_GROUP, HealthCheckGracePeriod: 300 }],
            autoScalingInstances: [{ InstanceId: INSTANCE_ID, AutoScalingGroupName: AUTO_SCALING_GROUP, LifecycleState: 'InService', HealthStatus: 'HEALTHY', ...scenario.autoScaling }],
          }),
    },
    { faults },
  );
  if (scenario.previousInventory !== false) {
    const guest = model.guest(INSTANCE_ID);
    const outcome = realCollector({}, { instanceId: INSTANCE_ID, guest, enaAttached: model.ec2.instance(INSTANCE_ID)?.EnaSupport === true, now: PREVIOUS_COLLECTION });
    model.ssm.seedInventory(INSTANCE_ID, ENA_INVENTORY_TYPE, outcome.inventory?.content ?? [], PREVIOUS_COLLECTION);
  }
  if (neighbour) {
    // What the neighbour's daily collector wrote: on its guest, not yet gathered into the inventory.
    const guest = model.guest(NEIGHBOUR_ID);
    const outcome = realCollector({}, { instanceId: NEIGHBOUR_ID, guest, enaAttached: true, now: PREVIOUS_COLLECTION });
    if (outcome.inventory === undefined) throw new Error('the collector wrote no inventory for the neighbour');
    guest.writeCustomInventory({ typeName: outcome.inventory.typeName, schemaVersion: '1.0', content: outcome.inventory.content, writtenAt: PREVIOUS_COLLECTION.toISOString() });
  }
  scenario.behaviours?.(model.guest(INSTANCE_ID));
  return model;
}

/** What {@link run} checks of the instance's lock after the run. */
export interface RunOptions {
  /**
   * `released` (default): the run ended through releaseLock (or refuseLocked) and left no lock.
   * `left-behind`: releaseLock failed (a fault on DeleteItem), so the run's own lock stays, held by
   * an execution that has ended, which the next run takes over ({@link expectLockLeftBehind}).
   * `held-by-another`: another execution, still running, held the lock before the run, so the run
   * was refused in refuseLocked and left that lock as it was ({@link expectLockHeldByAnother}).
   */
  readonly lock?: 'released' | 'left-behind' | 'held-by-another';
}

/**
 * Runs the runbook on the scenario's instance, with the account's inventory association unless
 * `parameters` say otherwise, and checks the lock afterwards (see {@link RunOptions}).
 */
export async function run(
  runbook: AutomationDocument,
  account: AccountModel,
  parameters: Readonly<Record<string, string>> = {},
  options: RunOptions = {},
): Promise<SimulationResult> {
  const result = await simulate(runbook, { InstanceId: INSTANCE_ID, InventoryAssociationId: INVENTORY_ASSOCIATION_ID, ...parameters }, { account });
  if (options.lock === 'left-behind') expectLockLeftBehind(account, result);
  else if (options.lock === 'held-by-another') expectLockHeldByAnother(account, result);
  else expectLockReleased(account, result);
  return result;
}

/** The lock of the instance as another execution, of `runbook`, took it at `acquiredAt` (ISO 8601 UTC to the second). */
export function seedLock(account: AccountModel, holder: string, acquiredAt: string, runbook = 'EnaGuard-EnableEnaSupport'): void {
  account.call('dynamodb', 'PutItem', {
    TableName: RUNBOOK_LOCK_TABLE.TableName,
    Item: { LockId: { S: INSTANCE_ID }, Holder: { S: holder }, Runbook: { S: runbook }, AcquiredAt: { S: acquiredAt } },
  });
}

/** The run was refused the lock, which another execution holds: it ended in refuseLocked, and that lock is as it was. */
export function expectLockHeldByAnother(account: AccountModel, result: SimulationResult): void {
  expect(result.trace.at(-1)).toMatchObject({ stepName: 'refuseLocked', status: 'Failed' });
  expect(result.trace.some((step) => step.stepName === 'takeOverStaleLock' && step.status === 'Success')).toBe(false);
  expect(heldLocks(account)).toEqual([INSTANCE_ID]);
  expect(lockItems(account).map((item) => item['Holder'])).not.toEqual([{ S: result.executionId }]);
}

/** The lock items of the account's lock table, as DynamoDB holds them. */
export function lockItems(account: AccountModel): Record<string, unknown>[] {
  return account.dynamodb.items(RUNBOOK_LOCK_TABLE.TableName).map((item) => ({ ...item }));
}

/**
 * releaseLock failed, so the run left its own lock on the instance, by design: the lock names this
 * execution, which has ended, so that the next run finds it stale and takes it over.
 */
export function expectLockLeftBehind(account: AccountModel, result: SimulationResult): void {
  const last = result.trace.at(-1);
  expect(last?.stepName, 'the run did not end in releaseLock').toBe('releaseLock');
  expect(last?.status, 'releaseLock did not fail').toBe('Failed');
  expect(heldLocks(account)).toEqual([INSTANCE_ID]);
  expect(lockItems(account)).toEqual([expect.objectContaining({ LockId: { S: INSTANCE_ID }, Holder: { S: result.executionId }, Runbook: { S: 'EnaGuard-UpdateEnaDriver' } })]);
  expect(account.ssm.automationExecution(result.executionId)?.AutomationExecutionStatus).toBe(result.status);
}

/**
 * The Custom:EnaDriver entry the account holds now, parsed by the rule's own parser (the gather
 * publishes INVENTORY_GATHER_SECONDS after the refresh command: advance the clock first).
 */
export function inventoryNow(account: AccountModel): EnaDriverInventory | undefined {
  const parsed = parseEnaDriverInventoryEntries(account.ssm.inventoryEntries(INSTANCE_ID, ENA_INVENTORY_TYPE));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** The Custom:EnaDriver entry published once the gather started by the run (if any) has had time to finish. */
export function inventoryPublished(account: AccountModel): EnaDriverInventory | undefined {
  account.clock.advance((INVENTORY_GATHER_SECONDS + 1) * 1000);
  return inventoryNow(account);
}

/** The documents sent with SendCommand, in order. */
export function commandsSent(account: AccountModel): { document: string; parameters: Record<string, string[]> }[] {
  return account.calls.calls({ operation: 'SendCommand' }).map((call) => {
    const input = call.input as { DocumentName: string; Parameters?: Record<string, string[]> };
    return { document: input.DocumentName, parameters: input.Parameters ?? {} };
  });
}

/** The SendCommand calls of EnaGuard-RefreshEnaDriverInventory: the instances, the parameters, and whether the call succeeded. */
export function inventoryRefreshes(account: AccountModel): { instanceIds: string[]; parameters: Record<string, string[]>; succeeded: boolean }[] {
  return account.calls
    .calls({ operation: 'SendCommand' })
    .filter((call) => (call.input as { DocumentName?: string }).DocumentName === REFRESH_INVENTORY_DOCUMENT)
    .map((call) => {
      const input = call.input as { InstanceIds?: string[]; Parameters?: Record<string, string[]> };
      return { instanceIds: input.InstanceIds ?? [], parameters: input.Parameters ?? {}, succeeded: call.error === undefined };
    });
}

/** The Custom:EnaDriver entries published for the neighbour of {@link Scenario.neighbour}. */
export function neighbourInventory(account: AccountModel): readonly Record<string, string>[] {
  return account.ssm.inventoryEntries(NEIGHBOUR_ID, ENA_INVENTORY_TYPE);
}

/** The images the runbook's CreateImage calls returned. */
export function imagesCreated(account: AccountModel): string[] {
  return account.calls
    .calls({ operation: 'CreateImage' })
    .flatMap((call) => ((call.output as { ImageId?: string } | undefined)?.ImageId === undefined ? [] : [(call.output as { ImageId: string }).ImageId]));
}

/**
 * Operations that change an instance, an image, a tag or a group membership, or start an
 * association (which runs on every instance it targets). The lock table's PutItem and DeleteItem
 * are the runbook's own bookkeeping, checked by {@link run}, not changes to the instance.
 */
const CHANGING_OPERATIONS = ['CreateImage', 'CreateTags', 'RebootInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'DeregisterImage', 'ModifyInstanceAttribute', 'EnterStandby', 'ExitStandby', 'StartAssociationsOnce'];
/** Command documents that only read the guest (the collector writes only its own inventory file). */
export const READ_ONLY_DOCUMENTS: readonly string[] = [COLLECT_INVENTORY_DOCUMENT, ASSESS_LINUX_DOCUMENT, ASSESS_WINDOWS_DOCUMENT];

/** What the runbook changed: changing API calls, and commands other than the read-only documents (the inventory refresh included). */
export function changesMade(account: AccountModel): string[] {
  const apiChanges = account.calls
    .calls()
    .filter((call) => CHANGING_OPERATIONS.includes(call.operation))
    .map((call) => call.operation);
  const commandChanges = commandsSent(account)
    .filter(({ document }) => !READ_ONLY_DOCUMENTS.includes(document))
    .map(({ document }) => `SendCommand ${document}`);
  return [...apiChanges, ...commandChanges];
}

// ---------------------------------------------------------------------------------------------
// Command documents that misbehave, for the verification failures
// ---------------------------------------------------------------------------------------------

const realCollector = KNOWN_COMMAND_DOCUMENTS[COLLECT_INVENTORY_DOCUMENT] as CommandDocument;

/** A collector whose runs after the first have their content rewritten by `change` (what the assessment after the update reads). */
export function collectorChangingLaterRuns(account: AccountModel, change: (content: Record<string, string>) => Record<string, string>): void {
  let runs = 0;
  account.ssm.registerCommandDocument(COLLECT_INVENTORY_DOCUMENT, (parameters, env) => {
    runs += 1;
    const outcome = realCollector(parameters, env);
    if (runs === 1 || outcome.inventory === undefined) return outcome;
    return { ...outcome, inventory: { ...outcome.inventory, content: outcome.inventory.content.map((entry) => change({ ...entry })) } };
  });
}

/**
 * A collector after whose runs after the first the guest's SSM Agent stops (the instance keeps
 * running and passing its status checks), so no command sent next reaches it.
 */
export function agentStopsAfterLaterCollectorRuns(account: AccountModel): void {
  let runs = 0;
  account.ssm.registerCommandDocument(COLLECT_INVENTORY_DOCUMENT, (parameters, env) => {
    runs += 1;
    const outcome = realCollector(parameters, env);
    if (runs > 1) account.clock.schedule(outcome.durationSeconds * 1000, () => env.guest.stopAgent());
    return outcome;
  });
}

/** An AWS-ConfigureAWSPackage that reports success but installs nothing. */
export function packageInstallThatDoesNothing(account: AccountModel): void {
  account.ssm.registerCommandDocument('AWS-ConfigureAWSPackage', () => ({
    status: 'Success',
    responseCode: 0,
    stdout: 'Successfully installed AwsEnaNetworkDriver',
    stderr: '',
    durationSeconds: 60,
    reboot: false,
  }));
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/** How long the clock runs on after an automation before the invariants are checked. */
export const SETTLE_MS = 30 * 60 * 1000;

/** Where a failed run's own steps may end, before releaseLock: a refusal or failure report, or the exemption check that refused. */
const REPORT_STEP = /^(fail|refuse)|^checkExemption$/;

/**
 * What must hold after any run on an instance that was running, whatever failed: the instance
 * runs (and, unless the scenario breaks the guest on purpose, passes both status checks once the
 * clock has run on), nothing was stopped,
 * terminated or deregistered, no Auto Scaling membership was changed and no group replaced the
 * instance, every backup image still exists and carries its ena-guard tags from its creation, no
 * association was started for all its targets and every inventory refresh was for this instance
 * alone (a neighbour's inventory stays unpublished, and no call names it), and a failed run ended
 * in one of the runbook's refusal or failure steps (or, before anything else ran, in the read of
 * the exemption tag), then in releaseLock. The lock itself is checked by {@link run}. Returns the
 * violations (empty when all hold).
 */
export function invariantViolations(account: AccountModel, result: SimulationResult, options: { readonly healthy: boolean } = { healthy: true }): string[] {
  const violations: string[] = [];
  account.clock.advance(SETTLE_MS);
  const state = account.ec2.instance(INSTANCE_ID)?.State?.Name;
  if (state !== 'running') violations.push(`instance is ${String(state)}, not running`);
  const checks = account.ec2.statusChecks(INSTANCE_ID);
  if (options.healthy && (checks?.instance !== 'ok' || checks.system !== 'ok')) violations.push(`status checks are ${JSON.stringify(checks)}`);
  for (const operation of ['StopInstances', 'TerminateInstances', 'DeregisterImage', 'EnterStandby', 'ExitStandby']) {
    if (account.calls.calls({ operation }).length > 0) violations.push(`${operation} was called`);
  }
  const replacement = account.autoscaling.replacements.get(INSTANCE_ID);
  if (replacement !== undefined) violations.push(`the Auto Scaling group replaced the instance with ${replacement}`);
  for (const imageId of imagesCreated(account)) {
    const backup = account.ec2.image(imageId);
    if (backup?.State !== 'available') violations.push(`backup image ${imageId} is ${String(backup?.State)}`);
    const tags = Object.fromEntries((backup?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    const expected = { 'ena-guard:backup-of': INSTANCE_ID, 'ena-guard:created-by': 'EnaGuard-UpdateEnaDriver', 'ena-guard:execution-id': result.executionId };
    for (const [key, value] of Object.entries(expected)) if (tags[key] !== value) violations.push(`backup image ${imageId} has ${key}=${String(tags[key])}, not ${value}`);
  }
  if (account.calls.calls({ operation: 'StartAssociationsOnce' }).length > 0) violations.push('StartAssociationsOnce was called (it runs the association on every instance it targets)');
  for (const refresh of inventoryRefreshes(account)) {
    if (JSON.stringify(refresh.instanceIds) !== JSON.stringify([INSTANCE_ID])) violations.push(`the inventory refresh was sent to ${JSON.stringify(refresh.instanceIds)}`);
    if (refresh.parameters['AssociationId']?.length !== 1) violations.push(`the inventory refresh had AssociationId ${JSON.stringify(refresh.parameters['AssociationId'])}`);
  }
  if (account.calls.calls().some((call) => call.resourceIds.includes(NEIGHBOUR_ID))) violations.push(`a call named the neighbour ${NEIGHBOUR_ID}`);
  if (account.ec2.instance(NEIGHBOUR_ID) !== undefined && neighbourInventory(account).length > 0) violations.push(`the neighbour's inventory was published: ${JSON.stringify(neighbourInventory(account))}`);
  if (result.status !== 'Success') {
    const released = result.trace.at(-1);
    const own = result.trace.filter((step) => step.stepName !== 'releaseLock');
    const last = own.at(-1);
    const reported = last !== undefined && last.status !== 'Success' && (REPORT_STEP.test(last.stepName) || (last.stepName === 'readExemptionTag' && runbookSteps(result).length === 0));
    if (!reported) violations.push(`the run ended ${result.status} in step ${String(last?.stepName)} (${String(last?.status)}), not in a failure report`);
    if (last?.stepName !== 'refuseLocked' && released?.stepName !== 'releaseLock') violations.push(`the failed run ended in ${String(released?.stepName)}, not through releaseLock`);
  }
  return violations;
}
