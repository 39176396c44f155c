/**
 * The demo fleet, written with the SDK's own output types so every field has the real API's
 * shape. `npm run demo:snapshot` writes it out as the JSON files `aws ec2 describe-* --output json`
 * would print; a test checks that the committed files match this source.
 *
 * A dozen instances covering every situation of the rules: Nitro and Xen types, Linux and
 * Windows, ENA on, off and unset, a type that cannot use ENA, an exempt instance, one shutting
 * down, one terminated, and one of a type the Region does not know.
 */
import { imageSnapshotFiles } from './images.js';
import { inventorySnapshotFiles } from './inventory.js';
import type { DescribeInstancesResult, DescribeInstanceTypesResult, Instance, InstanceTypeInfo, Reservation } from '@aws-sdk/client-ec2';

const ACCOUNT = '111122223333';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const SUBNET = 'subnet-0f1e2d3c4b5a69788';

interface DemoInstance {
  readonly id: string;
  readonly type: string;
  readonly state: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
  readonly ena: boolean | undefined;
  readonly image: string;
  readonly name: string;
  readonly owner: string;
  readonly windows?: boolean;
  readonly hypervisor?: 'xen' | 'nitro';
  readonly extraTags?: Record<string, string>;
}

const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;

function instance(spec: DemoInstance, index: number): Instance {
  const ip = `10.20.${Math.floor(index / 200)}.${10 + (index % 200)}`;
  const running = spec.state === 'running' || spec.state === 'pending';
  const base: Instance = {
    AmiLaunchIndex: 0,
    ImageId: spec.image,
    InstanceId: spec.id,
    InstanceType: spec.type as Instance['InstanceType'],
    KeyName: 'platform-team',
    LaunchTime: new Date(Date.UTC(2026, 5, 1 + index, 8, 30, 0)),
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: 'eu-west-1a', GroupName: '', Tenancy: 'default' },
    PrivateDnsName: `ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal`,
    PrivateIpAddress: ip,
    ProductCodes: [],
    PublicDnsName: '',
    State: { Code: STATE_CODES[spec.state], Name: spec.state },
    StateTransitionReason: running ? '' : `User initiated (2026-11-0${(index % 9) + 1} 09:00:00 GMT)`,
    SubnetId: SUBNET,
    VpcId: VPC,
    Architecture: 'x86_64',
    BlockDeviceMappings: [
      {
        DeviceName: spec.windows ? '/dev/sda1' : '/dev/xvda',
        Ebs: {
          AttachTime: new Date(Date.UTC(2026, 5, 1 + index, 8, 30, 1)),
          DeleteOnTermination: true,
          Status: 'attached',
          VolumeId: `vol-0${spec.id.slice(3)}`,
        },
      },
    ],
    ClientToken: '',
    EbsOptimized: spec.hypervisor !== 'xen',
    Hypervisor: 'xen',
    NetworkInterfaces: [],
    RootDeviceName: spec.windows ? '/dev/sda1' : '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: [{ GroupName: 'app', GroupId: 'sg-0123456789abcdef0' }],
    SourceDestCheck: true,
    Tags: [
      { Key: 'Name', Value: spec.name },
      { Key: 'Owner', Value: spec.owner },
      ...Object.entries(spec.extraTags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    ],
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: 1, ThreadsPerCore: 2 },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: false },
    MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
    EnclaveOptions: { Enabled: false },
    PlatformDetails: spec.windows ? 'Windows' : 'Linux/UNIX',
    UsageOperation: spec.windows ? 'RunInstances:0002' : 'RunInstances',
    UsageOperationUpdateTime: new Date(Date.UTC(2026, 5, 1 + index, 8, 30, 0)),
    CurrentInstanceBootMode: 'legacy-bios',
    ...(spec.windows ? { Platform: 'windows' as Instance['Platform'] } : {}),
    ...(spec.ena === undefined ? {} : { EnaSupport: spec.ena }),
  };
  return base;
}

