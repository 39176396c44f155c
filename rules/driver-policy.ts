/**
 * Which ENA driver (or kernel) an instance must run at least, and whether it does.
 *
 * - Linux, out-of-tree driver (the module reports a version): `linuxMinimumDriverVersion`.
 * - Linux, upstream in-tree driver (no version of its own; ethtool reports the kernel): the kernel
 *   release against the distribution's minimum from the ENAv3 kernel table.
 * - Windows: `windowsMinimumDriverVersion`, capped by what the OS can run, raised for Server 2022;
 *   rolled-back releases are never acceptable.
 *
 * Pure: no SDK, no I/O, no clock. Sources of every default: docs/driver-versions.md.
 */
import {
  compareComponents,
  compareDriverVersions,
  compareKernelReleases,
  parseDriverVersion,
  parseKernelRelease,
  parseOsVersion,
  type DriverVersion,
  type KernelRelease,
} from './driver-version.js';
import type { EnaDriverInventory } from './inventory.js';
import { truncate } from './text.js';

/**
 * Out-of-tree Linux driver default: 2.10.0, the first release past every published functional
 * defect: the RSS hash bug (2.2.11g–2.6.0g), the PPS regression (2.8.1–2.8.3), packets with
 * headers over 96 bytes dropped on Nitro v4 before 2.9.0 (large LLQ off), and the crash after an
 * admin command timeout fixed in 2.10.0. Source: amzn-drivers RELEASENOTES.md and
 * ENA_Linux_Best_Practices.rst (DOMAIN.md §3); every row in docs/driver-versions.md.
 */
export const DEFAULT_LINUX_MINIMUM_DRIVER_VERSION = '2.10.0';

/**
 * The Linux release with the last published security fix (an information leak of uninitialised
 * stack memory through PHC gettime, fixed in 2.17.0): the floor when `requireSecurityFixes` is on.
 */
export const LINUX_SECURITY_FIX_DRIVER_VERSION = '2.17.0';

/**
 * Windows default: 2.10.0. 2.8.0 fixes a memory corruption (NBL double release), 2.9.0 and 2.10.0
 * fix unexpected reboots; Server 2012/2012 R2 and 2008 R2 are capped below (they cannot run it).
 * Source: EC2 User Guide, "Track ENA Windows driver version releases" (seed 000, DOMAIN.md §3).
 */
export const DEFAULT_WINDOWS_MINIMUM_DRIVER_VERSION = '2.10.0';

/** Windows driver releases AWS rolled back (2.2.4: 6th-generation performance; 2.5.0: fails on domain controllers). */
export const ROLLED_BACK_WINDOWS_DRIVER_VERSIONS = ['2.2.4', '2.5.0'] as const;

/** A range of releases with a published defect: judged NON_COMPLIANT even above the minimum. */
export interface KnownBadRelease {
  /** First affected release, inclusive. */
  readonly from: string;
  /** Last affected release, inclusive. */
  readonly through: string;
  /** What is wrong with it, for the annotation. */
  readonly defect: string;
}

/**
 * Out-of-tree Linux releases with a published defect, judged like the rolled-back Windows ones
 * (they matter when a team lowers `linuxMinimumDriverVersion` below them). Sources:
 * ENA_Linux_Best_Practices.rst (RSS hash) and RELEASENOTES.md r2.8.4 (the revert), DOMAIN.md §3.
 */
export const KNOWN_BAD_LINUX_DRIVER_RELEASES: readonly KnownBadRelease[] = [
  { from: '2.2.11', through: '2.6.0', defect: 'RSS hash bug' },
  { from: '2.8.1', through: '2.8.3', defect: 'PPS regression, reverted in 2.8.4' },
];

/**
 * The known-bad ranges in the form the UpdateEnaDriver runbook takes (`from-through,…`), so that
 * the runbook's in-guest check reads the same list the rule does.
 */
export function knownBadReleasesParameter(releases: readonly KnownBadRelease[]): string {
  return releases.map((release) => `${release.from}-${release.through}`).join(',');
}

/** The Windows Server releases whose ENA driver range differs from "latest". */
export type WindowsServerRelease = '2008 R2' | '2012' | '2012 R2' | '2022';

