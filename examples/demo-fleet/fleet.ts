/**
 * The demo fleet, written with the SDK's own output types so every field has the real API's
 * shape. `npm run demo:snapshot` writes it out as the JSON files `aws ec2 describe-* --output json`
 * would print; a test checks that the committed files match this source.
 *
 * A dozen instances covering every situation of the rules: Nitro and Xen types, Linux and
 * Windows, ENA on, off and unset, a type that cannot use ENA, an exempt instance, one shutting
 * down, one terminated, and one of a type the Region does not know. Three are tagged for
 * ena-express-enabled (`ena-guard:ena-express=enabled`): one on an ENA Express type with it on
 * (with a secondary interface that has it off, which the rule ignores), one with it off, and one
 * on a type that cannot use ENA Express.
 */
import { associationSnapshotFiles } from './associations.js';
import { imageSnapshotFiles } from './images.js';
import { inventorySnapshotFiles } from './inventory.js';
import type {
  DescribeInstancesResult,
  DescribeInstanceTypesResult,
  Instance,
  InstanceNetworkInterface,
  InstanceTypeInfo,
  Reservation,
} from '@aws-sdk/client-ec2';

const ACCOUNT = '111122223333';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const SUBNET = 'subnet-0f1e2d3c4b5a69788';
/** A second subnet in the same Availability Zone, for secondary network interfaces. */
const REPLICATION_SUBNET = 'subnet-0f1e2d3c4b5a69799';
const SECURITY_GROUP = { GroupName: 'app', GroupId: 'sg-0123456789abcdef0' };
/** The tag that puts an instance in scope of ena-express-enabled (its default EnaExpressTagKey=EnaExpressTagValue). */
const ENA_EXPRESS_TAG = { 'ena-guard:ena-express': 'enabled' };

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
  /** ENA Express (TCP) on the primary network interface; UDP stays off. Default off. */
  readonly enaExpress?: boolean;
  /** A secondary network interface (device index 1, ENA Express off) in the replication subnet. */
  readonly secondaryInterface?: string;
}

const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 } as const;

/**
 * The instance's network interfaces as DescribeInstances lists them: the primary one (device
 * index 0 on network card 0) created at launch, and an optional secondary one attached later. A
 * terminated instance lists none. Ids share the instance id's digits: eni-0e71… (primary),
 * eni-0e72… (secondary), each 17 hex digits like every EC2 id.
 */
function networkInterfaces(spec: DemoInstance, index: number, ip: string, launched: Date): InstanceNetworkInterface[] {
  if (spec.state === 'terminated') return [];
  const digits = spec.id.slice(6); // c0ffee00000NN: 13 hex digits
  const serial = spec.id.slice(-2);
  const dns = (address: string) => `ip-${address.replaceAll('.', '-')}.eu-west-1.compute.internal`;
  const attached = (
    card: number,
    device: number,
    enaExpress: boolean,
    attachTime: Date,
    deleteOnTermination: boolean,
  ): NonNullable<InstanceNetworkInterface['Attachment']> => ({
    AttachTime: attachTime,
    AttachmentId: `eni-attach-0a7${device + 1}${digits}`,
    DeleteOnTermination: deleteOnTermination,
    DeviceIndex: device,
    Status: 'attached',
    NetworkCardIndex: card,
    EnaSrdSpecification: { EnaSrdEnabled: enaExpress, EnaSrdUdpSpecification: { EnaSrdUdpEnabled: false } },
  });
  const primary: InstanceNetworkInterface = {
    Attachment: attached(0, 0, spec.enaExpress ?? false, launched, true),
    Description: '',
    Groups: [SECURITY_GROUP],
    Ipv6Addresses: [],
    MacAddress: `0a:1c:0f:fe:e0:${serial}`,
    NetworkInterfaceId: `eni-0e71${digits}`,
    OwnerId: ACCOUNT,
    PrivateDnsName: dns(ip),
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dns(ip), PrivateIpAddress: ip }],
    SourceDestCheck: true,
    Status: 'in-use',
    SubnetId: SUBNET,
    VpcId: VPC,
    InterfaceType: 'interface',
  };
  if (spec.secondaryInterface === undefined) return [primary];
  const secondaryIp = `10.20.64.${10 + index}`;
  const secondary: InstanceNetworkInterface = {
    ...primary,
    Attachment: attached(0, 1, false, new Date(launched.getTime() + 15 * 60_000), false),
    Description: spec.secondaryInterface,
    MacAddress: `0a:1c:0f:fe:e1:${serial}`,
    NetworkInterfaceId: `eni-0e72${digits}`,
    PrivateDnsName: dns(secondaryIp),
    PrivateIpAddress: secondaryIp,
    PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dns(secondaryIp), PrivateIpAddress: secondaryIp }],
    SubnetId: REPLICATION_SUBNET,
  };
  return [primary, secondary];
}

