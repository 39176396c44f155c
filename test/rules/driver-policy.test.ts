import { describe, expect, it } from 'vitest';
import { inTreeInventory, linuxInventory, windowsInventory } from '../support/inventory.js';
import {
  assessDriver,
  DEFAULT_KERNEL_MINIMUMS,
  distributionParent,
  KNOWN_BAD_LINUX_DRIVER_RELEASES,
  knownBadReleasesParameter,
  LINUX_SECURITY_FIX_DRIVER_VERSION,
  kernelFlavour,
  linuxDriverBuild,
  mergeKernelMinimums,
  parseKernelMinimums,
  recogniseWindowsServer,
  selectKernelMinimum,
  type DriverPolicy,
} from '../../rules/driver-policy.js';

const defaultPolicy: DriverPolicy = {
  linuxMinimumDriverVersion: '2.2.10',
  windowsMinimumDriverVersion: '2.4.0',
  requireSecurityFixes: false,
  kernelMinimums: [],
};

describe('parseKernelMinimums', () => {
  it('reads id=kernel and id:version=kernel entries separated by commas', () => {
    // Act
    const parsed = parseKernelMinimums(' amzn=4.14.186 , ubuntu:20.04=5.4.0-1025-aws,ROCKY:9=5.14.0-70.13.1.el9_0');

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: [
        { osId: 'amzn', osVersion: undefined, minimumKernel: '4.14.186' },
        { osId: 'ubuntu', osVersion: '20.04', minimumKernel: '5.4.0-1025-aws' },
        { osId: 'rocky', osVersion: '9', minimumKernel: '5.14.0-70.13.1.el9_0' },
      ],
    });
  });

  it('reads an empty text as no overrides', () => {
    // Act
    const parsed = parseKernelMinimums('');

    // Assess
    expect(parsed).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['amzn', 'has no "=kernel"'],
    ['Amazon Linux=4.14.186', 'must start with an os-release ID'],
    ['ubuntu:twenty=5.4.0', 'has version "twenty"'],
    ['ubuntu:20.04=latest', 'has kernel "latest"'],
    ['rhel:8.3=4.18.0-240,rhel:8.3.0=4.18.0-305', 'repeats rhel 8.3'],
    ['a:1:2=4.1', 'must start with an os-release ID'],
  ])('rejects %j naming the problem (%s)', (text, problem) => {
    // Act
    const parsed = parseKernelMinimums(text);

    // Assess
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(problem);
  });
});

describe('mergeKernelMinimums', () => {
  it('replaces the default row of the same distribution and version and keeps the others', () => {
    // Prepare
    const override = { osId: 'ubuntu', osVersion: '20.04', minimumKernel: '5.4.0-1030-aws' };

    // Act
    const merged = mergeKernelMinimums(DEFAULT_KERNEL_MINIMUMS, [override]);

    // Assess
    expect(merged.filter((row) => row.osId === 'ubuntu')).toEqual([override]);
    expect(merged).toHaveLength(DEFAULT_KERNEL_MINIMUMS.length);
  });
});

