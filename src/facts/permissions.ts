/**
 * The IAM statements each fact source needs, written once: the template generator grants a rule
 * function the statements of the sources its declaration names, and a template test checks them
 * against the SDK calls the function's bundle really makes. Resources are CloudFormation values.
 */
import type { FactSource } from '../../rules/declaration.js';
import type { PermissionStatement } from '../aws/iam.js';

const instanceArns = [
  { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*' },
];

export const FACT_SOURCE_PERMISSIONS: Readonly<Record<FactSource, readonly PermissionStatement[]>> = {
  fleet: [
    {
      Sid: 'ReadFleet',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes'],
      Resource: '*',
      comment: 'Describe* calls do not support resource-level permissions.',
    },
  ],
  inventory: [
    {
      Sid: 'ListManagedInstances',
      Action: ['ssm:DescribeInstanceInformation'],
      Resource: '*',
      comment: 'DescribeInstanceInformation does not support resource-level permissions.',
    },
    { Sid: 'ReadDriverInventory', Action: ['ssm:ListInventoryEntries'], Resource: instanceArns },
  ],
  images: [
    {
      Sid: 'ReadImagesAndLaunchTemplates',
      Action: ['ec2:DescribeImages', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions'],
      Resource: '*',
      comment: 'Describe* calls do not support resource-level permissions.',
    },
  ],
};
