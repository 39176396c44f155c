/** Builders for instance facts and SDK-shaped instances used across tests. */
import type { Instance, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { InstanceFacts } from '../../rules/facts.js';

/** The day (UTC) on which the facts the builders make were read: exemption expiries are compared with it. */
export const OBSERVED_ON = '2026-11-20';
/** A time on {@link OBSERVED_ON}, for readers and binders that take a clock. */
export const OBSERVED_AT = new Date(`${OBSERVED_ON}T12:00:00Z`);
/** A clock stopped at {@link OBSERVED_AT}. */
export const fixedClock = (): Date => OBSERVED_AT;

export function instanceFacts(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm5.large',
    state: 'running',
    enaSupport: true,
    rootDeviceType: 'ebs',
    platform: 'linux',
    virtualizationType: 'hvm',
    instanceLifecycle: undefined,
    imageId: 'ami-0abcdef1234567890',
    tags: {},
    observedOn: OBSERVED_ON,
    networkInterfaces: [{ networkInterfaceId: 'eni-0123456789abcdef0', deviceIndex: 0, networkCardIndex: 0, enaSrdEnabled: false }],
    ...overrides,
  };
}

/**
 * An instance as DescribeInstances returns it, with every field a real response has (r4.large,
 * running, ENA off by default); `overrides` change what a test is about.
 */
export function describedInstance(overrides: Partial<Instance> & { InstanceId: string }): Instance {
  const running = (overrides.State?.Name ?? 'running') === 'running';
  return {
    AmiLaunchIndex: 0,
    ImageId: 'ami-0abcdef1234567890',
    InstanceType: 'r4.large',
    KeyName: 'ops',
    LaunchTime: new Date('2025-11-20T08:15:00.000Z'),
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: 'us-east-1a', GroupName: '', Tenancy: 'default' },
    PrivateDnsName: 'ip-10-0-1-23.ec2.internal',
    PrivateIpAddress: '10.0.1.23',
    ProductCodes: [],
    PublicDnsName: '',
    State: { Code: 16, Name: 'running' },
    StateTransitionReason: '',
    SubnetId: 'subnet-0123456789abcdef0',
    VpcId: 'vpc-0123456789abcdef0',
    Architecture: 'x86_64',
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { AttachTime: new Date('2025-11-20T08:15:01.000Z'), DeleteOnTermination: true, Status: 'attached', VolumeId: `vol-${overrides.InstanceId.slice(2)}` } },
    ],
    ClientToken: '',
    EbsOptimized: false,
    EnaSupport: false,
    Hypervisor: 'xen',
    NetworkInterfaces: [],
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: [{ GroupName: 'default', GroupId: 'sg-0123456789abcdef0' }],
    SourceDestCheck: true,
    Tags: [{ Key: 'Name', Value: 'app-server' }],
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: 1, ThreadsPerCore: 2 },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: false },
    MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
    EnclaveOptions: { Enabled: false },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    UsageOperationUpdateTime: new Date('2025-11-20T08:15:00.000Z'),
    MaintenanceOptions: { AutoRecovery: 'default' },
    CurrentInstanceBootMode: 'legacy-bios',
    ...(running ? {} : { StateTransitionReason: 'User initiated (2026-03-01 10:00:00 GMT)' }),
    ...overrides,
  };
}

/** The `index`-th instance of a generated fleet: m5.large with ENA on, named node-<index>. */
export function sdkInstance(index: number, overrides: Partial<Instance> = {}): Instance {
  return describedInstance({
    InstanceId: `i-${index.toString(16).padStart(17, '0')}`,
    InstanceType: 'm5.large',
    EnaSupport: true,
    Tags: [{ Key: 'Name', Value: `node-${index}` }],
    ...overrides,
  });
}

export function sdkInstanceType(type: string, enaSupport: 'unsupported' | 'supported' | 'required'): InstanceTypeInfo {
  return {
    InstanceType: type as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: true,
    Hypervisor: enaSupport === 'required' ? 'nitro' : 'xen',
    SupportedRootDeviceTypes: ['ebs'],
    NetworkInfo: { NetworkPerformance: 'Up to 10 Gigabit', MaximumNetworkInterfaces: 3, EnaSupport: enaSupport, Ipv6Supported: true },
  };
}