describe('selectKernelMinimum', () => {
  it.each([
    ['amzn', '2', 'amzn (all versions)', '4.14.186'],
    ['amzn', '2023', 'amzn 2023', '4.14.186'],
    ['amzn', '2018.03', 'amzn (all versions)', '4.14.186'],
    ['rhel', '8.3', 'rhel 8.3', '4.18.0-240.1.1.el8_3'],
    ['rhel', '8.2', 'rhel 8.3', '4.18.0-240.1.1.el8_3'],
    ['rhel', '9.4', 'rhel 8.3', '4.18.0-240.1.1.el8_3'],
    ['ubuntu', '20.04', 'ubuntu 20.04', '5.4.0-1025-aws'],
    ['ubuntu', '24.04', 'ubuntu 20.04', '5.4.0-1025-aws'],
    ['sles', '12.4', 'sles 12.4', '4.12.14-95.99.3'],
    ['sles', '12.5', 'sles 12.5', '4.12.14-122.116.1'],
    ['sles', '12.3', 'sles 12.4', '4.12.14-95.99.3'],
    ['sles', '15', 'sles 15', '4.12.14-150000.150.92.2'],
    ['sles', '15.1', 'sles 15.1', '4.12.14-150100.197.114.2'],
    ['sles', '15.2', 'sles 15.2', '5.3.18-24.15.1'],
    ['sles', '15.5', 'sles 15.2', '5.3.18-24.15.1'],
    ['SLES', '15.1', 'sles 15.1', '4.12.14-150100.197.114.2'],
  ])('picks for %s %s the row %s (%s)', (osId, osVersion, label, kernel) => {
    // Act
    const selected = selectKernelMinimum(DEFAULT_KERNEL_MINIMUMS, osId, osVersion);

    // Assess
    expect(selected.found).toBe(true);
    const row = selected.found ? selected.row : undefined;
    expect(row && `${row.osId} ${row.osVersion ?? '(all versions)'}`).toBe(label);
    expect(row?.minimumKernel).toBe(kernel);
  });

  it.each([
    ['Rocky Linux 9.3', 'rocky', '9.3', 'no kernel minimum for distribution "rocky"'],
    ['Debian 12', 'debian', '12', 'no kernel minimum for distribution "debian"'],
    ['RHEL 7.9 (older major than any row)', 'rhel', '7.9', 'no kernel minimum for rhel 7.9'],
    ['Ubuntu 18.04 (older than the 20.04 row)', 'ubuntu', '18.04', 'no kernel minimum for ubuntu 18.04'],
    ['Ubuntu without VERSION_ID', 'ubuntu', '', 'no kernel minimum for ubuntu (version unknown)'],
    ['a guest without os-release ID', '', '9', 'distribution unknown (no os-release ID)'],
  ])('says %s is unknown instead of guessing', (_label, osId, osVersion, detail) => {
    // Act
    const selected = selectKernelMinimum(DEFAULT_KERNEL_MINIMUMS, osId, osVersion);

    // Assess
    expect(selected).toEqual({ found: false, detail });
  });

  it('prefers a version-specific override over the row for every version', () => {
    // Prepare
    const rows = mergeKernelMinimums(DEFAULT_KERNEL_MINIMUMS, [{ osId: 'amzn', osVersion: '2023', minimumKernel: '6.1.0' }]);

    // Act
    const al2023 = selectKernelMinimum(rows, 'amzn', '2023');
    const al2 = selectKernelMinimum(rows, 'amzn', '2');

    // Assess
    expect(al2023.found && al2023.row.minimumKernel).toBe('6.1.0');
    expect(al2.found && al2.row.minimumKernel).toBe('4.14.186');
  });
});

describe('recogniseWindowsServer', () => {
  it.each([
    ['Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601', '2008 R2'],
    ['Microsoft Windows Server 2012 Standard', '6.2.9200', '2012'],
    ['Microsoft Windows Server 2012 R2 Datacenter', '6.3.9600', '2012 R2'],
    ['Microsoft Windows Server 2022 Datacenter', '10.0.20348', '2022'],
    ['(no caption)', '6.3.9600', '2012 R2'],
    ['(no caption)', '6.1.7601', '2008 R2'],
    ['(no caption)', '6.2.9200', '2012'],
    ['(no caption)', '10.0.20348', '2022'],
    ['Microsoft Windows Server 2019 Datacenter', '10.0.17763', undefined],
    ['Microsoft Windows Server 2016 Datacenter', '10.0.14393', undefined],
    ['(no caption)', '(no version)', undefined],
  ])('recognises caption %j with version %s as %s', (caption, version, expected) => {
    // Prepare
    const [captionText, versionText] = [caption, version].map((text) => (text.startsWith('(no ') ? '' : text));

    // Act
    const release = recogniseWindowsServer(captionText ?? '', versionText ?? '');

    // Assess
    expect(release).toBe(expected);
  });
});

