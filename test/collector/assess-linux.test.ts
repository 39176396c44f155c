import { describe, expect, it } from 'vitest';
import { DEFAULT_LINUX_MINIMUM_DRIVER_VERSION } from '../../rules/driver-policy.js';
import type { EnaDriverInventoryField } from '../../rules/inventory.js';
import { inventoryEntry } from '../support/inventory.js';
import { loadAssessDocument, renderScript, runAssessment, runAssessments, type AssessGuest, type AssessRun } from './assess-harness.js';

const document = loadAssessDocument();

const AL2_KERNEL = '4.14.186-146.268.amzn2.x86_64';
const AL2023_KERNEL = '6.1.61-85.141.amzn2023.x86_64';

/** A Custom:EnaDriver item as the collector writes it: every field, out-of-tree 2.17.0g on Amazon Linux 2 by default. */
const item = inventoryEntry;

/** The in-tree driver of a kernel: the collector reports the kernel release as the version. */
function inTree(kernel: string, os: Partial<Record<EnaDriverInventoryField, string>>): Record<string, string> {
  return item({ DriverVersion: kernel, DriverVersionSource: 'ethtool', DriverBuild: 'in-tree', KernelRelease: kernel, ...os });
}

const UBUNTU_20_04 = { OsId: 'ubuntu', OsIdLike: 'debian', OsVersion: '20.04', OsName: 'Ubuntu 20.04.6 LTS' };
const UBUNTU_22_04 = { OsId: 'ubuntu', OsIdLike: 'debian', OsVersion: '22.04', OsName: 'Ubuntu 22.04.4 LTS' };
const AL2023 = { OsId: 'amzn', OsIdLike: 'fedora', OsVersion: '2023', OsName: 'Amazon Linux 2023.5.20240624' };
const ROCKY_9_0 = { OsId: 'rocky', OsIdLike: 'rhel centos fedora', OsVersion: '9.0', OsName: 'Rocky Linux 9.0 (Blue Onyx)' };
const ALMA_8_2 = { OsId: 'almalinux', OsIdLike: 'rhel centos fedora', OsVersion: '8.2', OsName: 'AlmaLinux 8.2 (Arctic Sphynx)' };
const NAVY_8_2 = { OsId: 'navy', OsIdLike: 'rhel fedora', OsVersion: '8.2', OsName: 'Navy Linux 8.2' };
const ORACLE_8_8 = { OsId: 'ol', OsIdLike: 'fedora', OsVersion: '8.8', OsName: 'Oracle Linux Server 8.8' };
const DEBIAN_12 = { OsId: 'debian', OsIdLike: '', OsVersion: '12', OsName: 'Debian GNU/Linux 12 (bookworm)' };
const RHEL_7_9 = { OsId: 'rhel', OsIdLike: 'fedora', OsVersion: '7.9', OsName: 'Red Hat Enterprise Linux Server 7.9 (Maipo)' };

const POLICY = { LinuxMinimumDriverVersion: DEFAULT_LINUX_MINIMUM_DRIVER_VERSION, RequireSecurityFixes: 'false', CheckKernelUpdate: 'false' };

interface Row {
  readonly name: string;
  readonly item: Record<string, string> | undefined;
  readonly parameters?: Record<string, string>;
  readonly plan: 'current' | 'update' | 'no-minimum' | 'unknown';
  readonly detail?: string;
  readonly bound?: boolean;
  readonly exitCode?: number;
}

