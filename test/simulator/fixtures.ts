/**
 * Fixtures shaped exactly like the EC2 API's output, typed with the SDK's own types. Values follow
 * what `aws ec2 describe-*` prints for such resources; ids are made up.
 */
import type { Image, Instance, InstanceTypeInfo, Reservation } from '@aws-sdk/client-ec2';
import type { AssociationDescription, InstanceInformation } from '@aws-sdk/client-ssm';
import { describedInstance } from '../support/instances.js';
import { AccountModel, type AccountModelOptions, type AccountSnapshot, type GuestSpec, type StepTrace } from '../../src/simulator/index.js';

export const ACCOUNT_ID = '123456789012';
export const START = new Date('2026-03-02T09:00:00.000Z');

function instanceType(type: string, hypervisor: 'nitro' | 'xen', ena: 'unsupported' | 'supported' | 'required', instanceStorage = false): InstanceTypeInfo {
  return {
    InstanceType: type as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: hypervisor === 'nitro',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: instanceStorage ? ['ebs', 'instance-store'] : ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: hypervisor,
    ProcessorInfo: { SupportedArchitectures: ['x86_64'], SustainedClockSpeedInGhz: 3.1 },
    VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1, DefaultThreadsPerCore: 2 },
    MemoryInfo: { SizeInMiB: 8192 },
    InstanceStorageSupported: instanceStorage,
    EbsInfo: { EbsOptimizedSupport: 'default', EncryptionSupport: 'supported', NvmeSupport: hypervisor === 'nitro' ? 'required' : 'unsupported' },
    NetworkInfo: {
      NetworkPerformance: 'Up to 10 Gigabit',
      MaximumNetworkInterfaces: 3,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      Ipv4AddressesPerInterface: 10,
      Ipv6AddressesPerInterface: 10,
      Ipv6Supported: true,
      EnaSupport: ena,
      EfaSupported: false,
      EncryptionInTransitSupported: hypervisor === 'nitro',
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ['cluster', 'partition', 'spread'] },
    HibernationSupported: true,
    BurstablePerformanceSupported: false,
    DedicatedHostsSupported: true,
    AutoRecoverySupported: true,
    SupportedBootModes: ['legacy-bios', 'uefi'],
  };
}

/** m5.large requires ENA, r4.large supports it, c4.large cannot use it, i3.large has instance store. */
export const INSTANCE_TYPES: InstanceTypeInfo[] = [
  instanceType('m5.large', 'nitro', 'required'),
  instanceType('r4.large', 'xen', 'supported'),
  instanceType('c4.large', 'xen', 'unsupported'),
  instanceType('i3.large', 'xen', 'supported', true),
];

/** An instance as DescribeInstances returns it (r4.large, running, ENA off); see test/support/instances.ts. */
export const instance = describedInstance;

/** A reservation as DescribeInstances returns it. */
export function reservation(id: string, instances: Instance[]): Reservation {
  return { ReservationId: id, OwnerId: ACCOUNT_ID, Groups: [], Instances: instances };
}

/** An AMI as DescribeImages returns it. */
export function image(overrides: Partial<Image> & { ImageId: string }): Image {
  return {
    Architecture: 'x86_64',
    CreationDate: '2025-10-01T12:00:00.000Z',
    ImageLocation: `${ACCOUNT_ID}/golden-linux`,
    ImageType: 'machine',
    Public: false,
    OwnerId: ACCOUNT_ID,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    State: 'available',
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, SnapshotId: `snap-${overrides.ImageId.slice(4)}`, VolumeSize: 8, VolumeType: 'gp3', Encrypted: false } }],
    EnaSupport: true,
    Hypervisor: 'xen',
    Name: 'golden-linux',
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SriovNetSupport: 'simple',
    VirtualizationType: 'hvm',
    BootMode: 'legacy-bios',
    ...overrides,
  };
}