/** The version Win32_OperatingSystem reports for each of those releases (6.1 is 2008 R2, build 20348 is 2022). */
export const WINDOWS_SERVER_VERSIONS: Readonly<Record<WindowsServerRelease, string>> = {
  '2008 R2': '6.1',
  '2012': '6.2',
  '2012 R2': '6.3',
  '2022': '10.0.20348',
};

/** The newest ENA driver each old Windows Server can run (2.7.0 refuses to install on 2012 / 2012 R2; 2.4.0 dropped 2008 R2). */
export const WINDOWS_DRIVER_CEILINGS: Readonly<Partial<Record<WindowsServerRelease, string>>> = {
  '2008 R2': '2.2.3',
  '2012': '2.6.0',
  '2012 R2': '2.6.0',
};

/** The oldest ENA driver a Windows Server release supports (Server 2022: 2.4.0 or later). */
export const WINDOWS_DRIVER_FLOORS: Readonly<Partial<Record<WindowsServerRelease, string>>> = {
  '2022': '2.4.0',
};

/** One row of the per-distribution kernel table. */
export interface KernelMinimum {
  /** os-release `ID`, lower case: amzn, rhel, ubuntu, sles, … */
  readonly osId: string;
  /** os-release `VERSION_ID` the row starts at; `undefined`: every version of the distribution. */
  readonly osVersion: string | undefined;
  /** The first kernel release of that distribution with ENAv3 support, as `uname -r` prints it. */
  readonly minimumKernel: string;
}

/**
 * Default kernel minimums for the upstream in-tree driver: the distribution kernels with ENAv3
 * support. Source: DOMAIN.md §3, from amzn-drivers `kernel/linux/ena/ENA_Linux_Best_Practices.rst`
 * (Amazon Linux, RHEL 8.3, Ubuntu 20.04, SLES 15 SP2's 5.3.18-24.15) and amzn-drivers issues 196
 * and 325 (the other SLES service packs). `kernelMinimums` overrides any row.
 */
export const DEFAULT_KERNEL_MINIMUMS: readonly KernelMinimum[] = [
  { osId: 'amzn', osVersion: undefined, minimumKernel: '4.14.186' },
  // Amazon Linux 2023 named on its own row, with Amazon Linux's published minimum: its kernels
  // (6.1 and later) are newer than it, and the annotation names the release judged.
  { osId: 'amzn', osVersion: '2023', minimumKernel: '4.14.186' },
  { osId: 'rhel', osVersion: '8.3', minimumKernel: '4.18.0-240.1.1.el8_3' },
  { osId: 'ubuntu', osVersion: '20.04', minimumKernel: '5.4.0-1025-aws' },
  { osId: 'sles', osVersion: '12.4', minimumKernel: '4.12.14-95.99.3' },
  { osId: 'sles', osVersion: '12.5', minimumKernel: '4.12.14-122.116.1' },
  { osId: 'sles', osVersion: '15', minimumKernel: '4.12.14-150000.150.92.2' },
  { osId: 'sles', osVersion: '15.1', minimumKernel: '4.12.14-150100.197.114.2' },
  { osId: 'sles', osVersion: '15.2', minimumKernel: '5.3.18-24.15.1' },
];

/** The policy parameters, already validated. */
export interface DriverPolicy {
  readonly linuxMinimumDriverVersion: string;
  readonly windowsMinimumDriverVersion: string;
  /** Raises the out-of-tree Linux minimum to {@link LINUX_SECURITY_FIX_DRIVER_VERSION}. */
  readonly requireSecurityFixes: boolean;
  /** Rows that replace or add to {@link DEFAULT_KERNEL_MINIMUMS} (same osId and osVersion replace). */
  readonly kernelMinimums: readonly KernelMinimum[];
}

