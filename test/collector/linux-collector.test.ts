import { describe, expect, it } from 'vitest';
import { parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { loadCollectorDocument, runLinuxCollector, stepScript, type FakeGuest } from './collector-harness.js';

const script = stepScript(loadCollectorDocument(), 'aws:runShellScript');

const AMAZON_LINUX_2 = 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n';
const AMAZON_LINUX_2023 = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nVERSION_ID="2023"\nPRETTY_NAME="Amazon Linux 2023.5.20240624"\n';
const UBUNTU_16_04 = 'NAME="Ubuntu"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 16.04.7 LTS"\nVERSION_ID="16.04"\n';
const RHEL_7 = "NAME='Red Hat Enterprise Linux Server'\nID='rhel'\nVERSION_ID='7.9'\nPRETTY_NAME='Red Hat Enterprise Linux Server 7.9 (Maipo)'\n";

function modinfoOutput(version: string | undefined, kernel: string): string {
  return [
    `filename:       /lib/modules/${kernel}/kernel/drivers/amazon/net/ena/ena.ko`,
    ...(version ? [`version:        ${version}`] : []),
    'license:        GPL',
    'description:    Elastic Network Adapter (ENA)',
    'author:         Amazon.com, Inc. or its affiliates',
    'srcversion:     692C7C68B8A9001CB3F31D0',
    'alias:          pci:v00001D0Fd0000EC21sv*sd*bc*sc*i*',
    'depends:',
    'intree:         Y',
    'name:           ena',
    `vermagic:       ${kernel} SMP mod_unload modversions`,
  ].join('\n');
}

function ethtoolOutput(driver: string, version: string, busInfo = '0000:00:05.0'): string {
  return [
    `driver: ${driver}`,
    `version: ${version}`,
    'firmware-version:',
    'expansion-rom-version:',
    `bus-info: ${busInfo}`,
    'supports-statistics: yes',
    'supports-test: no',
  ].join('\n');
}

const OUT_OF_TREE_KERNEL = '4.14.186-146.268.amzn2.x86_64';
const IN_TREE_KERNEL = '6.1.61-85.141.amzn2023.x86_64';

const outOfTreeGuest: FakeGuest = {
  osRelease: AMAZON_LINUX_2,
  kernelRelease: OUT_OF_TREE_KERNEL,
  modinfo: modinfoOutput('2.8.1g', OUT_OF_TREE_KERNEL),
  ethtool: { eth0: ethtoolOutput('ena', '2.8.1g') },
  interfaces: { eth0: 'ena' },
  sysModuleEna: { version: '2.8.1g' },
  defaultRoute: 'eth0',
};

describe('the Linux collector script', () => {
  it('records an out-of-tree 2.8.1g driver bound to eth0', () => {
    // Act
    const run = runLinuxCollector(script, outOfTreeGuest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written).toEqual({
      SchemaVersion: '1.0',
      TypeName: 'Custom:EnaDriver',
      Content: {
        DriverPresent: 'true',
        DriverLoaded: 'true',
        InterfaceDriver: 'ena',
        InterfaceName: 'eth0',
        DriverVersion: '2.8.1g',
        DriverVersionSource: 'modinfo',
        DriverBuild: 'out-of-tree',
        KernelRelease: OUT_OF_TREE_KERNEL,
        OsFamily: 'linux',
        OsId: 'amzn',
        OsIdLike: 'centos rhel fedora',
        OsVersion: '2',
        OsName: 'Amazon Linux 2',
        CollectedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) as unknown as string,
        CollectorVersion: '1',
        Errors: '',
      },
    });
  });

  it('records the upstream in-tree driver of a 6.x kernel, whose version is the kernel release', () => {
    // Prepare
    const guest: FakeGuest = {
      osRelease: AMAZON_LINUX_2023,
      kernelRelease: IN_TREE_KERNEL,
      modinfo: modinfoOutput(undefined, IN_TREE_KERNEL),
      ethtool: { ens5: ethtoolOutput('ena', IN_TREE_KERNEL) },
      interfaces: { ens5: 'ena' },
      sysModuleEna: {},
      defaultRoute: 'ens5',
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'true',
      DriverLoaded: 'true',
      InterfaceDriver: 'ena',
      InterfaceName: 'ens5',
      DriverVersion: IN_TREE_KERNEL,
      DriverVersionSource: 'ethtool',
      DriverBuild: 'in-tree',
      KernelRelease: IN_TREE_KERNEL,
      OsFamily: 'linux',
      OsId: 'amzn',
      OsVersion: '2023',
      OsName: 'Amazon Linux 2023.5.20240624',
      CollectorVersion: '1',
      Errors: '',
    });
  });

  it('records an old 1.5.0K driver as the in-kernel copy, judged by its kernel (in-tree)', () => {
    // Prepare
    const kernel = '4.4.0-1128-aws';
    const guest: FakeGuest = {
      osRelease: UBUNTU_16_04,
      kernelRelease: kernel,
      modinfo: modinfoOutput('1.5.0K', kernel),
      ethtool: { eth0: ethtoolOutput('ena', '1.5.0K') },
      interfaces: { eth0: 'ena' },
      sysModuleEna: { version: '1.5.0K' },
      defaultRoute: 'eth0',
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'true',
      DriverLoaded: 'true',
      InterfaceDriver: 'ena',
      DriverVersion: '1.5.0K',
      DriverVersionSource: 'modinfo',
      DriverBuild: 'in-tree',
      KernelRelease: kernel,
      OsId: 'ubuntu',
      OsVersion: '16.04',
      OsName: 'Ubuntu 16.04.7 LTS',
      Errors: '',
    });
  });

  it('records that there is no ENA module at all on a Xen guest using vif', () => {
    // Prepare
    const kernel = '3.10.0-1160.el7.x86_64';
    const guest: FakeGuest = {
      osRelease: RHEL_7,
      kernelRelease: kernel,
      modinfo: 'not-found',
      ethtool: { eth0: ethtoolOutput('vif', '', 'vif-0') },
      interfaces: { eth0: 'vif' },
      defaultRoute: 'eth0',
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'false',
      DriverLoaded: 'false',
      InterfaceDriver: 'vif',
      InterfaceName: 'eth0',
      DriverVersion: '',
      DriverVersionSource: 'none',
      DriverBuild: 'unknown',
      KernelRelease: kernel,
      OsId: 'rhel',
      OsVersion: '7.9',
      OsName: 'Red Hat Enterprise Linux Server 7.9 (Maipo)',
      Errors: '',
    });
  });

  it('records an installed but unused ENA module while the interface uses vif', () => {
    // Prepare
    const guest: FakeGuest = {
      ...outOfTreeGuest,
      ethtool: { eth0: ethtoolOutput('vif', '', 'vif-0') },
      interfaces: { eth0: 'vif' },
      sysModuleEna: undefined,
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'true',
      DriverLoaded: 'false',
      InterfaceDriver: 'vif',
      InterfaceName: 'eth0',
      DriverVersion: '2.8.1g',
      DriverVersionSource: 'modinfo',
      DriverBuild: 'out-of-tree',
      Errors: '',
    });
  });

  it('records a missing ethtool in Errors and still exits 0', () => {
    // Prepare
    const guest: FakeGuest = { ...outOfTreeGuest, ethtool: null };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'true',
      InterfaceDriver: 'ena',
      DriverVersion: '2.8.1g',
      DriverVersionSource: 'modinfo',
      Errors: 'ethtool not found',
    });
  });

  it('falls back to /sys/module/ena/version when modinfo is missing, and says so', () => {
    // Prepare
    const guest: FakeGuest = { ...outOfTreeGuest, modinfo: null };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'true',
      DriverLoaded: 'true',
      DriverVersion: '2.8.1g',
      DriverVersionSource: 'sysfs',
      DriverBuild: 'out-of-tree',
      Errors: 'modinfo not found',
    });
  });

  it('lists every tool it could not find and still writes the item', () => {
    // Prepare
    const guest: FakeGuest = {
      interfaces: { eth0: 'vif' },
      kernelRelease: null,
      modinfo: null,
      ethtool: null,
      defaultRoute: null,
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content).toMatchObject({
      DriverPresent: 'false',
      InterfaceName: 'eth0',
      InterfaceDriver: 'vif',
      KernelRelease: '',
      OsId: '',
      Errors: 'uname not found; os-release not readable; modinfo not found; ip not found; ethtool not found',
    });
  });

  it('escapes quotes, backslashes and control characters so the file stays valid JSON', () => {
    // Prepare
    const guest: FakeGuest = {
      ...outOfTreeGuest,
      osRelease: 'ID=custom\nVERSION_ID="1"\nPRETTY_NAME="Custom \\"Quoted\\" \\\\ Linux\ttabbed\u0007"\n',
    };

    // Act
    const run = runLinuxCollector(script, guest);

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content.OsName).toBe('Custom "Quoted" \\ Linux tabbed');
    expect(run.written?.Content.OsId).toBe('custom');
  });

  it('finds the instance ID with IMDSv2 when Run Command did not set AWS_SSM_INSTANCE_ID', () => {
    // Prepare
    const guest: FakeGuest = { ...outOfTreeGuest, imdsInstanceId: 'i-0fedcba9876543210' };

    // Act
    const run = runLinuxCollector(script, guest, { AWS_SSM_INSTANCE_ID: '' });

    // Assess
    expect(run.exitCode).toBe(0);
    expect(run.written?.Content.DriverVersion).toBe('2.8.1g');
  });

  it('fails, writing nothing, when it cannot find the instance ID', () => {
    // Act
    const run = runLinuxCollector(script, outOfTreeGuest, { AWS_SSM_INSTANCE_ID: '' });

    // Assess
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('cannot determine the instance ID');
    expect(run.written).toBeUndefined();
  });

  it('leaves only the inventory file in the custom folder and prints the same JSON', () => {
    // Act
    const run = runLinuxCollector(script, outOfTreeGuest);

    // Assess
    expect(run.files).toEqual(['EnaGuard-EnaDriver.json']);
    expect(JSON.parse(run.stdout)).toEqual(run.written);
  });

  it.each([
    ['out-of-tree', outOfTreeGuest],
    ['vif', { ...outOfTreeGuest, interfaces: { eth0: 'vif' }, ethtool: { eth0: ethtoolOutput('vif', '', 'vif-0') } }],
    ['no tools', { interfaces: {}, kernelRelease: null, modinfo: null, ethtool: null, defaultRoute: null }],
  ] as const)('writes content the rule can parse (%s)', (_label, guest) => {
    // Act
    const run = runLinuxCollector(script, guest);
    const parsed = parseEnaDriverInventoryEntry(run.written?.Content);

    // Assess
    expect(parsed.ok, parsed.ok ? '' : parsed.message).toBe(true);
    for (const value of Object.values(run.written?.Content ?? {})) expect(typeof value).toBe('string');
  });
});
