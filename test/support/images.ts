/** Builders for AMI and launch-template facts, and SDK-shaped images and templates, used across tests. */
import type { Image, LaunchTemplate, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { ImageFacts, LaunchTemplateFacts } from '../../rules/image-facts.js';
import { OBSERVED_ON } from './instances.js';

export const ACCOUNT_ID = '123456789012';

/** `ami-` and 17 hex digits, as EC2 spells AMI ids. */
export function amiId(index: number): string {
  return `ami-${index.toString(16).padStart(17, '0')}`;
}

export function imageFacts(overrides: Partial<ImageFacts> = {}): ImageFacts {
  return {
    imageId: amiId(1),
    name: 'golden-al2023-2026.11.01',
    ownerId: ACCOUNT_ID,
    creationDate: '2026-11-01T10:00:00.000Z',
    deprecationTime: undefined,
    deprecated: false,
    state: 'available',
    enaSupport: true,
    virtualizationType: 'hvm',
    rootDeviceType: 'ebs',
    platform: 'linux',
    tags: {},
    observedOn: OBSERVED_ON,
    ...overrides,
  };
}

export function templateFacts(overrides: Partial<LaunchTemplateFacts> = {}): LaunchTemplateFacts {
  return {
    launchTemplateId: 'lt-0123456789abcdef0',
    launchTemplateName: 'web',
    defaultVersion: 1,
    image: { kind: 'id', imageId: amiId(1) },
    tags: {},
    observedOn: OBSERVED_ON,
    ...overrides,
  };
}

/** An `Image` as DescribeImages returns it, with the fields a real response always has. */
export function sdkImage(index: number, overrides: Partial<Image> = {}): Image {
  return {
    Architecture: 'x86_64',
    CreationDate: new Date(Date.UTC(2026, 0, 1) + index * 3_600_000).toISOString(),
    ImageId: amiId(index),
    ImageLocation: `${ACCOUNT_ID}/image-${index}`,
    ImageType: 'machine',
    Public: false,
    OwnerId: ACCOUNT_ID,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    State: 'available',
    BlockDeviceMappings: [
      { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, SnapshotId: `snap-${index.toString(16).padStart(17, '0')}`, VolumeSize: 8, VolumeType: 'gp3', Encrypted: false } },
    ],
    EnaSupport: true,
    Hypervisor: 'xen',
    Name: `image-${index}`,
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SriovNetSupport: 'simple',
    VirtualizationType: 'hvm',
    BootMode: 'uefi-preferred',
    ImdsSupport: 'v2.0',
    ...overrides,
  };
}

/** A launch template as DescribeLaunchTemplates returns it. */
export function sdkLaunchTemplate(id: string, name: string, overrides: Partial<LaunchTemplate> = {}): LaunchTemplate {
  return {
    LaunchTemplateId: id,
    LaunchTemplateName: name,
    CreateTime: new Date('2026-06-01T08:00:00Z'),
    CreatedBy: `arn:aws:iam::${ACCOUNT_ID}:role/platform`,
    DefaultVersionNumber: 1,
    LatestVersionNumber: 1,
    ...overrides,
  };
}

/** A default launch template version as DescribeLaunchTemplateVersions returns it. */
export function sdkTemplateVersion(id: string, name: string, imageId: string | undefined, version = 1): LaunchTemplateVersion {
  return {
    LaunchTemplateId: id,
    LaunchTemplateName: name,
    VersionNumber: version,
    CreateTime: new Date('2026-06-01T08:00:00Z'),
    CreatedBy: `arn:aws:iam::${ACCOUNT_ID}:role/platform`,
    DefaultVersion: true,
    LaunchTemplateData: {
      ...(imageId === undefined ? {} : { ImageId: imageId }),
      InstanceType: 'm5.large',
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    },
  };
}