/** What the instance runs compared with what it must run. */
export type DriverAssessment =
  | {
      readonly kind: 'driver';
      readonly platform: 'linux' | 'windows';
      readonly status: 'current' | 'outdated' | 'rolled-back' | 'known-bad';
      readonly found: DriverVersion;
      readonly minimum: DriverVersion;
      /** Set for `known-bad`: the published defect of the found release. */
      readonly knownBad: KnownBadRelease | undefined;
      /** Set when the minimum is the security-fix floor rather than the policy's minimum. */
      readonly securityFloor: boolean;
      /** Set when a Windows OS cannot run the policy's minimum and the minimum was lowered to this ceiling. */
      readonly cappedFor: WindowsServerRelease | undefined;
      /** Set when a Windows OS needs more than the policy's minimum. */
      readonly raisedFor: WindowsServerRelease | undefined;
    }
  | {
      readonly kind: 'kernel';
      readonly status: 'current' | 'outdated';
      readonly found: KernelRelease;
      readonly minimum: KernelRelease;
      readonly row: KernelMinimum;
      /** The version the in-kernel driver reported (`2.1.0K`), when it reported one. */
      readonly inKernelDriverVersion: string | undefined;
      /** Set when the row is the parent distribution's (a rebuild judged by RHEL's row). */
      readonly judgedAs: string | undefined;
    }
  | {
      readonly kind: 'unknown';
      readonly cause: 'driver-version-unknown' | 'driver-build-unknown' | 'kernel-release-unknown' | 'kernel-minimum-unknown' | 'no-published-minimum';
      /** One sentence saying what is unknown. */
      readonly detail: string;
    };

// ---------------------------------------------------------------------------------------------
// kernelMinimums parameter form: comma-separated `id[:version]=kernel`
// ---------------------------------------------------------------------------------------------

const OS_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** The accepted form of the `kernelMinimums` parameter, for parameter descriptions and errors. */
export const KERNEL_MINIMUMS_FORM =
  'comma-separated id[:version]=kernel entries, e.g. "amzn=4.14.186,ubuntu:20.04=5.4.0-1025-aws,rocky:9=5.14.0-70.13.1.el9_0" (id and version as in /etc/os-release; default: none, the built-in ENAv3 table applies)';

/**
 * The grammar of `kernelMinimums` as a regular expression, for the template's AllowedPattern:
 * entries of an os-release ID, an optional `:version`, and `=` a kernel release, separated by
 * commas. The parser below is stricter (it also refuses a repeated row, which no regular
 * expression can see), so the template may let through a value the rule then refuses by name.
 */
export const KERNEL_MINIMUMS_PATTERN =
  '^$|^ *[A-Za-z0-9][A-Za-z0-9._-]{0,31}(:[0-9]{1,15}([.][0-9]{1,15}){0,7})? *= *[0-9]{1,15}([.][0-9]{1,15}){1,3}([-.+_~][A-Za-z0-9._+~-]*)? *( *, *[A-Za-z0-9][A-Za-z0-9._-]{0,31}(:[0-9]{1,15}([.][0-9]{1,15}){0,7})? *= *[0-9]{1,15}([.][0-9]{1,15}){1,3}([-.+_~][A-Za-z0-9._+~-]*)? *)*$';

/** Parses `kernelMinimums`: a message naming the first bad entry, or the rows. An empty text is no rows. */
export function parseKernelMinimums(
  text: string,
): { readonly ok: true; readonly value: readonly KernelMinimum[] } | { readonly ok: false; readonly message: string } {
  const rows: KernelMinimum[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals < 0) return { ok: false, message: `entry "${entry}" has no "=kernel"` };
    const key = entry.slice(0, equals).trim().toLowerCase();
    const minimumKernel = entry.slice(equals + 1).trim();
    const [osId = '', osVersion, ...extra] = key.split(':');
    if (!OS_ID_PATTERN.test(osId) || extra.length > 0) {
      return { ok: false, message: `entry "${entry}" must start with an os-release ID such as amzn, rhel, ubuntu or sles` };
    }
    if (osVersion !== undefined && !parseOsVersion(osVersion)) {
      return { ok: false, message: `entry "${entry}" has version "${osVersion}", expected digits and dots such as 20.04` };
    }
    if (!parseKernelRelease(minimumKernel)) {
      return { ok: false, message: `entry "${entry}" has kernel "${minimumKernel}", expected a release such as 5.4.0-1025-aws` };
    }
    const row: KernelMinimum = { osId, osVersion, minimumKernel };
    if (rows.some((existing) => sameRowKey(existing, row))) {
      return { ok: false, message: `entry "${entry}" repeats ${rowLabel(row)}` };
    }
    rows.push(row);
  }
  return { ok: true, value: rows };
}

