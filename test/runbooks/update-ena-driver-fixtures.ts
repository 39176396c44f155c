/**
 * Scenarios for EnaGuard-UpdateEnaDriver: guests (Windows and Linux, before an update), the way
 * their package managers answer the stack's kernel check and kernel update, accounts built from
 * SDK-typed fixtures, and the invariants every run must keep, whatever fails.
 */
import type { Instance } from '@aws-sdk/client-ec2';
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

export { INSTANCE_ID, INVENTORY_ASSOCIATION_ID };

export const RUNBOOK_PATH = new URL('../../automation-docs/EnaGuard-UpdateEnaDriver.yaml', import.meta.url).pathname;

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
}

/** The group of {@link Scenario.autoScaling}, with Auto Scaling's default grace period. */
export const AUTO_SCALING_GROUP = 'web-asg';

/** When the entry of {@link Scenario.previousInventory} was collected. */
export const PREVIOUS_COLLECTION = new Date(START.getTime() - 24 * 3600 * 1000);

/** One instance (r4.large, running, EBS root, ENA on when the guest has a driver), with the scenario's guest and behaviours. */
export function accountFor(scenario: Scenario, faults: readonly FaultRule[] = []): AccountModel {
  const windowsGuest = scenario.guest.osFamily === 'windows';
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
        ]),
      ],
      instanceTypes: INSTANCE_TYPES,
      images: [image({ ImageId: 'ami-0abcdef1234567890' })],
      guests: { [INSTANCE_ID]: scenario.guest },
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
  scenario.behaviours?.(model.guest(INSTANCE_ID));
  return model;
}

/** Runs the runbook on the scenario's instance, with the account's inventory association unless `parameters` say otherwise. */
export function run(runbook: AutomationDocument, account: AccountModel, parameters: Readonly<Record<string, string>> = {}): Promise<SimulationResult> {
  return simulate(runbook, { InstanceId: INSTANCE_ID, InventoryAssociationId: INVENTORY_ASSOCIATION_ID, ...parameters }, { account });
}

/** The steps that ran, in order. */
export function stepsRun(result: SimulationResult): string[] {
  return result.trace.map((step) => step.stepName);
}

/**
 * The Custom:EnaDriver entry the account holds now, parsed by the rule's own parser (the gather
 * publishes INVENTORY_GATHER_SECONDS after StartAssociationsOnce: advance the clock first).
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

/** The images the runbook's CreateImage calls returned. */
export function imagesCreated(account: AccountModel): string[] {
  return account.calls
    .calls({ operation: 'CreateImage' })
    .flatMap((call) => ((call.output as { ImageId?: string } | undefined)?.ImageId === undefined ? [] : [(call.output as { ImageId: string }).ImageId]));
}

/** Operations that change an instance, an image or a group membership, or start an association (which runs on every instance it targets). */
const CHANGING_OPERATIONS = ['CreateImage', 'CreateTags', 'RebootInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'DeregisterImage', 'ModifyInstanceAttribute', 'EnterStandby', 'ExitStandby', 'StartAssociationsOnce'];
/** Command documents that only read the guest (the collector writes only its own inventory file). */
export const READ_ONLY_DOCUMENTS: readonly string[] = [COLLECT_INVENTORY_DOCUMENT, ASSESS_LINUX_DOCUMENT, ASSESS_WINDOWS_DOCUMENT];

/** What the runbook changed: changing API calls (StartAssociationsOnce included), and commands other than the read-only documents. */
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

/**
 * What must hold after any run on an instance that was running, whatever failed: the instance
 * runs (and, unless the scenario breaks the guest on purpose, passes both status checks once the
 * clock has run on), nothing was stopped,
 * terminated or deregistered, no Auto Scaling membership was changed and no group replaced the
 * instance, every backup image still exists, and a failed run ended in one of the runbook's
 * refusal or failure steps. Returns the violations (empty when all hold).
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
    const state = account.ec2.image(imageId)?.State;
    if (state !== 'available') violations.push(`backup image ${imageId} is ${String(state)}`);
  }
  if (result.status !== 'Success') {
    const last = result.trace.at(-1);
    if (last === undefined || last.status === 'Success' || !/^(fail|refuse)/.test(last.stepName)) {
      violations.push(`the run ended ${result.status} in step ${String(last?.stepName)} (${String(last?.status)}), not in a failure report`);
    }
  }
  return violations;
}