export const DEMO_INSTANCES: readonly DemoInstance[] = [
  { id: 'i-0a11c0ffee0000001', type: 'm5.large', state: 'running', ena: true, image: 'ami-0al2023ena000001', name: 'checkout-api-1', owner: 'payments@example.com' },
  { id: 'i-0a11c0ffee0000002', type: 'r4.large', state: 'running', ena: true, image: 'ami-0al2ena00000002', name: 'cache-1', owner: 'platform@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000003', type: 'r4.xlarge', state: 'running', ena: false, image: 'ami-0legacy000000003', name: 'reporting-db', owner: 'data@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000004', type: 'i3.large', state: 'stopped', ena: undefined, image: 'ami-0legacy000000003', name: 'search-index-old', owner: 'data@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000005', type: 'm5.xlarge', state: 'stopped', ena: false, image: 'ami-0legacy000000003', name: 'batch-worker-restored', owner: 'data@example.com' },
  { id: 'i-0a11c0ffee0000006', type: 'c4.large', state: 'running', ena: false, image: 'ami-0legacy000000003', name: 'legacy-ftp', owner: 'platform@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000007', type: 't2.micro', state: 'running', ena: false, image: 'ami-0legacy000000003', name: 'bastion', owner: 'security@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000008', type: 'r4.large', state: 'running', ena: false, image: 'ami-0legacy000000003', name: 'vendor-appliance', owner: 'platform@example.com', hypervisor: 'xen', extraTags: { 'ena-guard:exempt': 'vendor image certified without ENA until 2027-03' } },
  { id: 'i-0a11c0ffee0000009', type: 'm5.large', state: 'shutting-down', ena: true, image: 'ami-0al2023ena000001', name: 'checkout-api-old', owner: 'payments@example.com' },
  { id: 'i-0a11c0ffee0000010', type: 'm5.large', state: 'terminated', ena: true, image: 'ami-0al2023ena000001', name: 'checkout-api-gone', owner: 'payments@example.com' },
  { id: 'i-0a11c0ffee0000011', type: 'm9z.large', state: 'pending', ena: true, image: 'ami-0al2023ena000001', name: 'preview-type-trial', owner: 'platform@example.com' },
  { id: 'i-0a11c0ffee0000012', type: 'm5.2xlarge', state: 'running', ena: true, image: 'ami-0win2022ena00012', name: 'ad-connector', owner: 'identity@example.com', windows: true },
  { id: 'i-0a11c0ffee0000013', type: 'r4.2xlarge', state: 'running', ena: false, image: 'ami-0win2012r2old013', name: 'erp-legacy', owner: 'finance@example.com', windows: true, hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000014', type: 'm4.16xlarge', state: 'running', ena: true, image: 'ami-0al2ena00000002', name: 'analytics-big', owner: 'data@example.com', hypervisor: 'xen' },
];

export function describeInstances(): DescribeInstancesResult {
  const reservations: Reservation[] = DEMO_INSTANCES.map((spec, index) => ({
    ReservationId: `r-0${spec.id.slice(5)}`,
    OwnerId: ACCOUNT,
    Groups: [],
    Instances: [instance(spec, index)],
  }));
  return { Reservations: reservations };
}

interface DemoType {
  readonly type: string;
  readonly ena: 'unsupported' | 'supported' | 'required';
  readonly hypervisor: 'xen' | 'nitro';
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly network: string;
  readonly current: boolean;
}

const DEMO_TYPES: readonly DemoType[] = [
  { type: 'm5.large', ena: 'required', hypervisor: 'nitro', vcpus: 2, memoryMiB: 8192, network: 'Up to 10 Gigabit', current: true },
  { type: 'm5.xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 4, memoryMiB: 16384, network: 'Up to 10 Gigabit', current: true },
  { type: 'm5.2xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 8, memoryMiB: 32768, network: 'Up to 10 Gigabit', current: true },
  { type: 'r4.large', ena: 'supported', hypervisor: 'xen', vcpus: 2, memoryMiB: 15616, network: 'Up to 10 Gigabit', current: true },
  { type: 'r4.xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 4, memoryMiB: 31232, network: 'Up to 10 Gigabit', current: true },
  { type: 'r4.2xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 8, memoryMiB: 62464, network: 'Up to 10 Gigabit', current: true },
  { type: 'i3.large', ena: 'supported', hypervisor: 'xen', vcpus: 2, memoryMiB: 15616, network: 'Up to 10 Gigabit', current: true },
  { type: 'm4.16xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 64, memoryMiB: 262144, network: '25 Gigabit', current: true },
  { type: 'c4.large', ena: 'unsupported', hypervisor: 'xen', vcpus: 2, memoryMiB: 3840, network: 'Moderate', current: false },
  { type: 't2.micro', ena: 'unsupported', hypervisor: 'xen', vcpus: 1, memoryMiB: 1024, network: 'Low to Moderate', current: true },
];

function instanceType(spec: DemoType): InstanceTypeInfo {
  return {
    InstanceType: spec.type as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: spec.current,
    FreeTierEligible: spec.type === 't2.micro',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: spec.hypervisor,
    ProcessorInfo: { SupportedArchitectures: ['x86_64'], SustainedClockSpeedInGhz: 2.5, Manufacturer: 'Intel' },
    VCpuInfo: { DefaultVCpus: spec.vcpus, DefaultCores: Math.max(1, spec.vcpus / 2), DefaultThreadsPerCore: spec.vcpus > 1 ? 2 : 1 },
    MemoryInfo: { SizeInMiB: spec.memoryMiB },
    InstanceStorageSupported: spec.type.startsWith('i3'),
    EbsInfo: { EbsOptimizedSupport: spec.hypervisor === 'nitro' ? 'default' : 'supported', EncryptionSupport: 'supported', NvmeSupport: spec.hypervisor === 'nitro' ? 'required' : 'unsupported' },
    NetworkInfo: {
      NetworkPerformance: spec.network,
      MaximumNetworkInterfaces: 3,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: spec.network, MaximumNetworkInterfaces: 3 }],
      Ipv4AddressesPerInterface: 10,
      Ipv6AddressesPerInterface: 10,
      Ipv6Supported: true,
      EnaSupport: spec.ena,
      EfaSupported: false,
      EncryptionInTransitSupported: spec.hypervisor === 'nitro',
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ['cluster', 'partition', 'spread'] },
    HibernationSupported: true,
    BurstablePerformanceSupported: spec.type.startsWith('t'),
    DedicatedHostsSupported: !spec.type.startsWith('t'),
    AutoRecoverySupported: true,
    SupportedBootModes: ['legacy-bios'],
  };
}

export function describeInstanceTypes(): DescribeInstanceTypesResult {
  return { InstanceTypes: DEMO_TYPES.map(instanceType) };
}

/** File name → content, as the AWS CLI would print it (4-space JSON, trailing newline). */
export function demoSnapshotFiles(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 4)}\n`;
  return {
    'describe-instances.json': json(describeInstances()),
    'describe-instance-types.json': json(describeInstanceTypes()),
    ...inventorySnapshotFiles(json),
    ...imageSnapshotFiles(json),
  };
}