function sameOsVersion(left: string | undefined, right: string | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  const a = parseOsVersion(left);
  const b = parseOsVersion(right);
  return a !== undefined && b !== undefined && compareComponents(a, b) === 0;
}

function sameRowKey(left: KernelMinimum, right: KernelMinimum): boolean {
  return left.osId === right.osId && sameOsVersion(left.osVersion, right.osVersion);
}

/** `rhel 8.3`, or `amzn (all versions)`. */
export function rowLabel(row: KernelMinimum): string {
  return row.osVersion === undefined ? `${row.osId} (all versions)` : `${row.osId} ${row.osVersion}`;
}

/** The defaults with each override replacing the row of the same ID and version, or added. */
export function mergeKernelMinimums(
  defaults: readonly KernelMinimum[],
  overrides: readonly KernelMinimum[],
): readonly KernelMinimum[] {
  const kept = defaults.filter((row) => !overrides.some((override) => sameRowKey(row, override)));
  return [...kept, ...overrides];
}

// ---------------------------------------------------------------------------------------------
// Which kernel row applies to a distribution and version
// ---------------------------------------------------------------------------------------------

/**
 * Picks the kernel table row for a distribution and version:
 * 1. only rows with the same os-release ID (none → unknown: never guessed from another distribution);
 * 2. the row with the greatest version at or below the instance's (Ubuntu 22.04 → the 20.04 row,
 *    SLES 15 SP3 "15.3" → the 15.2 row; newer releases ship newer kernels, so the comparison is fair);
 * 3. otherwise the lowest row of the same major version (RHEL 8.2 → the 8.3 row: an earlier minor
 *    release of the same line runs an older kernel of the same stream, so it is judged below);
 * 4. otherwise a row that covers every version (amzn);
 * 5. otherwise unknown (an older major release such as RHEL 7 or Ubuntu 18.04).
 */
export function selectKernelMinimum(
  rows: readonly KernelMinimum[],
  osId: string,
  osVersion: string,
): { readonly found: true; readonly row: KernelMinimum } | { readonly found: false; readonly detail: string } {
  const id = osId.trim().toLowerCase().slice(0, 32);
  if (id.length === 0) return { found: false, detail: 'distribution unknown (no os-release ID)' };
  const candidates = rows.filter((row) => row.osId === id);
  if (candidates.length === 0) return { found: false, detail: `no kernel minimum for distribution "${id}"` };

  const version = parseOsVersion(osVersion);
  const versioned = candidates
    .map((row) => ({ row, version: row.osVersion === undefined ? undefined : parseOsVersion(row.osVersion) }))
    .filter((entry): entry is { row: KernelMinimum; version: readonly number[] } => entry.version !== undefined)
    .sort((a, b) => compareComponents(a.version, b.version));

  if (version !== undefined) {
    const atOrBelow = versioned.filter((entry) => compareComponents(entry.version, version) <= 0);
    const newestAtOrBelow = atOrBelow[atOrBelow.length - 1];
    if (newestAtOrBelow) return { found: true, row: newestAtOrBelow.row };
    const sameMajor = versioned.find((entry) => entry.version[0] === version[0]);
    if (sameMajor) return { found: true, row: sameMajor.row };
  }
  const everyVersion = candidates.find((row) => row.osVersion === undefined);
  if (everyVersion) return { found: true, row: everyVersion };
  const shownVersion = osVersion.trim().slice(0, 20);
  const shown = shownVersion.length > 0 ? `${id} ${shownVersion}` : `${id} (version unknown)`;
  return { found: false, detail: `no kernel minimum for ${shown}` };
}

// ---------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------

/**
 * Recognises the Windows Server releases that matter to the driver range, from the caption
 * ("Microsoft Windows Server 2012 R2 Standard") or, failing that, the version (6.1 = 2008 R2,
 * 6.2 = 2012, 6.3 = 2012 R2, 10.0.20348 = 2022). `undefined` for every other release.
 */
