/**
 * The Command documents `aws:runCommand` can run against a simulated guest, and what each does.
 * Only these are "known"; SendCommand refuses any other name (InvalidDocument).
 */
import {
  ENA_DRIVER_COLLECTOR_VERSION,
  ENA_DRIVER_INVENTORY_TYPE,
  parseEnaDriverInventoryEntry,
  type DriverBuild,
  type DriverVersionSource,
  type EnaDriverInventory,
  type EnaDriverInventoryField,
} from '../../rules/inventory.js';
import {
  assessDriver,
  isRolledBackWindowsRelease,
  parseKernelMinimums,
  WINDOWS_DRIVER_CEILINGS,
  WINDOWS_DRIVER_FLOORS,
  windowsMinimum,
  type DriverPolicy,
  type WindowsServerRelease,
} from '../../rules/driver-policy.js';
import { compareDriverVersions, compareDriverVersionText, parseDriverVersion } from '../../rules/driver-version.js';
import { DRIVER_EVIDENCE_MARKER, type Guest, type ScriptResult } from './guest.js';

/** What a command sees of the instance it runs on. */
export interface CommandEnvironment {
  readonly instanceId: string;
  readonly guest: Guest;
  /** The instance's `enaSupport` attribute: an ENA device is attached at boot. */
  readonly enaAttached: boolean;
  readonly now: Date;
}

/** What a command did. */
export interface CommandOutcome {
  readonly status: 'Success' | 'Failed';
  readonly responseCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationSeconds: number;
  /** The agent reboots the instance after the command. */
  readonly reboot: boolean;
  /**
   * Associations the command re-applied on this instance (`aws:refreshAssociation`): an inventory
   * association among them gathers this instance alone when the command ends.
   */
  readonly refreshedAssociations?: readonly string[];
  /**
   * A custom inventory file the command wrote into the agent's custom inventory folder. It reaches
   * ListInventoryEntries only when an inventory association gathers it (StartAssociationsOnce).
   */
  readonly inventory?: { readonly typeName: string; readonly content: readonly Record<string, string>[] };
}

export type CommandDocument = (parameters: Readonly<Record<string, readonly string[]>>, env: CommandEnvironment) => CommandOutcome;

/** Name of the project's inventory collector Command document. */
export const COLLECT_INVENTORY_DOCUMENT = 'EnaGuard-CollectEnaDriverInventory';
/** The custom inventory type the collector writes. */
export const ENA_INVENTORY_TYPE = ENA_DRIVER_INVENTORY_TYPE;

/** Windows ENA driver releases (DOMAIN.md §3). 2.2.4 and 2.5.0 were rolled back: not installable. */
export const WINDOWS_ENA_DRIVER_RELEASES: readonly string[] = ['2.1.4', '2.2.2', '2.2.3', '2.4.0', '2.6.0', '2.7.0', '2.8.0', '2.9.0', '2.10.0', '2.11.0'];
export const LATEST_WINDOWS_ENA_DRIVER = '2.11.0';

/**
 * Why a Windows Server release (`2008 R2`, `2012`, `2012 R2`, `2022`, …) cannot run a driver
 * version, or undefined when it can: the installer's limits are the policy's ceilings and floors.
 */
export function windowsDriverRefusal(osVersion: string, version: string): string | undefined {
  const release = Object.keys(WINDOWS_DRIVER_CEILINGS).concat(Object.keys(WINDOWS_DRIVER_FLOORS)).find((name) => name === osVersion) as WindowsServerRelease | undefined;
  if (release === undefined) return undefined;
  const ceiling = WINDOWS_DRIVER_CEILINGS[release];
  if (ceiling !== undefined && compareDriverVersionText(version, ceiling) === 1) return `ENA driver ${version} does not support Windows Server ${osVersion} (at most ${ceiling})`;
  const floor = WINDOWS_DRIVER_FLOORS[release];
  if (floor !== undefined && compareDriverVersionText(version, floor) === -1) return `Windows Server ${osVersion} needs ENA driver ${floor} or later, not ${version}`;
  return undefined;
}

function outcome(partial: Partial<CommandOutcome> & Pick<CommandOutcome, 'status'>): CommandOutcome {
  return { responseCode: partial.status === 'Success' ? 0 : 1, stdout: '', stderr: '', durationSeconds: 5, reboot: false, ...partial };
}