const ROWS: readonly Row[] = [
  // Out-of-tree driver, judged by its version.
  { name: 'out-of-tree 2.17.0g against the default minimum 2.10.0', item: item(), plan: 'current', detail: 'driver 2.17.0g >= 2.10.0' },
  { name: 'out-of-tree 2.9.0g below 2.10.0 (compared as numbers)', item: item({ DriverVersion: '2.9.0g' }), plan: 'update', detail: 'driver 2.9.0g < 2.10.0' },
  { name: 'exactly the minimum 2.10.0g', item: item({ DriverVersion: '2.10.0g' }), plan: 'current' },
  { name: 'a four-part 2.10.0.0 (trailing zeros do not count)', item: item({ DriverVersion: '2.10.0.0' }), plan: 'current' },
  {
    name: 'a known-bad 2.4.1g above a lowered minimum 2.2.10',
    item: item({ DriverVersion: '2.4.1g' }),
    parameters: { LinuxMinimumDriverVersion: '2.2.10' },
    plan: 'update',
    detail: 'known-bad release (2.2.11-2.6.0)',
  },
  { name: '2.8.4g, past the PPS regression, with minimum 2.2.10', item: item({ DriverVersion: '2.8.4g' }), parameters: { LinuxMinimumDriverVersion: '2.2.10' }, plan: 'current' },
  {
    name: 'RequireSecurityFixes=true raising the floor to 2.17.0 for 2.16.1g',
    item: item({ DriverVersion: '2.16.1g' }),
    parameters: { RequireSecurityFixes: 'true' },
    plan: 'update',
    detail: '< 2.17.0',
  },
  // The in-kernel copy (K suffix): judged by the kernel, whatever DriverBuild an older collector wrote.
  {
    name: 'the in-kernel 2.1.0K on Ubuntu 20.04 5.4.0-1025-aws (judged by the kernel)',
    item: item({ DriverVersion: '2.1.0K', KernelRelease: '5.4.0-1025-aws', ...UBUNTU_20_04 }),
    plan: 'current',
    detail: 'kernel 5.4.0-1025-aws >= 5.4.0-1025-aws (ubuntu)',
  },
  {
    name: 'a lower-case 1.2.0k on Amazon Linux 2 4.14.186 (the kernel, not 1.2.0 < 2.10.0)',
    item: item({ DriverVersion: '1.2.0k', KernelRelease: AL2_KERNEL }),
    plan: 'current',
    detail: 'kernel 4.14.186-146.268.amzn2.x86_64 >= 4.14.186 (amzn)',
  },
  // The upstream in-tree driver, judged by the kernel table.
  { name: 'in-tree on Amazon Linux 2023 6.1.61', item: inTree(AL2023_KERNEL, AL2023), plan: 'current', detail: '(amzn)' },
  { name: 'in-tree on Ubuntu 20.04 5.4.0-1024-aws, one below the minimum', item: inTree('5.4.0-1024-aws', UBUNTU_20_04), plan: 'update', detail: '< 5.4.0-1025-aws' },
  { name: 'in-tree on Ubuntu 22.04 with a -generic kernel (the row lists -aws kernels)', item: inTree('5.15.0-91-generic', UBUNTU_22_04), plan: 'no-minimum', detail: 'generic' },
  {
    name: 'in-tree on Rocky 9.0, judged by the RHEL 8.3 row',
    item: inTree('5.14.0-70.13.1.el9_0.x86_64', ROCKY_9_0),
    plan: 'current',
    detail: '>= 4.18.0-240.1.1.el8_3 (rhel)',
  },
  {
    name: 'in-tree on AlmaLinux 8.2, below the RHEL 8.3 kernel',
    item: inTree('4.18.0-193.28.1.el8_2.x86_64', ALMA_8_2),
    plan: 'update',
    detail: '< 4.18.0-240.1.1.el8_3 (rhel)',
  },
  {
    name: 'in-tree on an unknown rebuild navy naming rhel in ID_LIKE (judged by rhel)',
    item: inTree('4.18.0-193.28.1.el8_2.x86_64', NAVY_8_2),
    plan: 'update',
    detail: '(rhel)',
  },
  { name: 'in-tree on Oracle Linux with a UEK kernel', item: inTree('5.15.0-200.131.27.el8uek.x86_64', ORACLE_8_8), plan: 'no-minimum', detail: 'uek' },
  { name: 'in-tree on Debian 12 (no published minimum)', item: inTree('6.1.0-13-cloud-amd64', DEBIAN_12), plan: 'no-minimum', detail: 'debian' },
  { name: 'in-tree on RHEL 7.9 (older than every RHEL row)', item: inTree('3.10.0-1160.el7.x86_64', RHEL_7_9), plan: 'no-minimum', detail: 'rhel 7.9' },
  {
    name: 'a KernelMinimums row rocky:9=5.14.0-80 replacing the RHEL judgement of Rocky 9.0',
    item: inTree('5.14.0-70.13.1.el9_0.x86_64', ROCKY_9_0),
    parameters: { KernelMinimums: 'rocky:9=5.14.0-80' },
    plan: 'update',
    detail: '< 5.14.0-80 (rocky)',
  },
  // No driver, unreadable input.
  {
    name: 'no ENA driver in the guest',
    item: item({ DriverPresent: 'false', DriverLoaded: 'false', InterfaceDriver: 'vif', DriverVersion: '', DriverVersionSource: 'none', DriverBuild: 'unknown' }),
    plan: 'update',
    detail: 'no ENA driver',
    bound: false,
  },
  // Components past 2^31 stay digit strings (mawk, Debian's and Ubuntu's awk, prints such numbers in exponent form).
  { name: 'a component past 2^31 (2.2147483648.0g), compared as digits', item: item({ DriverVersion: '2.2147483648.0g' }), plan: 'current', detail: '>= 2.10.0' },
  { name: 'a leading zero (2.010.0g) is the number 10', item: item({ DriverVersion: '2.010.0g' }), plan: 'current', detail: '>= 2.10.0' },
  { name: 'an unreadable out-of-tree version "latest"', item: item({ DriverVersion: 'latest' }), plan: 'unknown', detail: 'latest', exitCode: 1 },
  { name: 'no item file (the collector has not run)', item: undefined, plan: 'unknown', detail: 'EnaGuard-CollectEnaDriverInventory has not run', exitCode: 1, bound: false },
  // ENA_GUARD_BOUND: a loaded ENA driver drives the interface.
  { name: 'bound: loaded and driving the interface', item: item(), plan: 'current', bound: true },
  { name: 'not bound: installed but not loaded', item: item({ DriverLoaded: 'false' }), plan: 'current', bound: false },
  { name: 'not bound: loaded while the interface uses vif', item: item({ InterfaceDriver: 'vif' }), plan: 'current', bound: false },
  { name: 'not bound: the collector could not tell whether it is loaded', item: item({ DriverLoaded: 'unknown' }), plan: 'current', bound: false },
];