export function recogniseWindowsServer(caption: string, version: string): WindowsServerRelease | undefined {
  const name = caption.toLowerCase();
  if (/\b2008 r2\b/.test(name)) return '2008 R2';
  if (/\b2012 r2\b/.test(name)) return '2012 R2';
  if (/\b2012\b/.test(name)) return '2012';
  if (/\b2022\b/.test(name)) return '2022';
  if (/\b(2016|2019|2025)\b/.test(name)) return undefined;
  const numbers = parseOsVersion(version);
  if (!numbers) return undefined;
  // A release's version names as many components as tell it apart (6.3 for 2012 R2, 10.0.20348 for 2022).
  const releases = Object.entries(WINDOWS_SERVER_VERSIONS) as [WindowsServerRelease, string][];
  return releases.find(([, known]) => {
    const parts = parseOsVersion(known) ?? [];
    return parts.every((part, index) => numbers[index] === part);
  })?.[0];
}

/** A Windows driver release AWS rolled back (2.2.4, 2.5.0; trailing zeros do not count). */
export function isRolledBackWindowsRelease(version: DriverVersion): boolean {
  return ROLLED_BACK_WINDOWS_DRIVER_VERSIONS.some((rolledBack) => {
    const parsed = parseDriverVersion(rolledBack);
    return parsed !== undefined && compareDriverVersions(version, parsed) === 0;
  });
}

/** The Windows minimum for one OS: the policy's, raised to the release's floor, then capped at its ceiling. */
export interface WindowsMinimum {
  readonly minimum: DriverVersion;
  /** The release's ceiling (the newest driver it can run), when it has one. */
  readonly ceiling: DriverVersion | undefined;
  /** The release's floor (the oldest driver it supports), when it has one. */
  readonly floor: DriverVersion | undefined;
  readonly raisedFor: WindowsServerRelease | undefined;
  readonly cappedFor: WindowsServerRelease | undefined;
}

/** The effective Windows minimum for a caption and version, or undefined when the policy's minimum is not a version. */
export function windowsMinimum(caption: string, version: string, policyMinimumText: string): WindowsMinimum | undefined {
  const policyMinimum = parseDriverVersion(policyMinimumText);
  if (!policyMinimum) return undefined;
  const release = recogniseWindowsServer(caption, version);
  let minimum = policyMinimum;
  let raisedFor: WindowsServerRelease | undefined;
  let cappedFor: WindowsServerRelease | undefined;
  const floor = release ? parseDriverVersion(WINDOWS_DRIVER_FLOORS[release] ?? '') : undefined;
  if (floor && compareDriverVersions(floor, minimum) > 0) {
    minimum = floor;
    raisedFor = release;
  }
  const ceiling = release ? parseDriverVersion(WINDOWS_DRIVER_CEILINGS[release] ?? '') : undefined;
  if (ceiling && compareDriverVersions(ceiling, minimum) < 0) {
    minimum = ceiling;
    cappedFor = release;
  }
  return { minimum, ceiling, floor, raisedFor, cappedFor };
}

function assessWindows(inventory: EnaDriverInventory, policy: DriverPolicy): DriverAssessment {
  const found = parseDriverVersion(inventory.driverVersion ?? '');
  if (!found) return unknownDriverVersion(inventory);
  const effective = windowsMinimum(inventory.osName, inventory.osVersion, policy.windowsMinimumDriverVersion);
  if (!effective) {
    return { kind: 'unknown', cause: 'driver-version-unknown', detail: `windowsMinimumDriverVersion "${policy.windowsMinimumDriverVersion}" is not a version` };
  }
  const { minimum, cappedFor, raisedFor } = effective;
  const status = isRolledBackWindowsRelease(found)
    ? 'rolled-back'
    : compareDriverVersions(found, minimum) >= 0
      ? 'current'
      : 'outdated';
  return { kind: 'driver', platform: 'windows', status, found, minimum, cappedFor, raisedFor, knownBad: undefined, securityFloor: false };
}

// ---------------------------------------------------------------------------------------------
// Linux
// ---------------------------------------------------------------------------------------------

/**
 * Which Linux driver the inventory describes. The collector's `DriverBuild` wins; for an older or
 * partial entry: a reported version equal to the kernel release is the in-tree driver, any other
 * version is out-of-tree.
 */