function runScriptDocument(family: 'linux' | 'windows'): CommandDocument {
  return (parameters, env) => {
    // Unconfirmed: how the agent reports a shell document on the wrong platform. We fail the
    // invocation, which is what a runbook must be prepared for.
    if (env.guest.osFamily !== family) {
      return outcome({ status: 'Failed', stderr: `This document runs on ${family} only; the instance runs ${env.guest.osFamily}` });
    }
    return scriptOutcome(env.guest.runScript(env.instanceId, parameters['commands'] ?? []));
  };
}

/** What the agent reports for a script the guest ran. */
function scriptOutcome(result: ScriptResult): CommandOutcome {
  const exitCode = result.exitCode ?? 0;
  return {
    status: exitCode === 0 ? 'Success' : 'Failed',
    responseCode: exitCode,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    durationSeconds: result.durationSeconds ?? 5,
    reboot: result.reboot ?? false,
  };
}

const configureAwsPackage: CommandDocument = (parameters, env) => {
  const name = parameters['name']?.[0] ?? '';
  const action = parameters['action']?.[0] ?? '';
  if (name !== 'AwsEnaNetworkDriver') return outcome({ status: 'Failed', stderr: `Package ${name} is not modelled by the simulator`, durationSeconds: 10 });
  if (env.guest.osFamily !== 'windows') return outcome({ status: 'Failed', stderr: 'AwsEnaNetworkDriver is available for Windows only', durationSeconds: 10 });
  if (action !== 'Install') return outcome({ status: 'Failed', stderr: `Action ${action} is not modelled for AwsEnaNetworkDriver (only Install)`, durationSeconds: 10 });
  const requested = parameters['version']?.[0];
  const version = requested === undefined || requested === '' ? LATEST_WINDOWS_ENA_DRIVER : requested;
  if (!WINDOWS_ENA_DRIVER_RELEASES.includes(version)) {
    return outcome({ status: 'Failed', stderr: `Failed to find version ${version} of package AwsEnaNetworkDriver`, durationSeconds: 10 });
  }
  const refusal = windowsDriverRefusal(env.guest.spec.osVersion, version);
  if (refusal !== undefined) return outcome({ status: 'Failed', stderr: `Installation of AwsEnaNetworkDriver ${version} failed: ${refusal}`, durationSeconds: 60 });
  env.guest.installDriver({ present: true, version, source: 'windows' });
  return outcome({ status: 'Success', stdout: `Successfully installed AwsEnaNetworkDriver ${version}; a reboot is required`, durationSeconds: 60 });
};

/**
 * What automation-docs/EnaGuard-CollectEnaDriverInventory.yaml writes, computed from the guest
 * model instead of modinfo/ethtool/Get-NetAdapter: the same fields and value conventions as
 * rules/inventory.ts (in-tree Linux drivers report the kernel release through ethtool; Windows
 * reports the adapter's driver version and no kernel release).
 */
const collectEnaDriverInventory: CommandDocument = (_parameters, env) => {
  const { guest } = env;
  const driver = guest.runningDriver;
  const loaded = driver.present && env.enaAttached;
  const windows = guest.osFamily === 'windows';
  let version = '';
  let source: DriverVersionSource = 'none';
  if (windows && driver.present) [version, source] = [driver.version ?? '', driver.version === undefined ? 'none' : 'windows-adapter'];
  else if (driver.present && driver.source === 'out-of-tree' && driver.version !== undefined) [version, source] = [driver.version, 'modinfo'];
  else if (loaded) [version, source] = [guest.kernelRelease, 'ethtool'];
  const build: DriverBuild = windows ? 'windows' : driver.present ? (driver.source === 'out-of-tree' ? 'out-of-tree' : 'in-tree') : 'unknown';
  const content: Record<EnaDriverInventoryField, string> = {
    DriverPresent: String(driver.present),
    DriverLoaded: String(loaded),
    // Unconfirmed: the driver file of the Windows PV adapter (xennet) as the collector would lower-case it.
    InterfaceDriver: loaded ? 'ena' : windows ? 'xennet' : 'vif',
    InterfaceName: windows ? 'Ethernet' : 'eth0',
    DriverVersion: version,
    DriverVersionSource: source,
    DriverBuild: build,
    KernelRelease: windows ? '' : guest.kernelRelease,
    OsFamily: guest.osFamily,
    OsId: guest.spec.osId,
    OsIdLike: guest.spec.osIdLike ?? '',
    OsVersion: windows ? guest.kernelRelease : guest.spec.osVersion,
    OsName: guest.spec.osName,
    CollectedAt: `${env.now.toISOString().slice(0, 19)}Z`,
    CollectorVersion: ENA_DRIVER_COLLECTOR_VERSION,
    Errors: '',
  };
  return outcome({ status: 'Success', stdout: JSON.stringify(content), durationSeconds: 10, inventory: { typeName: ENA_INVENTORY_TYPE, content: [content] } });
};