describe('linuxDriverBuild', () => {
  it.each([
    [{ driverBuild: 'in-tree' as const }, 'in-tree'],
    [{ driverBuild: 'unknown' as const, driverVersion: '2.8.1g' }, 'out-of-tree'],
    [{ driverBuild: 'unknown' as const, driverVersion: '5.10.0-26-cloud-amd64', kernelRelease: '5.10.0-26-cloud-amd64' }, 'in-tree'],
    [{ driverBuild: 'unknown' as const, driverVersion: undefined }, 'unknown'],
    [{ driverBuild: 'unknown' as const, driverVersion: 'n/a' }, 'unknown'],
  ])('classifies %j as %s', (overrides, expected) => {
    // Act
    const build = linuxDriverBuild(linuxInventory(overrides));

    // Assess
    expect(build).toBe(expected);
  });
});

describe('assessDriver', () => {
  it.each([
    ['out-of-tree 2.8.1g', linuxInventory(), 'current', '2.2.10'],
    ['out-of-tree 2.2.10g at the minimum', linuxInventory({ driverVersion: '2.2.10g' }), 'current', '2.2.10'],
    ['out-of-tree 2.1.3g', linuxInventory({ driverVersion: '2.1.3g' }), 'outdated', '2.2.10'],
    ['Windows 2022 with 2.4.0.0', windowsInventory('2.4.0.0', 'Microsoft Windows Server 2022 Datacenter', '10.0.20348'), 'current', '2.4.0'],
    ['Windows 2019 with 2.2.3', windowsInventory('2.2.3', 'Microsoft Windows Server 2019 Datacenter', '10.0.17763'), 'outdated', '2.4.0'],
    ['Windows 2008 R2 with 2.2.3', windowsInventory('2.2.3', 'Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601'), 'current', '2.2.3'],
    ['Windows 2008 R2 with 2.1.4', windowsInventory('2.1.4', 'Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601'), 'outdated', '2.2.3'],
    ['Windows 2016 with rolled-back 2.5.0', windowsInventory('2.5.0', 'Microsoft Windows Server 2016 Datacenter', '10.0.14393'), 'rolled-back', '2.4.0'],
    ['Windows 2008 R2 with rolled-back 2.2.4', windowsInventory('2.2.4', 'Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601'), 'rolled-back', '2.2.3'],
  ])('judges %s as %s against %s', (_label, inventory, status, minimum) => {
    // Act
    const assessment = assessDriver(inventory, defaultPolicy);

    // Assess
    expect(assessment.kind).toBe('driver');
    expect(assessment.kind === 'driver' && assessment.status).toBe(status);
    expect(assessment.kind === 'driver' && assessment.minimum.text).toBe(minimum);
  });

  it('caps the Windows minimum at 2.6.0 on Server 2012 R2 when the policy asks for 2.8.0', () => {
    // Prepare
    const inventory = windowsInventory('2.6.0', 'Microsoft Windows Server 2012 R2 Datacenter', '6.3.9600');

    // Act
    const assessment = assessDriver(inventory, { ...defaultPolicy, windowsMinimumDriverVersion: '2.8.0' });

    // Assess
    expect(assessment).toMatchObject({ kind: 'driver', status: 'current', cappedFor: '2012 R2', minimum: { text: '2.6.0' } });
  });

  it('raises the Windows minimum to 2.4.0 on Server 2022 when the policy asks for less', () => {
    // Prepare
    const inventory = windowsInventory('2.3.0', 'Microsoft Windows Server 2022 Datacenter', '10.0.20348');

    // Act
    const assessment = assessDriver(inventory, { ...defaultPolicy, windowsMinimumDriverVersion: '2.2.0' });

    // Assess
    expect(assessment).toMatchObject({ kind: 'driver', status: 'outdated', raisedFor: '2022', minimum: { text: '2.4.0' } });
  });

  it.each([
    ['Amazon Linux 2023 on a 6.1 kernel', inTreeInventory('6.1.61-85.141.amzn2023.x86_64', 'amzn', '2023'), 'current'],
    ['Amazon Linux 2 on 4.14.186', inTreeInventory('4.14.186-146.268.amzn2.x86_64', 'amzn', '2'), 'current'],
    ['Amazon Linux 2 on 4.14.181', inTreeInventory('4.14.181-142.260.amzn2.x86_64', 'amzn', '2'), 'outdated'],
    ['RHEL 8.2 on its own kernel', inTreeInventory('4.18.0-193.28.1.el8_2.x86_64', 'rhel', '8.2'), 'outdated'],
    ['RHEL 9.4 on a 5.14 kernel', inTreeInventory('5.14.0-427.13.1.el9_4.x86_64', 'rhel', '9.4'), 'current'],
    ['Ubuntu 20.04 on 5.4.0-1024-aws', inTreeInventory('5.4.0-1024-aws', 'ubuntu', '20.04'), 'outdated'],
    ['Ubuntu 22.04 on 6.5.0-1014-aws', inTreeInventory('6.5.0-1014-aws', 'ubuntu', '22.04'), 'current'],
    ['SLES 12 SP5 on a kernel that passes the SP4 row only', inTreeInventory('4.12.14-122.37.1-default', 'sles', '12.5'), 'outdated'],
    ['SLES 15 SP1 on 4.12.14-150100.197.114.2', inTreeInventory('4.12.14-150100.197.114.2-default', 'sles', '15.1'), 'current'],
    ['Rocky Linux 9.0, judged by the RHEL rows', inTreeInventory('5.14.0-70.13.1.el9_0.x86_64', 'rocky', '9.0'), 'current'],
    ['AlmaLinux 8.2 on its 8.2 kernel, judged by the RHEL 8.3 row', inTreeInventory('4.18.0-193.28.1.el8_2.x86_64', 'almalinux', '8.2'), 'outdated'],
    ['CentOS Stream 9, judged by the RHEL rows', inTreeInventory('5.14.0-391.el9.x86_64', 'centos', '9'), 'current'],
    ['Oracle Linux 8 on RHEL\'s own kernel (RHCK)', inTreeInventory('4.18.0-513.5.1.el8_9.x86_64', 'ol', '8.9'), 'current'],
  ])('judges the in-tree driver on %s by its kernel as %s', (_label, inventory, status) => {
    // Act
    const assessment = assessDriver(inventory, defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'kernel', status });
  });

  it('uses a kernelMinimums override for a distribution the table does not know', () => {
    // Prepare
    const inventory = inTreeInventory('5.14.0-70.13.1.el9_0.x86_64', 'rocky', '9.0');
    const policy = { ...defaultPolicy, kernelMinimums: [{ osId: 'rocky', osVersion: '9', minimumKernel: '5.14.0-70.13.1.el9_0' }] };

    // Act
    const assessment = assessDriver(inventory, policy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'kernel', status: 'current', row: { osId: 'rocky' } });
  });

  it.each([
    ['2.1.0K on Ubuntu 20.04 at exactly 5.4.0-1025-aws, the kernel the policy names', linuxInventory({ driverVersion: '2.1.0K', kernelRelease: '5.4.0-1025-aws', osId: 'ubuntu', osVersion: '20.04' }), 'current', '5.4.0-1025-aws'],
    ['2.0.3K on RHEL 8.3 at exactly its minimum kernel', linuxInventory({ driverVersion: '2.0.3K', kernelRelease: '4.18.0-240.1.1.el8_3.x86_64', osId: 'rhel', osVersion: '8.3' }), 'current', '4.18.0-240.1.1.el8_3'],
    ['1.5.0K on an Amazon Linux 2 kernel below 4.14.186', linuxInventory({ driverVersion: '1.5.0K', kernelRelease: '4.14.146-119.123.amzn2.x86_64' }), 'outdated', '4.14.186'],
    // Printed in lower case by some kernels: isc-projects/ethq issue 15 quotes `version: 1.2.0k`.
    ['1.2.0k (lower case) on an Amazon Linux 2 kernel above 4.14.186', linuxInventory({ driverVersion: '1.2.0k', kernelRelease: '4.14.192-147.314.amzn2.x86_64' }), 'current', '4.14.186'],
  ])('judges the in-kernel driver %s by its kernel, not on the amzn-drivers scale', (_label, inventory, status, minimum) => {
    // Act
    const assessment = assessDriver(inventory, defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'kernel', status, minimum: { text: minimum }, inKernelDriverVersion: inventory.driverVersion });
  });

  it.each([
    ['Debian, which no AWS source lists', inTreeInventory('6.1.0-13-cloud-amd64', 'debian', '12'), 'no kernel minimum for distribution "debian"'],
    ['Fedora', inTreeInventory('6.5.6-300.fc39.x86_64', 'fedora', '39'), 'no kernel minimum for distribution "fedora"'],
    ['an Ubuntu -generic kernel, where the table lists -aws', inTreeInventory('5.15.0-91-generic', 'ubuntu', '22.04'), 'no published minimum for the generic kernel'],
    ['Oracle Linux on UEK, which is not RHEL\'s kernel', inTreeInventory('5.15.0-200.131.27.el9uek.x86_64', 'ol', '9.3'), 'no published minimum for the uek kernel'],
    ['a RHEL rebuild on a RHEL release older than every RHEL row (Rocky 8.2 is judged, Rocky 7 is not)', { ...inTreeInventory('3.10.0-1160.el7.x86_64', 'centos', '7'), osIdLike: ['rhel', 'fedora'] }, 'no kernel minimum for rhel 7 (centos is judged as rhel)'],
    ['RHEL 7, older than every RHEL row', inTreeInventory('3.10.0-1160.el7.x86_64', 'rhel', '7.9'), 'no kernel minimum for rhel 7.9'],
  ])('gives %s an outcome of its own: no published minimum', (_label, inventory, detail) => {
    // Act
    const assessment = assessDriver(inventory, defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'unknown', cause: 'no-published-minimum', detail: expect.stringContaining(detail) });
  });

  it.each([
    ['5.4.0-1025-aws', 'aws'],
    ['5.15.0-91-generic', 'generic'],
    ['4.12.14-122.116-default', 'default'],
    ['5.15.0-200.131.27.el9uek.x86_64', 'uek'],
    ['4.18.0-240.1.1.el8_3.x86_64', undefined],
    ['6.1.61-85.141.amzn2023.x86_64', undefined],
    ['4.12.14-95.99.3', undefined],
  ])('reads the flavour of kernel %s as %s', (release, flavour) => {
    expect(kernelFlavour(release)).toBe(flavour);
  });

  it.each([
    ['an in-tree driver with an unreadable kernel release', inTreeInventory('custom-kernel', 'amzn', '2'), 'kernel-release-unknown'],
    ['an out-of-tree driver with an unreadable version', linuxInventory({ driverVersion: 'unknown' }), 'driver-version-unknown'],
    ['a Linux driver with no version and no build', linuxInventory({ driverVersion: undefined, driverBuild: 'unknown' }), 'driver-build-unknown'],
    ['a Windows adapter with no version', windowsInventory('', 'Microsoft Windows Server 2019 Datacenter', '10.0.17763'), 'driver-version-unknown'],
  ])('reports %s as unknown (%s)', (_label, inventory, cause) => {
    // Act
    const assessment = assessDriver(inventory, defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'unknown', cause });
  });
});