describe('the EnaGuard-AssessEnaDriverLinux script', () => {
  it.each(ROWS)('$name → $plan', (row) => {
    // Prepare
    const parameters = { ...POLICY, ...row.parameters };

    // Act
    const run = runAssessment({ item: row.item, parameters });

    // Assess
    expect(() => renderScript(document, parameters)).not.toThrow();
    expect(run.stderr).toBe('');
    expect(run.plan, run.stdout).toBe(row.plan);
    if (row.detail !== undefined) expect(run.detail).toContain(row.detail);
    if (row.bound !== undefined) expect(run.bound).toBe(row.bound);
    expect(run.exitCode, run.stdout).toBe(row.exitCode ?? 0);
    expect(run.kernelUpdate).toBeUndefined();
    expect(run.calls.filter((call) => !call.startsWith('uname '))).toEqual([]);
  });

  it('prints the plan, bound and detail lines, in that order, and nothing else', () => {
    // Act
    const run = runAssessment({ item: item(), parameters: POLICY });

    // Assess
    expect(run.stdout).toBe('ENA_GUARD_PLAN=current\nENA_GUARD_BOUND=true\nENA_GUARD_DETAIL=driver 2.17.0g >= 2.10.0\n');
  });
});

const AMAZON_LINUX_2_OS_RELEASE = 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n';
const UBUNTU_20_04_OS_RELEASE = 'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\n';
const DEBIAN_12_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const SLES_15_OS_RELEASE = 'NAME="SLES"\nVERSION="15-SP2"\nVERSION_ID="15.2"\nID="sles"\nID_LIKE="suse"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP2"\n';

const CHECK = { ...POLICY, CheckKernelUpdate: 'true' };
/** An update plan on Amazon Linux 2: out-of-tree 2.9.0g < 2.10.0. */
const OUTDATED_AL2 = item({ DriverVersion: '2.9.0g' });
const INST_LINE = 'Inst linux-aws [5.4.0.1024.26] (5.4.0.1025.27 Ubuntu:20.04/focal-updates [amd64]) []';

interface KernelUpdateRow {
  readonly name: string;
  readonly item: Record<string, string>;
  readonly guest: AssessGuest;
  readonly plan: 'update' | 'unknown';
  readonly kernelUpdate: 'available' | 'pending' | 'none' | undefined;
  readonly detail?: string;
  readonly exitCode: number;
  /** The package-manager calls expected (uname excluded). */
  readonly calls?: readonly string[];
}