/** The stack's Command documents that decide, on the guest, what EnaGuard-UpdateEnaDriver does. */
export const ASSESS_LINUX_DOCUMENT = 'EnaGuard-AssessEnaDriverLinux';
export const ASSESS_WINDOWS_DOCUMENT = 'EnaGuard-AssessEnaDriverWindows';
export const UPDATE_LINUX_KERNEL_DOCUMENT = 'EnaGuard-UpdateLinuxKernel';

/** Text of the read-only kernel check a guest behaviour answers (`ENA_GUARD_KERNEL_UPDATE=available|pending|none`). */
export const KERNEL_CHECK_MARKER = 'ENA_GUARD_KERNEL_UPDATE';

function firstParameter(parameters: Readonly<Record<string, readonly string[]>>, name: string): string {
  return parameters[name]?.[0] ?? '';
}

function planOutcome(lines: Readonly<Record<string, string>>, failed = false): CommandOutcome {
  const stdout = Object.entries(lines)
    .map(([key, value]) => `ENA_GUARD_${key}=${value}`)
    .join('\n');
  return outcome({ status: failed ? 'Failed' : 'Success', stdout: `${stdout}\n`, durationSeconds: 15 });
}

/**
 * What both assessments start from: the item the collector left in the guest's custom inventory
 * folder, parsed by the rule's parser, and whether a loaded ENA driver drives the interface; or
 * the failed outcome when the platform is wrong or there is no readable item.
 */
function assessmentInput(env: CommandEnvironment, family: 'linux' | 'windows', step: string): { inventory: EnaDriverInventory; bound: string } | CommandOutcome {
  if (env.guest.osFamily !== family) return outcome({ status: 'Failed', stderr: `Step ${step} skipped: platformType is not ${family === 'linux' ? 'Linux' : 'Windows'}` });
  const file = env.guest.customInventory(ENA_INVENTORY_TYPE);
  const item = file === undefined ? { ok: false as const, message: 'EnaGuard-CollectEnaDriverInventory has not run' } : parseEnaDriverInventoryEntry(file.content[0]);
  if (!item.ok) return planOutcome({ PLAN: 'unknown', BOUND: 'false', DETAIL: item.message }, true);
  return { inventory: item.value, bound: String(item.value.driverLoaded === true && item.value.interfaceDriver === 'ena') };
}

/**
 * EnaGuard-AssessEnaDriverLinux, modelled with the rule's own policy (the real script is tested
 * against that policy with sh, in test/collector). The kernel check asks the guest's registered
 * behaviour for {@link KERNEL_CHECK_MARKER}; a guest that registered none has no newer kernel.
 */