describe('rebuilds and parents', () => {
  it.each([
    ['Rocky Linux by its ID', 'rocky', [], 'rhel'],
    ['Oracle Linux, whose ID_LIKE names only fedora', 'ol', ['fedora'], 'rhel'],
    ['a RHEL rebuild the table does not know, through ID_LIKE', 'navy', ['rhel', 'fedora'], 'rhel'],
    ['CentOS Stream by its ID', 'centos', ['rhel', 'fedora'], 'rhel'],
    ['Debian, whose ID_LIKE names no parent with rows', 'raspbian', ['debian'], undefined],
    ['Fedora, which is nobody\'s rebuild', 'fedora', [], undefined],
  ])('maps %s', (_label, osId, osIdLike, parent) => {
    expect(distributionParent(osId, osIdLike)).toBe(parent);
  });

  it('judges CentOS Stream 9 (ID_LIKE="rhel fedora") by the RHEL rows, with its own name in the assessment', () => {
    // Act
    const assessment = assessDriver({ ...inTreeInventory('5.14.0-362.8.1.el9.x86_64', 'centos', '9'), osIdLike: ['rhel', 'fedora'] }, defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'kernel', status: 'current', row: { osId: 'rhel', osVersion: '8.3' }, judgedAs: 'centos' });
  });

  it('judges an unknown RHEL rebuild through ID_LIKE only when the table has no row of its own', () => {
    // Prepare
    const inventory = { ...inTreeInventory('4.18.0-193.el8.x86_64', 'navy', '8.2'), osIdLike: ['rhel', 'fedora'] };

    // Act
    const byParent = assessDriver(inventory, defaultPolicy);
    const byOwnRow = assessDriver(inventory, { ...defaultPolicy, kernelMinimums: [{ osId: 'navy', osVersion: undefined, minimumKernel: '4.18.0-100' }] });

    // Assess
    expect(byParent).toMatchObject({ kind: 'kernel', status: 'outdated', row: { osId: 'rhel' }, judgedAs: 'navy' });
    expect(byOwnRow).toMatchObject({ kind: 'kernel', status: 'current', row: { osId: 'navy' }, judgedAs: undefined });
  });
});

