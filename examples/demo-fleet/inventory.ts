/**
 * Systems Manager's view of the demo fleet, typed with the SDK's output types: which instances are
 * managed (`aws ssm describe-instance-information`) and the `Custom:EnaDriver` item each one
 * reported (`aws ssm list-inventory-entries --type-name Custom:EnaDriver`, one file per instance).
 */
import type { DescribeInstanceInformationResult, InstanceInformation, ListInventoryEntriesResult } from '@aws-sdk/client-ssm';
import type { EnaDriverInventoryField } from '../../rules/inventory.js';

type Entry = Record<EnaDriverInventoryField, string>;

interface Guest {
  readonly instanceId: string;
  readonly platform: Pick<InstanceInformation, 'PlatformType' | 'PlatformName' | 'PlatformVersion'>;
  /** undefined: managed, but the collector has not reported yet. */
  readonly entry?: Entry;
}

const COLLECTED_AT = '2026-11-22T03:10:00Z';

function linux(overrides: Partial<Entry>): Entry {
  return {
    DriverPresent: 'true', DriverLoaded: 'true', InterfaceDriver: 'ena', InterfaceName: 'eth0',
    DriverVersion: '', DriverVersionSource: 'none', DriverBuild: 'unknown', KernelRelease: '',
    OsFamily: 'linux', OsId: '', OsIdLike: '', OsVersion: '', OsName: '', CollectedAt: COLLECTED_AT, CollectorVersion: '1', Errors: '',
    ...overrides,
  };
}

function windows(driverVersion: string, osName: string, osVersion: string): Entry {
  return {
    DriverPresent: 'true', DriverLoaded: 'true', InterfaceDriver: 'ena', InterfaceName: 'Ethernet',
    DriverVersion: driverVersion, DriverVersionSource: 'windows-adapter', DriverBuild: 'windows', KernelRelease: '',
    OsFamily: 'windows', OsId: 'windows', OsIdLike: '', OsVersion: osVersion, OsName: osName, CollectedAt: COLLECTED_AT, CollectorVersion: '1', Errors: '',
  };
}

export const DEMO_GUESTS: readonly Guest[] = [
  {
    instanceId: 'i-0a11c0ffee0000001',
    platform: { PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2023' },
    entry: linux({ DriverVersion: '6.1.112-124.190.amzn2023.x86_64', DriverVersionSource: 'ethtool', DriverBuild: 'in-tree', KernelRelease: '6.1.112-124.190.amzn2023.x86_64', InterfaceName: 'ens5', OsId: 'amzn', OsVersion: '2023', OsName: 'Amazon Linux 2023.6.20241111' }),
  },
  {
    instanceId: 'i-0a11c0ffee0000002',
    platform: { PlatformType: 'Linux', PlatformName: 'Ubuntu', PlatformVersion: '20.04' },
    entry: linux({ DriverVersion: '5.4.0-1018-aws', DriverVersionSource: 'ethtool', DriverBuild: 'in-tree', KernelRelease: '5.4.0-1018-aws', OsId: 'ubuntu', OsVersion: '20.04', OsName: 'Ubuntu 20.04.1 LTS' }),
  },
  {
    instanceId: 'i-0a11c0ffee0000003',
    platform: { PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2' },
    entry: linux({ DriverLoaded: 'false', InterfaceDriver: 'vif', DriverVersion: '2.1.3g', DriverVersionSource: 'modinfo', DriverBuild: 'out-of-tree', KernelRelease: '4.14.133-113.105.amzn2.x86_64', OsId: 'amzn', OsVersion: '2', OsName: 'Amazon Linux 2' }),
  },
  { instanceId: 'i-0a11c0ffee0000004', platform: { PlatformType: 'Linux', PlatformName: 'Red Hat Enterprise Linux', PlatformVersion: '8.2' } },
  {
    instanceId: 'i-0a11c0ffee0000005',
    platform: { PlatformType: 'Linux', PlatformName: 'CentOS Linux', PlatformVersion: '7' },
    entry: linux({ DriverPresent: 'false', DriverLoaded: 'false', InterfaceDriver: 'vif', KernelRelease: '3.10.0-1160.el7.x86_64', OsId: 'centos', OsVersion: '7', OsName: 'CentOS Linux 7 (Core)', Errors: 'modinfo: module ena not found' }),
  },
  {
    instanceId: 'i-0a11c0ffee0000012',
    platform: { PlatformType: 'Windows', PlatformName: 'Microsoft Windows Server 2022 Datacenter', PlatformVersion: '10.0.20348' },
    entry: windows('2.11.0', 'Microsoft Windows Server 2022 Datacenter', '10.0.20348'),
  },
  {
    instanceId: 'i-0a11c0ffee0000013',
    platform: { PlatformType: 'Windows', PlatformName: 'Microsoft Windows Server 2012 R2 Standard', PlatformVersion: '6.3.9600' },
    entry: windows('2.5.0', 'Microsoft Windows Server 2012 R2 Standard', '6.3.9600'),
  },
];

export function describeInstanceInformation(): DescribeInstanceInformationResult {
  return {
    InstanceInformationList: DEMO_GUESTS.map((guest, index) => ({
      InstanceId: guest.instanceId,
      PingStatus: 'Online',
      LastPingDateTime: new Date(Date.UTC(2026, 10, 22, 9, index, 0)),
      AgentVersion: '3.3.1142.0',
      IsLatestVersion: false,
      ...guest.platform,
      ResourceType: 'EC2Instance',
      IPAddress: `10.20.0.${10 + index}`,
      ComputerName: `ip-10-20-0-${10 + index}.eu-west-1.compute.internal`,
      AssociationStatus: 'Success',
      LastAssociationExecutionDate: new Date(Date.UTC(2026, 10, 22, 3, 10, 0)),
      LastSuccessfulAssociationExecutionDate: new Date(Date.UTC(2026, 10, 22, 3, 10, 0)),
      SourceId: guest.instanceId,
      SourceType: 'AWS::EC2::Instance',
    })),
  };
}

export function listInventoryEntries(guest: Guest): ListInventoryEntriesResult {
  return {
    TypeName: 'Custom:EnaDriver',
    InstanceId: guest.instanceId,
    SchemaVersion: '1.0',
    CaptureTime: '2026-11-22T03:10:12Z',
    Entries: guest.entry ? [guest.entry] : [],
  };
}

/** File name → content for the SSM part of the demo snapshot. */
export function inventorySnapshotFiles(json: (value: unknown) => string): Record<string, string> {
  const files: Record<string, string> = { 'describe-instance-information.json': json(describeInstanceInformation()) };
  for (const guest of DEMO_GUESTS.filter((candidate) => candidate.entry)) {
    files[`inventory/${guest.instanceId}.json`] = json(listInventoryEntries(guest));
  }
  return files;
}