export function linuxDriverBuild(inventory: EnaDriverInventory): 'out-of-tree' | 'in-tree' | 'unknown' {
  // A K suffix is the upstream in-kernel copy (frozen at 2.1.0K, removed in 2020), not an
  // amzn-drivers build: judged by its kernel, whatever an older collector called it.
  if (inKernelDriverVersion(inventory) !== undefined) return 'in-tree';
  if (inventory.driverBuild === 'out-of-tree' || inventory.driverBuild === 'in-tree') return inventory.driverBuild;
  const version = inventory.driverVersion;
  if (version === undefined) return 'unknown';
  if (inventory.kernelRelease !== undefined && version === inventory.kernelRelease) return 'in-tree';
  return parseDriverVersion(version) ? 'out-of-tree' : 'unknown';
}

/** The reported version when it is the in-kernel driver's own (`K` suffix); undefined otherwise. */
export function inKernelDriverVersion(inventory: EnaDriverInventory): string | undefined {
  const parsed = parseDriverVersion(inventory.driverVersion ?? '');
  // Upper case as upstream wrote it (2.1.0K); lower case as some kernels print it (1.2.0k).
  return parsed?.suffix.toUpperCase() === 'K' ? parsed.text : undefined;
}

/**
 * Rebuilds judged by their parent's kernel rows, by os-release ID: Rocky Linux, AlmaLinux and
 * CentOS (Stream) name `rhel` in their `ID_LIKE`; Oracle Linux (`ol`, `ID_LIKE="fedora"`) ships
 * RHEL's own kernel as RHCK, and its UEK kernels are another flavour, never compared with RHEL's.
 * Only the major release is carried over (Rocky 8.6 is judged as RHEL 8.6).
 */
export const DISTRIBUTION_PARENTS: Readonly<Record<string, string>> = {
  rocky: 'rhel',
  almalinux: 'rhel',
  centos: 'rhel',
  ol: 'rhel',
};

/** Parents a rebuild may name in os-release `ID_LIKE` to be judged by that parent's rows. */
export const ID_LIKE_PARENTS: readonly string[] = ['rhel'];

/**
 * The distribution whose rows judge a rebuild: the known rebuilds by ID first (Oracle Linux names
 * only `fedora` in ID_LIKE), then a parent named in `ID_LIKE` (a RHEL rebuild this table does not
 * know yet, such as `ID=navy ID_LIKE="rhel fedora"`); undefined for every other distribution.
 */
export function distributionParent(osId: string, osIdLike: readonly string[]): string | undefined {
  return DISTRIBUTION_PARENTS[osId] ?? osIdLike.find((like) => ID_LIKE_PARENTS.includes(like));
}

/**
 * A kernel release's flavour: `aws`, `generic`, `azure` (Ubuntu), `default` (SUSE), `uek` (Oracle
 * Linux); undefined for kernels that carry none (Amazon Linux, RHEL). Kernel releases only compare
 * within one flavour: Ubuntu's -aws minimum says nothing about a -generic kernel.
 */
export function kernelFlavour(release: string): string | undefined {
  const text = release.trim().toLowerCase();
  if (/uek/.test(text)) return 'uek';
  return /-([a-z][a-z0-9]*)$/.exec(text)?.[1];
}

/** Quotes reported text for a detail, shortened so that annotations stay within Config's limit. */
function quoted(text: string): string {
  return JSON.stringify(truncate(text, 40));
}

function unknownDriverVersion(inventory: EnaDriverInventory): DriverAssessment {
  const detail =
    inventory.driverVersion === undefined
      ? 'no ENA driver version was reported'
      : `ENA driver version ${quoted(inventory.driverVersion)} is not a version`;
  return { kind: 'unknown', cause: 'driver-version-unknown', detail };
}

/** The known-bad range a release falls in, if any. */
export function knownBadRelease(version: DriverVersion): KnownBadRelease | undefined {
  return KNOWN_BAD_LINUX_DRIVER_RELEASES.find((release) => {
    const from = parseDriverVersion(release.from);
    const through = parseDriverVersion(release.through);
    return from !== undefined && through !== undefined && compareDriverVersions(version, from) >= 0 && compareDriverVersions(version, through) <= 0;
  });
}