const assessEnaDriverLinux: CommandDocument = (parameters, env) => {
  const input = assessmentInput(env, 'linux', 'AssessEnaDriverLinux');
  if ('status' in input) return input;
  const { inventory, bound } = input;
  const overrides = parseKernelMinimums(firstParameter(parameters, 'KernelMinimums'));
  const policy: DriverPolicy = {
    linuxMinimumDriverVersion: firstParameter(parameters, 'LinuxMinimumDriverVersion'),
    windowsMinimumDriverVersion: '0',
    requireSecurityFixes: firstParameter(parameters, 'RequireSecurityFixes') === 'true',
    kernelMinimums: overrides.ok ? overrides.value : [],
  };
  let plan: 'current' | 'update' | 'no-minimum' | 'unknown' = 'update';
  let detail = 'no ENA driver in the guest';
  if (inventory.driverPresent) {
    const assessment = assessDriver(inventory, policy);
    if (assessment.kind === 'unknown') [plan, detail] = [assessment.cause === 'no-published-minimum' ? 'no-minimum' : 'unknown', assessment.detail];
    else [plan, detail] = [assessment.status === 'current' ? 'current' : 'update', `${assessment.found.text} against ${assessment.minimum.text}`];
  }
  if (plan === 'unknown') return planOutcome({ PLAN: plan, BOUND: bound, DETAIL: detail }, true);
  if (plan !== 'update' || firstParameter(parameters, 'CheckKernelUpdate') !== 'true') return planOutcome({ PLAN: plan, BOUND: bound, DETAIL: detail });
  const check = env.guest.runScript(env.instanceId, [KERNEL_CHECK_MARKER]);
  if ((check.exitCode ?? 0) !== 0) return planOutcome({ PLAN: 'unknown', BOUND: bound, DETAIL: check.stderr ?? 'the package manager could not answer' }, true);
  const answer = /ENA_GUARD_KERNEL_UPDATE=(available|pending|none)/.exec(check.stdout ?? '')?.[1] ?? 'none';
  return planOutcome({ PLAN: plan, BOUND: bound, KERNEL_UPDATE: answer, DETAIL: detail });
};

/** EnaGuard-AssessEnaDriverWindows, modelled with the rule's own policy. */
const assessEnaDriverWindows: CommandDocument = (parameters, env) => {
  const input = assessmentInput(env, 'windows', 'AssessEnaDriverWindows');
  if ('status' in input) return input;
  const { inventory, bound } = input;
  const target = firstParameter(parameters, 'TargetWindowsDriverVersion');
  const policy: DriverPolicy = { linuxMinimumDriverVersion: '0', windowsMinimumDriverVersion: firstParameter(parameters, 'WindowsMinimumDriverVersion'), requireSecurityFixes: false, kernelMinimums: [] };
  if (/^\d+\.\d+/.test(inventory.osVersion) && compareDriverVersionText(inventory.osVersion.split('.').slice(0, 2).join('.'), '6.1') === -1) {
    return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `Windows ${inventory.osVersion} is older than Server 2008 R2` });
  }
  const limits = windowsMinimum(inventory.osName, inventory.osVersion, policy.windowsMinimumDriverVersion);
  if (limits === undefined) return planOutcome({ PLAN: 'unknown', BOUND: bound, DETAIL: `WindowsMinimumDriverVersion "${policy.windowsMinimumDriverVersion}" is not a version` }, true);
  let install = limits.ceiling?.text ?? 'latest';
  if (target !== '') {
    const requested = parseDriverVersion(target);
    if (requested === undefined) return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `${target} is not a version` });
    if (isRolledBackWindowsRelease(requested)) return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `${target} was rolled back by AWS` });
    if (limits.ceiling && compareDriverVersions(requested, limits.ceiling) > 0) return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `${target} is above ${limits.ceiling.text}, the newest this Windows release can run` });
    if (limits.floor && compareDriverVersions(requested, limits.floor) < 0) return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `${target} is below the oldest this Windows release supports` });
    if (compareDriverVersions(requested, limits.minimum) < 0) return planOutcome({ PLAN: 'refuse', BOUND: bound, DETAIL: `${target} is below the policy minimum ${limits.minimum.text}` });
    install = 'requested';
  }
  if (!inventory.driverPresent) return planOutcome({ PLAN: 'update', BOUND: bound, INSTALL: install, DETAIL: 'no ENA driver in the guest' });
  const found = inventory.driverVersion ?? '';
  if (target !== '') {
    return compareDriverVersionText(found, target) === 0
      ? planOutcome({ PLAN: 'current', BOUND: bound, DETAIL: `driver ${found} is the requested ${target}` })
      : planOutcome({ PLAN: 'update', BOUND: bound, INSTALL: install, DETAIL: `driver ${found} is not the requested ${target}` });
  }
  const assessment = assessDriver(inventory, policy);
  if (assessment.kind !== 'driver') return planOutcome({ PLAN: 'unknown', BOUND: bound, DETAIL: assessment.kind === 'unknown' ? assessment.detail : 'not a Windows driver' }, true);
  if (assessment.status === 'current') return planOutcome({ PLAN: 'current', BOUND: bound, DETAIL: `driver ${found} >= ${assessment.minimum.text}` });
  return planOutcome({ PLAN: 'update', BOUND: bound, INSTALL: install, DETAIL: `driver ${found} ${assessment.status} against ${assessment.minimum.text}` });
};