const KERNEL_UPDATE_ROWS: readonly KernelUpdateRow[] = [
  {
    name: 'Amazon Linux: dnf check-update exits 100',
    item: OUTDATED_AL2,
    guest: { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, dnf: { exitCode: 100, stdout: 'kernel.x86_64  4.14.343-261.564.amzn2  amzn2-core' } },
    plan: 'update',
    kernelUpdate: 'available',
    detail: 'driver 2.9.0g < 2.10.0',
    exitCode: 0,
    calls: ['dnf -q check-update kernel'],
  },
  {
    name: 'Amazon Linux: dnf exits 0 and grubby boots the running kernel',
    item: OUTDATED_AL2,
    guest: { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, dnf: { exitCode: 0 }, grubby: `/boot/vmlinuz-${AL2_KERNEL}` },
    plan: 'update',
    kernelUpdate: 'none',
    exitCode: 0,
    calls: ['dnf -q check-update kernel', 'grubby --default-kernel'],
  },
  {
    name: 'Amazon Linux: dnf exits 0 but grubby boots a newer kernel (installed, reboot pending)',
    item: OUTDATED_AL2,
    guest: { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, dnf: { exitCode: 0 }, grubby: '/boot/vmlinuz-4.14.343-261.564.amzn2.x86_64' },
    plan: 'update',
    kernelUpdate: 'pending',
    exitCode: 0,
  },
  {
    name: 'Amazon Linux 2 without dnf: yum check-update exits 100',
    item: OUTDATED_AL2,
    guest: { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, yum: { exitCode: 100 } },
    plan: 'update',
    kernelUpdate: 'available',
    exitCode: 0,
    calls: ['yum -q check-update kernel'],
  },
  {
    name: 'Ubuntu: apt-get -s install linux-aws would install a package',
    item: inTree('5.4.0-1024-aws', UBUNTU_20_04),
    guest: {
      osRelease: UBUNTU_20_04_OS_RELEASE,
      kernelRelease: '5.4.0-1024-aws',
      aptGet: { when: { '-s install linux-aws': { stdout: `Reading package lists...\n${INST_LINE}\nConf linux-aws (5.4.0.1025.27 Ubuntu:20.04/focal-updates [amd64])` } } },
    },
    plan: 'update',
    kernelUpdate: 'available',
    detail: '< 5.4.0-1025-aws',
    exitCode: 0,
    calls: ['apt-get update -q', 'apt-get -s install linux-aws'],
  },
  {
    name: 'Ubuntu: nothing to install, /var/run/reboot-required present',
    item: inTree('5.4.0-1024-aws', UBUNTU_20_04),
    guest: {
      osRelease: UBUNTU_20_04_OS_RELEASE,
      kernelRelease: '5.4.0-1024-aws',
      aptGet: { stdout: 'linux-aws is already the newest version (5.4.0.1025.27).' },
      files: { 'var/run/reboot-required': '*** System restart required ***\n' },
    },
    plan: 'update',
    kernelUpdate: 'pending',
    exitCode: 0,
  },
  {
    name: 'SLES: zypper lists a kernel-default update',
    item: inTree('5.3.18-24.12.1-default', { OsId: 'sles', OsIdLike: 'suse', OsVersion: '15.2', OsName: 'SUSE Linux Enterprise Server 15 SP2' }),
    guest: {
      osRelease: SLES_15_OS_RELEASE,
      kernelRelease: '5.3.18-24.12.1-default',
      zypper: { when: { '*list-updates*': { stdout: 'S | Repository | Name | Current Version | Available Version | Arch\nv | SLES15-SP2-Updates | kernel-default | 5.3.18-24.12.1 | 5.3.18-24.15.1 | x86_64' } } },
    },
    plan: 'update',
    kernelUpdate: 'available',
    exitCode: 0,
  },
  {
    name: 'Amazon Linux: the package manager fails (exit 1)',
    item: OUTDATED_AL2,
    guest: { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, dnf: { exitCode: 1 } },
    plan: 'unknown',
    kernelUpdate: undefined,
    detail: 'exit 1',
    exitCode: 1,
  },
  {
    name: 'Ubuntu: apt-get update fails',
    item: inTree('5.4.0-1024-aws', UBUNTU_20_04),
    guest: { osRelease: UBUNTU_20_04_OS_RELEASE, kernelRelease: '5.4.0-1024-aws', aptGet: { exitCode: 100 } },
    plan: 'unknown',
    kernelUpdate: undefined,
    detail: 'apt-get update failed',
    exitCode: 1,
  },
  {
    name: 'Debian: no kernel update path',
    item: item({ DriverVersion: '2.9.0g', KernelRelease: '6.1.0-13-cloud-amd64', ...DEBIAN_12 }),
    guest: { osRelease: DEBIAN_12_OS_RELEASE, kernelRelease: '6.1.0-13-cloud-amd64' },
    plan: 'unknown',
    kernelUpdate: undefined,
    detail: 'no kernel update path for distribution debian',
    exitCode: 1,
  },
  {
    name: 'no /etc/os-release',
    item: OUTDATED_AL2,
    guest: { kernelRelease: AL2_KERNEL, dnf: { exitCode: 100 } },
    plan: 'unknown',
    kernelUpdate: undefined,
    detail: 'os-release',
    exitCode: 1,
  },
];

