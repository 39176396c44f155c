/**
 * The demo fleet's AMIs and launch templates, typed with the SDK's output types, as the AWS CLI
 * prints them (`npm run demo:snapshot` writes the files; a test checks they match this source):
 *
 *   describe-images.json                    aws ec2 describe-images --owners self
 *   describe-referenced-images.json         aws ec2 describe-images --include-deprecated --include-disabled
 *                                               --filters Name=image-id,Values=<AMIs the templates name>
 *   describe-launch-templates.json          aws ec2 describe-launch-templates
 *   describe-launch-template-versions.json  aws ec2 describe-launch-template-versions --versions '$Default'
 *   get-parameters.json                     aws ssm get-parameters --names /ena-guard/demo/golden-al2023
 *
 * The versions are exported *without* --resolve-alias, so that the demo shows a `resolve:ssm:`
 * AMI resolved from get-parameters.json.
 *
 * Situations: ENA AMIs (the golden images the demo instances run), a non-ENA AMI used by a
 * template, a paravirtual AMI, an exempt AMI, deprecated AMIs with and without ENA, a public AMI
 * of another account, a template with no AMI, an exempt template, a template whose AMI is gone,
 * and a template whose AMI is a `resolve:ssm:` parameter.
 */
import type {
  DescribeImagesResult,
  DescribeLaunchTemplatesResult,
  DescribeLaunchTemplateVersionsResult,
  Image,
  LaunchTemplate,
  LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import type { GetParametersResult } from '@aws-sdk/client-ssm';

const ACCOUNT = '111122223333';
const AMAZON = '137112412989';
const EXEMPT_TAG = 'ena-guard:exempt';
const GOLDEN_PARAMETER = '/ena-guard/demo/golden-al2023';

interface DemoImage {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly ena: boolean;
  readonly owner?: string;
  readonly windows?: boolean;
  readonly paravirtual?: boolean;
  readonly deprecated?: string;
  readonly tags?: Record<string, string>;
}

/**
 * AMIs the demo account owns; the first five are the ones the demo instances run. Every id is a
 * valid EC2 id (`ami-` + 17 hex digits), so the runbooks' parameter patterns accept them.
 */
const OWNED: readonly DemoImage[] = [
  { id: 'ami-0a3c0ffee00000001', name: 'golden-al2023-2026.11.01', created: '2026-11-01T09:12:44.000Z', ena: true },
  { id: 'ami-0a3c0ffee00000002', name: 'golden-al2-2026.10.05', created: '2026-10-05T09:02:10.000Z', ena: true },
  { id: 'ami-0a3c0ffee00000003', name: 'legacy-centos6-2019.04', created: '2019-04-18T14:31:07.000Z', ena: false },
  { id: 'ami-0a3c0ffee00000012', name: 'windows-2022-base-2026.11', created: '2026-11-12T02:40:51.000Z', ena: true, windows: true },
  { id: 'ami-0a3c0ffee00000013', name: 'windows-2012r2-erp-2018.09', created: '2018-09-03T11:20:00.000Z', ena: false, windows: true, deprecated: '2026-06-30T00:00:00.000Z' },
  { id: 'ami-0a3c0ffee00000021', name: 'legacy-ftp-pv-2013.02', created: '2013-02-11T08:00:00.000Z', ena: false, paravirtual: true },
  { id: 'ami-0a3c0ffee00000022', name: 'vendor-waf-appliance-7.4', created: '2025-03-20T16:45:00.000Z', ena: false, tags: { [EXEMPT_TAG]: 'vendor certifies ENA from release 8 (2027-03)' } },
  { id: 'ami-0a3c0ffee00000023', name: 'golden-al2023-2026.05.01', created: '2026-05-01T09:10:00.000Z', ena: true, deprecated: '2026-11-01T00:00:00.000Z' },
];

/** AMIs of other accounts that templates name (public or shared). */
const REFERENCED: readonly DemoImage[] = [
  { id: 'ami-0a3c0ffee00000031', name: 'al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64', created: '2026-11-10T22:05:33.000Z', ena: true, owner: AMAZON },
];

function image(spec: DemoImage): Image {
  const owner = spec.owner ?? ACCOUNT;
  const root = spec.windows ? '/dev/sda1' : '/dev/xvda';
  return {
    Architecture: 'x86_64',
    CreationDate: spec.created,
    ImageId: spec.id,
    ImageLocation: `${spec.owner === AMAZON ? 'amazon' : owner}/${spec.name}`,
    ImageType: 'machine',
    Public: spec.owner === AMAZON,
    OwnerId: owner,
    PlatformDetails: spec.windows ? 'Windows' : 'Linux/UNIX',
    UsageOperation: spec.windows ? 'RunInstances:0002' : 'RunInstances',
    State: 'available',
    BlockDeviceMappings: spec.paravirtual
      ? [{ DeviceName: '/dev/sda1', VirtualName: 'ephemeral0' }]
      : [{ DeviceName: root, Ebs: { DeleteOnTermination: true, SnapshotId: `snap-${spec.id.slice(4)}`, VolumeSize: spec.windows ? 30 : 8, VolumeType: 'gp3', Encrypted: false } }],
    Description: spec.name,
    EnaSupport: spec.ena,
    Hypervisor: 'xen',
    Name: spec.name,
    RootDeviceName: spec.paravirtual ? '/dev/sda1' : root,
    RootDeviceType: spec.paravirtual ? 'instance-store' : 'ebs',
    SriovNetSupport: 'simple',
    VirtualizationType: spec.paravirtual ? 'paravirtual' : 'hvm',
    ...(spec.owner === AMAZON ? { ImageOwnerAlias: 'amazon', BootMode: 'uefi-preferred' as const, ImdsSupport: 'v2.0' as const } : {}),
    ...(spec.windows ? { Platform: 'windows' as Image['Platform'] } : {}),
    ...(spec.deprecated ? { DeprecationTime: spec.deprecated } : {}),
    ...(spec.tags ? { Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

interface DemoTemplate {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** An AMI id, `resolve:ssm:<parameter>`, or undefined for a template that names no AMI. */
  readonly imageId: string | undefined;
  readonly instanceType: string;
  readonly owner: string;
  readonly tags?: Record<string, string>;
}

export const DEMO_LAUNCH_TEMPLATES: readonly DemoTemplate[] = [
  { id: 'lt-0a1b2c3d4e5f60701', name: 'checkout-api', version: 7, imageId: 'ami-0a3c0ffee00000001', instanceType: 'm5.large', owner: 'payments@example.com' },
  { id: 'lt-0a1b2c3d4e5f60702', name: 'reporting-db', version: 3, imageId: 'ami-0a3c0ffee00000003', instanceType: 'r4.xlarge', owner: 'data@example.com' },
  { id: 'lt-0a1b2c3d4e5f60703', name: 'legacy-ftp', version: 1, imageId: 'ami-0a3c0ffee00000021', instanceType: 'm3.medium', owner: 'platform@example.com' },
  { id: 'lt-0a1b2c3d4e5f60704', name: 'vendor-waf', version: 2, imageId: 'ami-0a3c0ffee00000022', instanceType: 'r4.large', owner: 'platform@example.com', tags: { [EXEMPT_TAG]: 'vendor certifies ENA from release 8 (2027-03)' } },
  { id: 'lt-0a1b2c3d4e5f60705', name: 'batch-2019', version: 12, imageId: 'ami-0a3c0ffee00000099', instanceType: 'c5.xlarge', owner: 'data@example.com' },
  { id: 'lt-0a1b2c3d4e5f60706', name: 'eks-nodes', version: 4, imageId: undefined, instanceType: 'm5.2xlarge', owner: 'platform@example.com' },
  { id: 'lt-0a1b2c3d4e5f60707', name: 'web-golden', version: 9, imageId: `resolve:ssm:${GOLDEN_PARAMETER}`, instanceType: 'm5.large', owner: 'web@example.com' },
  { id: 'lt-0a1b2c3d4e5f60708', name: 'erp-legacy', version: 2, imageId: 'ami-0a3c0ffee00000013', instanceType: 'r4.2xlarge', owner: 'finance@example.com' },
  { id: 'lt-0a1b2c3d4e5f60709', name: 'sandbox-al2023', version: 1, imageId: 'ami-0a3c0ffee00000031', instanceType: 't3.micro', owner: 'platform@example.com' },
];

function created(index: number): Date {
  return new Date(Date.UTC(2026, 3, 1 + index, 9, 0, 0));
}

function launchTemplate(spec: DemoTemplate, index: number): LaunchTemplate {
  return {
    LaunchTemplateId: spec.id,
    LaunchTemplateName: spec.name,
    CreateTime: created(index),
    CreatedBy: `arn:aws:iam::${ACCOUNT}:role/platform-pipeline`,
    DefaultVersionNumber: spec.version,
    LatestVersionNumber: spec.version,
    Tags: [{ Key: 'Owner', Value: spec.owner }, ...Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))],
  };
}

function defaultVersion(spec: DemoTemplate, index: number): LaunchTemplateVersion {
  return {
    LaunchTemplateId: spec.id,
    LaunchTemplateName: spec.name,
    VersionNumber: spec.version,
    VersionDescription: `${spec.name} v${spec.version}`,
    CreateTime: created(index),
    CreatedBy: `arn:aws:iam::${ACCOUNT}:role/platform-pipeline`,
    DefaultVersion: true,
    LaunchTemplateData: {
      ...(spec.imageId === undefined ? {} : { ImageId: spec.imageId }),
      InstanceType: spec.instanceType as NonNullable<LaunchTemplateVersion['LaunchTemplateData']>['InstanceType'],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Owner', Value: spec.owner }] }],
    },
  };
}

export function describeOwnedImages(): DescribeImagesResult {
  return { Images: OWNED.map(image) };
}

export function describeReferencedImages(): DescribeImagesResult {
  return { Images: REFERENCED.map(image) };
}

export function describeLaunchTemplates(): DescribeLaunchTemplatesResult {
  return { LaunchTemplates: DEMO_LAUNCH_TEMPLATES.map(launchTemplate) };
}

export function describeLaunchTemplateVersions(): DescribeLaunchTemplateVersionsResult {
  return { LaunchTemplateVersions: DEMO_LAUNCH_TEMPLATES.map(defaultVersion) };
}

export function getParameters(): GetParametersResult {
  return {
    Parameters: [
      {
        Name: GOLDEN_PARAMETER,
        Type: 'String',
        Value: 'ami-0a3c0ffee00000001',
        Version: 14,
        LastModifiedDate: new Date(Date.UTC(2026, 10, 1, 10, 0, 0)),
        ARN: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter${GOLDEN_PARAMETER}`,
        DataType: 'aws:ec2:image',
      },
    ],
    InvalidParameters: [],
  };
}

/** File name → content, for demoSnapshotFiles() in fleet.ts. */
export function imageSnapshotFiles(json: (value: unknown) => string): Record<string, string> {
  return {
    'describe-images.json': json(describeOwnedImages()),
    'describe-referenced-images.json': json(describeReferencedImages()),
    'describe-launch-templates.json': json(describeLaunchTemplates()),
    'describe-launch-template-versions.json': json(describeLaunchTemplateVersions()),
    'get-parameters.json': json(getParameters()),
  };
}
