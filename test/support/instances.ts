/** Builders for instance facts and SDK-shaped instances used across tests. */
import type { Instance, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { InstanceFacts } from '../../rules/facts.js';

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
    ...overrides,
  };
}

/** An `Instance` as DescribeInstances returns it, with the fields a real response always has. */
export function sdkInstance(index: number, overrides: Partial<Instance> = {}): Instance {
  const id = `i-${index.toString(16).padStart(17, '0')}`;
  return {
    AmiLaunchIndex: 0,
    ImageId: 'ami-0abcdef1234567890',
    InstanceId: id,
    InstanceType: 'm5.large',
    LaunchTime: new Date('2026-06-01T08:30:00Z'),
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: 'eu-west-1a', GroupName: '', Tenancy: 'default' },
    PrivateDnsName: 'ip-10-0-0-1.eu-west-1.compute.internal',
    PrivateIpAddress: '10.0.0.1',
    ProductCodes: [],
    PublicDnsName: '',
    State: { Code: 16, Name: 'running' },
    StateTransitionReason: '',
    SubnetId: 'subnet-0f1e2d3c4b5a69788',
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    Architecture: 'x86_64',
    BlockDeviceMappings: [],
    ClientToken: '',
    EbsOptimized: true,
    EnaSupport: true,
    Hypervisor: 'xen',
    NetworkInterfaces: [],
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: [],
    SourceDestCheck: true,
    Tags: [{ Key: 'Name', Value: `node-${index}` }],
    VirtualizationType: 'hvm',
    ...overrides,
  };
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