describe('the kernel-update check (CheckKernelUpdate=true)', () => {
  it.each(KERNEL_UPDATE_ROWS)('$name → $plan, kernel update $kernelUpdate', (row) => {
    // Prepare
    const parameters = CHECK;

    // Act
    const run = runAssessment({ item: row.item, guest: row.guest, parameters });

    // Assess
    expect(() => renderScript(document, parameters)).not.toThrow();
    expect(run.plan, run.stdout).toBe(row.plan);
    expect(run.kernelUpdate, run.stdout).toBe(row.kernelUpdate);
    if (row.detail !== undefined) expect(run.detail).toContain(row.detail);
    expect(run.exitCode, run.stdout).toBe(row.exitCode);
    if (row.calls !== undefined) expect(run.calls.filter((call) => !call.startsWith('uname '))).toEqual(row.calls);
  });

  it('does not ask the package manager when the plan is current', () => {
    // Prepare
    const guest: AssessGuest = { osRelease: AMAZON_LINUX_2_OS_RELEASE, kernelRelease: AL2_KERNEL, dnf: { exitCode: 100 } };

    // Act
    const run = runAssessment({ item: item(), guest, parameters: CHECK });

    // Assess
    expect(run.plan).toBe('current');
    expect(run.kernelUpdate).toBeUndefined();
    expect(run.calls).toEqual([]);
    expect(run.exitCode).toBe(0);
  });
});

describe('the document parameters as Systems Manager renders them', () => {
  it('leaves no {{ }} placeholder in the rendered script', () => {
    // Act
    const script = renderScript(document, POLICY);

    // Assess
    expect(script).not.toMatch(/\{\{/);
    expect(script).toContain("linux_minimum='2.10.0'");
  });

  it.each([
    ['a minimum that is not a version', { ...POLICY, LinuxMinimumDriverVersion: "2.10.0'; reboot; '" }],
    ['RequireSecurityFixes other than true or false', { ...POLICY, RequireSecurityFixes: 'yes' }],
    ['a KernelMinimums entry without a kernel', { ...POLICY, KernelMinimums: 'rocky:9' }],
    ['a parameter the document does not declare', { ...POLICY, Minimum: '2.10.0' }],
  ])('refuses %s', (_name, parameters) => {
    // Act
    const render = () => renderScript(document, parameters);

    // Assess
    expect(render).toThrow();
  });

  it('requires the parameters without a default', () => {
    // Act
    const render = () => renderScript(document, { RequireSecurityFixes: 'false', CheckKernelUpdate: 'false' });

    // Assess
    expect(render).toThrow(/LinuxMinimumDriverVersion is required/);
  });
});

describe('the batch runner', () => {
  it('gives every row the same result in one sh process as one run per row', () => {
    // Prepare
    const cases = ROWS.map((row) => ({ item: row.item, parameters: { ...POLICY, ...row.parameters } }));

    // The item path in a detail names each run's own temporary root.
    const summary = (run: AssessRun) => [run.plan, run.bound, run.detail?.replace(/\S*\/root\/var\//g, '$root/var/'), run.exitCode];

    // Act
    const batch = runAssessments(cases);

    // Assess
    expect(batch.map(summary)).toEqual(cases.map((testCase) => summary(runAssessment(testCase))));
  });
});