function instance(spec: DemoInstance, index: number): Instance {
  const ip = `10.20.${Math.floor(index / 200)}.${10 + (index % 200)}`;
  const running = spec.state === 'running' || spec.state === 'pending';
  const launched = new Date(Date.UTC(2026, 5, 1 + index, 8, 30, 0));
  const base: Instance = {
    AmiLaunchIndex: 0,
    ImageId: spec.image,
    InstanceId: spec.id,
    InstanceType: spec.type as Instance['InstanceType'],
    KeyName: 'platform-team',
    LaunchTime: launched,
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
    NetworkInterfaces: networkInterfaces(spec, index, ip, launched),
    RootDeviceName: spec.windows ? '/dev/sda1' : '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: [SECURITY_GROUP],
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
  { id: 'i-0a11c0ffee0000001', type: 'm5.large', state: 'running', ena: true, image: 'ami-0a3c0ffee00000001', name: 'checkout-api-1', owner: 'payments@example.com', extraTags: ENA_EXPRESS_TAG },
  { id: 'i-0a11c0ffee0000002', type: 'r4.large', state: 'running', ena: true, image: 'ami-0a3c0ffee00000002', name: 'cache-1', owner: 'platform@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000003', type: 'r4.xlarge', state: 'running', ena: false, image: 'ami-0a3c0ffee00000003', name: 'reporting-db', owner: 'data@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000004', type: 'i3.large', state: 'stopped', ena: undefined, image: 'ami-0a3c0ffee00000003', name: 'search-index-old', owner: 'data@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000005', type: 'm5.xlarge', state: 'stopped', ena: false, image: 'ami-0a3c0ffee00000003', name: 'batch-worker-restored', owner: 'data@example.com' },
  { id: 'i-0a11c0ffee0000006', type: 'c4.large', state: 'running', ena: false, image: 'ami-0a3c0ffee00000003', name: 'legacy-ftp', owner: 'platform@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000007', type: 't2.micro', state: 'running', ena: false, image: 'ami-0a3c0ffee00000003', name: 'bastion', owner: 'security@example.com', hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000008', type: 'r4.large', state: 'running', ena: false, image: 'ami-0a3c0ffee00000003', name: 'vendor-appliance', owner: 'platform@example.com', hypervisor: 'xen', extraTags: { 'ena-guard:exempt': 'vendor image certified without ENA until 2027-03' } },
  { id: 'i-0a11c0ffee0000009', type: 'm5.large', state: 'shutting-down', ena: true, image: 'ami-0a3c0ffee00000001', name: 'checkout-api-old', owner: 'payments@example.com' },
  { id: 'i-0a11c0ffee0000010', type: 'm5.large', state: 'terminated', ena: true, image: 'ami-0a3c0ffee00000001', name: 'checkout-api-gone', owner: 'payments@example.com' },
  { id: 'i-0a11c0ffee0000011', type: 'm9z.large', state: 'pending', ena: true, image: 'ami-0a3c0ffee00000001', name: 'preview-type-trial', owner: 'platform@example.com' },
  { id: 'i-0a11c0ffee0000012', type: 'r6in.8xlarge', state: 'running', ena: true, image: 'ami-0a3c0ffee00000012', name: 'sql-replica-1', owner: 'finance@example.com', windows: true, extraTags: ENA_EXPRESS_TAG, enaExpress: false },
  { id: 'i-0a11c0ffee0000013', type: 'r4.2xlarge', state: 'running', ena: false, image: 'ami-0a3c0ffee00000013', name: 'erp-legacy', owner: 'finance@example.com', windows: true, hypervisor: 'xen' },
  { id: 'i-0a11c0ffee0000014', type: 'm6in.16xlarge', state: 'running', ena: true, image: 'ami-0a3c0ffee00000002', name: 'analytics-big', owner: 'data@example.com', extraTags: ENA_EXPRESS_TAG, enaExpress: true, secondaryInterface: 'analytics replication' },
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
  /** `NetworkInfo.EnaSrdSupported`: the type can use ENA Express. */
  readonly enaSrd: boolean;
  /** Network interfaces per network card and IPv4 addresses per interface (default 3 and 10). */
  readonly interfaces?: { readonly max: number; readonly addresses: number };
}

const DEMO_TYPES: readonly DemoType[] = [
  { type: 'm5.large', ena: 'required', hypervisor: 'nitro', vcpus: 2, memoryMiB: 8192, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'm5.xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 4, memoryMiB: 16384, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'm5.2xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 8, memoryMiB: 32768, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'r4.large', ena: 'supported', hypervisor: 'xen', vcpus: 2, memoryMiB: 15616, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'r4.xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 4, memoryMiB: 31232, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'r4.2xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 8, memoryMiB: 62464, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'i3.large', ena: 'supported', hypervisor: 'xen', vcpus: 2, memoryMiB: 15616, network: 'Up to 10 Gigabit', current: true, enaSrd: false },
  { type: 'm4.16xlarge', ena: 'supported', hypervisor: 'xen', vcpus: 64, memoryMiB: 262144, network: '25 Gigabit', current: true, enaSrd: false },
  { type: 'c4.large', ena: 'unsupported', hypervisor: 'xen', vcpus: 2, memoryMiB: 3840, network: 'Moderate', current: false, enaSrd: false },
  { type: 't2.micro', ena: 'unsupported', hypervisor: 'xen', vcpus: 1, memoryMiB: 1024, network: 'Low to Moderate', current: true, enaSrd: false },
  { type: 'm6in.16xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 64, memoryMiB: 262144, network: '100 Gigabit', current: true, enaSrd: true, interfaces: { max: 15, addresses: 50 } },
  { type: 'r6in.8xlarge', ena: 'required', hypervisor: 'nitro', vcpus: 32, memoryMiB: 262144, network: '50 Gigabit', current: true, enaSrd: true, interfaces: { max: 8, addresses: 30 } },
];

function instanceType(spec: DemoType): InstanceTypeInfo {
  const interfaces = spec.interfaces ?? { max: 3, addresses: 10 };
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
      MaximumNetworkInterfaces: interfaces.max,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: spec.network, MaximumNetworkInterfaces: interfaces.max }],
      Ipv4AddressesPerInterface: interfaces.addresses,
      Ipv6AddressesPerInterface: interfaces.addresses,
      Ipv6Supported: true,
      EnaSupport: spec.ena,
      EfaSupported: false,
      EncryptionInTransitSupported: spec.hypervisor === 'nitro',
      EnaSrdSupported: spec.enaSrd,
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
    ...associationSnapshotFiles(json),
  };
}