describe('known-bad releases and the security-fix floor', () => {
  it.each([
    ['2.2.11g, the first release with the RSS hash bug', '2.2.11g', 'known-bad', 'RSS hash bug'],
    ['2.6.0g, the last release with the RSS hash bug', '2.6.0g', 'known-bad', 'RSS hash bug'],
    ['2.6.1g, past the RSS hash bug', '2.6.1g', 'current', undefined],
    ['2.8.1g, the first release of the PPS regression', '2.8.1g', 'known-bad', 'PPS regression, reverted in 2.8.4'],
    ['2.8.4g, the revert', '2.8.4g', 'current', undefined],
    ['2.2.10g, just before the RSS hash bug', '2.2.10g', 'current', undefined],
  ])('judges %s against a lowered minimum of 2.2.10', (_label, driverVersion, status, defect) => {
    // Act
    const assessment = assessDriver(linuxInventory({ driverVersion }), defaultPolicy);

    // Assess
    expect(assessment).toMatchObject({ kind: 'driver', status });
    expect(assessment.kind === 'driver' ? assessment.knownBad?.defect : 'not a driver').toBe(defect);
  });

  it('raises the out-of-tree minimum to 2.17.0 with requireSecurityFixes and says so', () => {
    // Act
    const assessment = assessDriver(linuxInventory({ driverVersion: '2.16.0g' }), { ...defaultPolicy, requireSecurityFixes: true });

    // Assess
    expect(assessment).toMatchObject({ kind: 'driver', status: 'outdated', minimum: { text: LINUX_SECURITY_FIX_DRIVER_VERSION }, securityFloor: true });
  });

  it('leaves Windows and the in-tree driver to their own minimums when requireSecurityFixes is on', () => {
    // Act
    const windows = assessDriver(windowsInventory('2.4.0', 'Microsoft Windows Server 2022 Datacenter', '10.0.20348'), { ...defaultPolicy, requireSecurityFixes: true });
    const inTree = assessDriver(inTreeInventory('6.1.61-85.141.amzn2023.x86_64', 'amzn', '2023'), { ...defaultPolicy, requireSecurityFixes: true });

    // Assess
    expect(windows).toMatchObject({ kind: 'driver', status: 'current', securityFloor: false });
    expect(inTree).toMatchObject({ kind: 'kernel', status: 'current' });
  });

  it('writes the known-bad list in the runbook\'s form, from the same constant', () => {
    expect(knownBadReleasesParameter(KNOWN_BAD_LINUX_DRIVER_RELEASES)).toBe('2.2.11-2.6.0,2.8.1-2.8.3');
  });
});