/**
 * The package-manager command EnaGuard-UpdateLinuxKernel runs on a distribution, or undefined for
 * none: dnf where the release ships it (Amazon Linux 2023, RHEL and its rebuilds from 8), else yum.
 */
export function kernelUpdateCommand(osId: string, osVersion: string): string | undefined {
  const major = Number.parseInt(osVersion, 10);
  if (osId === 'amzn') return major === 2023 ? 'dnf upgrade -y kernel' : 'yum update -y kernel';
  if (['rhel', 'rocky', 'almalinux', 'centos', 'ol'].includes(osId)) return major >= 8 ? 'dnf upgrade -y kernel' : 'yum update -y kernel';
  if (osId === 'ubuntu') return 'apt-get install -y linux-aws';
  if (osId === 'sles') return 'zypper --non-interactive update kernel-default';
  return undefined;
}

/** EnaGuard-UpdateLinuxKernel: the distribution's update command, answered by the guest's registered behaviour. */
const updateLinuxKernel: CommandDocument = (_parameters, env) => {
  if (env.guest.osFamily !== 'linux') return outcome({ status: 'Failed', stderr: 'Step UpdateLinuxKernel skipped: platformType is not Linux' });
  const command = kernelUpdateCommand(env.guest.spec.osId, env.guest.spec.osVersion);
  if (command === undefined) return outcome({ status: 'Failed', stderr: `EnaGuard: no kernel update path for distribution ${env.guest.spec.osId}` });
  // The document does not reboot: the runbook does.
  return { ...scriptOutcome(env.guest.runScript(env.instanceId, [command])), reboot: false };
};

/** The stack's driver-evidence check and its per-instance inventory refresh. */
export const CHECK_DRIVER_EVIDENCE_DOCUMENT = 'EnaGuard-CheckEnaDriverEvidence';
export const REFRESH_INVENTORY_DOCUMENT = 'EnaGuard-RefreshEnaDriverInventory';

/**
 * EnaGuard-CheckEnaDriverEvidence: both of its scripts carry the driver-evidence marker (a
 * conformance test checks it), so the guest answers as it answers any script with that marker:
 * from its running kernel, unless a test registered another answer.
 */
const checkEnaDriverEvidence: CommandDocument = (_parameters, env) => scriptOutcome(env.guest.runScript(env.instanceId, [`# ${DRIVER_EVIDENCE_MARKER}`]));

/** EnaGuard-RefreshEnaDriverInventory: `aws:refreshAssociation` of the one association given. */
const refreshEnaDriverInventory: CommandDocument = (parameters) => {
  const ids = parameters['AssociationId'] ?? [];
  if (ids.length !== 1 || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(ids[0] ?? '')) {
    return outcome({ status: 'Failed', stderr: `AssociationId must be one association id, not ${JSON.stringify(ids)}` });
  }
  return outcome({ status: 'Success', stdout: `Refreshed association ${ids[0]}`, refreshedAssociations: ids, durationSeconds: 10 });
};

/** The Command documents the simulator knows, by name. */
export const KNOWN_COMMAND_DOCUMENTS: Readonly<Record<string, CommandDocument>> = {
  'AWS-RunShellScript': runScriptDocument('linux'),
  'AWS-RunPowerShellScript': runScriptDocument('windows'),
  'AWS-ConfigureAWSPackage': configureAwsPackage,
  [COLLECT_INVENTORY_DOCUMENT]: collectEnaDriverInventory,
  [ASSESS_LINUX_DOCUMENT]: assessEnaDriverLinux,
  [ASSESS_WINDOWS_DOCUMENT]: assessEnaDriverWindows,
  [UPDATE_LINUX_KERNEL_DOCUMENT]: updateLinuxKernel,
  [CHECK_DRIVER_EVIDENCE_DOCUMENT]: checkEnaDriverEvidence,
  [REFRESH_INVENTORY_DOCUMENT]: refreshEnaDriverInventory,
};
