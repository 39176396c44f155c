/**
 * Serves SDK v3 clients from the account model in tests: wires an `aws-sdk-client-mock` stub
 * (`mockClient(EC2Client)`, `mockClient(SSMClient)`, `mockClient(DynamoDBClient)`) so every supported command calls
 * {@link AccountModel.call}. The code under test then gets the model's SDK-shaped outputs and
 * SDK-shaped errors, and its calls appear in the model's call log (and can be hit by faults).
 *
 * Only types come from `aws-sdk-client-mock` (a dev dependency), so importing this file costs
 * nothing at run time.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateImageCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DescribeTagsCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstanceStatusCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSnapshotsCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  ModifyInstanceAttributeCommand,
  ModifyLaunchTemplateCommand,
  RebootInstancesCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeAssociationCommand,
  DescribeAutomationExecutionsCommand,
  DescribeInstanceInformationCommand,
  GetAutomationExecutionCommand,
  GetCommandInvocationCommand,
  ListAssociationsCommand,
  ListInventoryEntriesCommand,
  PutInventoryCommand,
  SendCommandCommand,
  StartAssociationsOnceCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { AccountModel } from './account-model.js';

/** EC2 commands the model serves, by operation name. */
export const EC2_COMMANDS = {
  DescribeInstances: DescribeInstancesCommand,
  DescribeInstanceStatus: DescribeInstanceStatusCommand,
  DescribeInstanceAttribute: DescribeInstanceAttributeCommand,
  ModifyInstanceAttribute: ModifyInstanceAttributeCommand,
  StopInstances: StopInstancesCommand,
  StartInstances: StartInstancesCommand,
  RebootInstances: RebootInstancesCommand,
  TerminateInstances: TerminateInstancesCommand,
  RunInstances: RunInstancesCommand,
  DescribeInstanceTypes: DescribeInstanceTypesCommand,
  CreateImage: CreateImageCommand,
  RegisterImage: RegisterImageCommand,
  DescribeImages: DescribeImagesCommand,
  DescribeImageAttribute: DescribeImageAttributeCommand,
  ModifyImageAttribute: ModifyImageAttributeCommand,
  EnableImageDeprecation: EnableImageDeprecationCommand,
  DeregisterImage: DeregisterImageCommand,
  DescribeSnapshots: DescribeSnapshotsCommand,
  DescribeLaunchTemplates: DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersions: DescribeLaunchTemplateVersionsCommand,
  CreateLaunchTemplateVersion: CreateLaunchTemplateVersionCommand,
  ModifyLaunchTemplate: ModifyLaunchTemplateCommand,
  CreateTags: CreateTagsCommand,
  DescribeTags: DescribeTagsCommand,
} as const;

/** SSM commands the model serves, by operation name. */
export const SSM_COMMANDS = {
  DescribeInstanceInformation: DescribeInstanceInformationCommand,
  ListInventoryEntries: ListInventoryEntriesCommand,
  PutInventory: PutInventoryCommand,
  SendCommand: SendCommandCommand,
  GetCommandInvocation: GetCommandInvocationCommand,
  DescribeAssociation: DescribeAssociationCommand,
  ListAssociations: ListAssociationsCommand,
  StartAssociationsOnce: StartAssociationsOnceCommand,
  DescribeAutomationExecutions: DescribeAutomationExecutionsCommand,
  GetAutomationExecution: GetAutomationExecutionCommand,
} as const;

/** DynamoDB commands the model serves, by operation name. */
export const DYNAMODB_COMMANDS = {
  PutItem: PutItemCommand,
  GetItem: GetItemCommand,
  DeleteItem: DeleteItemCommand,
} as const;

/** Makes `mockClient(EC2Client)` answer every modelled EC2 command from the account model. */
export function wireEc2Client(stub: AwsClientStub<EC2Client>, account: AccountModel): void {
  for (const [operation, command] of Object.entries(EC2_COMMANDS)) {
    stub.on(command as typeof DescribeInstancesCommand).callsFake((input: Record<string, unknown>) => account.call('ec2', operation, input));
  }
}

/** Makes `mockClient(SSMClient)` answer every modelled SSM command from the account model. */
export function wireSsmClient(stub: AwsClientStub<SSMClient>, account: AccountModel): void {
  for (const [operation, command] of Object.entries(SSM_COMMANDS)) {
    stub.on(command as typeof DescribeInstanceInformationCommand).callsFake((input: Record<string, unknown>) => account.call('ssm', operation, input));
  }
}

/** Makes `mockClient(DynamoDBClient)` answer every modelled DynamoDB command from the account model. */
export function wireDynamoDbClient(stub: AwsClientStub<DynamoDBClient>, account: AccountModel): void {
  for (const [operation, command] of Object.entries(DYNAMODB_COMMANDS)) {
    stub.on(command as typeof GetItemCommand).callsFake((input: Record<string, unknown>) => account.call('dynamodb', operation, input));
  }
}
