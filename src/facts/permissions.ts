/**
 * The IAM statements each fact source needs, written once: the template generator grants a rule
 * function the statements of the sources its declaration names, and a template test checks them
 * against the SDK calls the function's bundle really makes. Resources are CloudFormation values.
 */
import type { FactSource } from '../../rules/declaration.js';
import type { PermissionStatement } from '../aws/iam.js';
import { INVENTORY_SYNC_ENVIRONMENT, INVENTORY_SYNC_PREFIX } from './inventory-sources.js';
import { syncedInventoryFolder } from './synced-inventory-reader.js';

/** The data sync's folder of this account and Region, as a CloudFormation Sub string. */
const syncFolder = syncedInventoryFolder({ prefix: INVENTORY_SYNC_PREFIX, accountId: '${AWS::AccountId}', region: '${AWS::Region}' });

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
    {
      Sid: 'ReadSyncedDriverInventory',
      Action: ['s3:GetObject'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${StateBucket}/${syncFolder}*` },
      onlyIf: 'InventoryDataSyncEnabled',
      comment: "Only with the inventory data sync, and only this account's and Region's Custom:EnaDriver objects.",
    },
    {
      Sid: 'ListSyncedDriverInventory',
      Action: ['s3:ListBucket'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${StateBucket}' },
      Condition: { StringLike: { 's3:prefix': { 'Fn::Sub': `${syncFolder}*` } } },
      onlyIf: 'InventoryDataSyncEnabled',
    },
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

/** The environment each fact source reads in a rule function, as CloudFormation values. */
export const FACT_SOURCE_ENVIRONMENT: Readonly<Partial<Record<FactSource, Readonly<Record<string, unknown>>>>> = {
  inventory: {
    // Empty without the data sync: the reader then uses ListInventoryEntries alone.
    [INVENTORY_SYNC_ENVIRONMENT.bucket]: { 'Fn::If': ['InventoryDataSyncEnabled', { Ref: 'StateBucket' }, ''] },
    [INVENTORY_SYNC_ENVIRONMENT.prefix]: INVENTORY_SYNC_PREFIX,
    [INVENTORY_SYNC_ENVIRONMENT.accountId]: { Ref: 'AWS::AccountId' },
  },
};