/** An SSM managed instance as DescribeInstanceInformation returns it. */
export function instanceInformation(instanceId: string, platform: 'Linux' | 'Windows' = 'Linux'): InstanceInformation {
  return {
    InstanceId: instanceId,
    PingStatus: 'Online',
    LastPingDateTime: new Date('2026-03-02T08:59:00.000Z'),
    AgentVersion: '3.3.1142.0',
    IsLatestVersion: false,
    PlatformType: platform,
    PlatformName: platform === 'Linux' ? 'Amazon Linux' : 'Microsoft Windows Server 2019 Datacenter',
    PlatformVersion: platform === 'Linux' ? '2' : '10.0.17763',
    ResourceType: 'EC2Instance',
    IPAddress: '10.0.1.23',
    ComputerName: 'ip-10-0-1-23.ec2.internal',
  };
}

/** Amazon Linux 2 with the out-of-tree ENA driver. */
export const LINUX_WITH_DRIVER: GuestSpec = {
  osFamily: 'linux',
  osId: 'amzn',
  osVersion: '2',
  osName: 'Amazon Linux',
  kernelRelease: '4.14.355-275.570.amzn2.x86_64',
  enaDriver: { present: true, version: '2.8.1g', source: 'out-of-tree' },
  ssmAgent: true,
  agentVersion: '3.3.1142.0',
};

/** An old CentOS 6 guest whose kernel has no ENA driver. */
export const LINUX_WITHOUT_DRIVER: GuestSpec = {
  osFamily: 'linux',
  osId: 'centos',
  osVersion: '6.10',
  osName: 'CentOS',
  kernelRelease: '2.6.32-754.35.1.el6.x86_64',
  enaDriver: { present: false },
  ssmAgent: true,
  agentVersion: '3.3.1142.0',
};

/** Windows Server 2012 R2 with ENA driver 2.2.3. */
export const WINDOWS_2012_R2: GuestSpec = {
  osFamily: 'windows',
  osId: 'windows',
  osVersion: '2012 R2',
  osName: 'Microsoft Windows Server 2012 R2 Datacenter',
  kernelRelease: '6.3.9600',
  enaDriver: { present: true, version: '2.2.3', source: 'windows' },
  ssmAgent: true,
  agentVersion: '3.3.1142.0',
};

/** A one-instance account: `i-0aaaaaaaaaaaaaaa1` on r4.large, running, ENA off, with the given guest. */
export const INSTANCE_ID = 'i-0aaaaaaaaaaaaaaa1';

export function singleInstanceAccount(
  options: { instance?: Partial<Instance>; guest?: GuestSpec; snapshot?: Partial<AccountSnapshot> } & AccountModelOptions = {},
): AccountModel {
  const { instance: overrides, guest, snapshot, ...modelOptions } = options;
  return AccountModel.fromSnapshot(
    {
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      startTime: START,
      reservations: [reservation('r-0aaaaaaaaaaaaaaa1', [instance({ InstanceId: INSTANCE_ID, ...overrides })])],
      instanceTypes: INSTANCE_TYPES,
      images: [image({ ImageId: 'ami-0abcdef1234567890' })],
      guests: { [INSTANCE_ID]: guest ?? LINUX_WITH_DRIVER },
      ...snapshot,
    },
    modelOptions,
  );
}

/** The id of the inventory association {@link inventoryAssociation} describes. */
export const INVENTORY_ASSOCIATION_ID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

/** An AWS-GatherSoftwareInventory association with custom inventory, targeting every managed instance unless told otherwise. */
export function inventoryAssociation(overrides: Partial<AssociationDescription> = {}): AssociationDescription {
  return {
    AssociationId: INVENTORY_ASSOCIATION_ID,
    AssociationName: 'ena-guard-inventory',
    Name: 'AWS-GatherSoftwareInventory',
    Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
    Parameters: { applications: ['Enabled'], customInventory: ['Enabled'] },
    ScheduleExpression: 'rate(30 minutes)',
    ...overrides,
  };
}

/** Path of a test document. */
export function documentPath(name: string): string {
  return new URL(`./documents/${name}`, import.meta.url).pathname;
}

export const DOCUMENTS_DIR = new URL('./documents/', import.meta.url).pathname;

/** How long a step took, in simulated milliseconds. */
export function durationMs(step: StepTrace | undefined): number {
  if (step === undefined) throw new Error('no such step in the trace');
  return step.endTime.getTime() - step.startTime.getTime();
}