function assessLinuxOutOfTree(inventory: EnaDriverInventory, policy: DriverPolicy): DriverAssessment {
  const found = parseDriverVersion(inventory.driverVersion ?? '');
  if (!found) return unknownDriverVersion(inventory);
  const minimum = parseDriverVersion(policy.linuxMinimumDriverVersion);
  if (!minimum) {
    return { kind: 'unknown', cause: 'driver-version-unknown', detail: `linuxMinimumDriverVersion "${policy.linuxMinimumDriverVersion}" is not a version` };
  }
  const floor = policy.requireSecurityFixes ? parseDriverVersion(LINUX_SECURITY_FIX_DRIVER_VERSION) : undefined;
  const securityFloor = floor !== undefined && compareDriverVersions(floor, minimum) > 0;
  const effective = securityFloor ? floor : minimum;
  const knownBad = knownBadRelease(found);
  const status = knownBad ? 'known-bad' : compareDriverVersions(found, effective) >= 0 ? 'current' : 'outdated';
  return { kind: 'driver', platform: 'linux', status, found, minimum: effective, cappedFor: undefined, raisedFor: undefined, knownBad, securityFloor };
}

function assessLinuxInTree(inventory: EnaDriverInventory, policy: DriverPolicy): DriverAssessment {
  const found = parseKernelRelease(inventory.kernelRelease ?? '');
  if (!found) {
    const detail =
      inventory.kernelRelease === undefined
        ? 'in-tree ENA driver but no kernel release was reported'
        : `in-tree ENA driver but kernel release ${quoted(inventory.kernelRelease)} is not readable`;
    return { kind: 'unknown', cause: 'kernel-release-unknown', detail };
  }
  const rows = mergeKernelMinimums(DEFAULT_KERNEL_MINIMUMS, policy.kernelMinimums);
  // The distribution's own rows first (an override for `rocky` wins), then its parent's.
  const id = inventory.osId.trim().toLowerCase();
  const parent = rows.some((row) => row.osId === id) ? undefined : distributionParent(id, inventory.osIdLike);
  const selected = selectKernelMinimum(rows, parent ?? id, inventory.osVersion);
  if (!selected.found) {
    // No AWS source publishes a minimum for this distribution (or release): its own outcome.
    return { kind: 'unknown', cause: 'no-published-minimum', detail: parent ? `${selected.detail} (${id} is judged as ${parent})` : selected.detail };
  }
  const minimum = parseKernelRelease(selected.row.minimumKernel);
  if (!minimum) {
    return { kind: 'unknown', cause: 'kernel-minimum-unknown', detail: `kernel minimum "${selected.row.minimumKernel}" is not readable` };
  }
  const rowFlavour = kernelFlavour(selected.row.minimumKernel);
  const flavour = kernelFlavour(found.text);
  // A row without a flavour covers the distribution's kernels that carry none, and SUSE's
  // -default (its rows are written without it); UEK is never RHEL's kernel.
  const comparable = rowFlavour === undefined ? flavour !== 'uek' : flavour === rowFlavour;
  if (!comparable) {
    return {
      kind: 'unknown',
      cause: 'no-published-minimum',
      detail: `no published minimum for the ${flavour ?? 'unflavoured'} kernel ${quoted(found.text)} (${rowLabel(selected.row)} lists ${rowFlavour ? `-${rowFlavour}` : 'its own'} kernels)`,
    };
  }
  const status = compareKernelReleases(found, minimum) >= 0 ? 'current' : 'outdated';
  return { kind: 'kernel', status, found, minimum, row: selected.row, inKernelDriverVersion: inKernelDriverVersion(inventory), judgedAs: parent ? id : undefined };
}

/** Compares what the inventory reports with the effective minimum for that instance. */
export function assessDriver(inventory: EnaDriverInventory, policy: DriverPolicy): DriverAssessment {
  if (inventory.osFamily === 'windows') return assessWindows(inventory, policy);
  const build = linuxDriverBuild(inventory);
  if (build === 'out-of-tree') return assessLinuxOutOfTree(inventory, policy);
  if (build === 'in-tree') return assessLinuxInTree(inventory, policy);
  return {
    kind: 'unknown',
    cause: 'driver-build-unknown',
    detail: 'cannot tell the out-of-tree from the in-tree ENA driver (no version reported)',
  };
}
