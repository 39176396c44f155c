/**
 * Finds the resource behind each alert and the tags that name its owner, in bulk: one
 * DescribeInstances / DescribeImages call per 100 ids (with the id *filter*, so a resource that no
 * longer exists is simply absent instead of failing the whole call), launch templates by id, and
 * GetAutomationExecution for each runbook execution (the only place its target is recorded).
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type LaunchTemplate,
  type Tag,
} from '@aws-sdk/client-ec2';
import { GetAutomationExecutionCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { FactsUnavailableError, describeError } from '../errors.js';

export interface ResourceRef {
  readonly resourceType: string;
  readonly resourceId: string;
}

const PER_CALL = 100;

/** Which runbook parameter names the resource, and of which type. */
const TARGET_PARAMETERS: readonly [string, string][] = [
  ['InstanceId', 'AWS::EC2::Instance'],
  ['LaunchTemplateId', 'AWS::EC2::LaunchTemplate'],
  ['ImageId', 'AWS::EC2::Image'],
];

/** The resource a runbook execution worked on, from its parameters. */
export async function remediationTarget(ssm: SSMClient, executionId: string): Promise<ResourceRef> {
  let parameters: Record<string, string[]>;
  try {
    const response = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
    parameters = response.AutomationExecution?.Parameters ?? {};
  } catch (error) {
    throw new FactsUnavailableError(`GetAutomationExecution failed for ${executionId}: ${describeError(error)}`, { cause: error });
  }
  for (const [name, resourceType] of TARGET_PARAMETERS) {
    const value = parameters[name]?.[0];
    if (value) return { resourceType, resourceId: value };
  }
  // EnaGuard-ReplaceImageWithEna started by AWS Config gets an AMI or a template as ResourceId.
  const resourceId = parameters.ResourceId?.[0];
  if (resourceId?.startsWith('ami-')) return { resourceType: 'AWS::EC2::Image', resourceId };
  if (resourceId?.startsWith('lt-')) return { resourceType: 'AWS::EC2::LaunchTemplate', resourceId };
  throw new FactsUnavailableError(`Execution ${executionId} names no InstanceId, LaunchTemplateId, ImageId or ResourceId.`);
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += PER_CALL) result.push(items.slice(start, start + PER_CALL));
  return result;
}

/** Tags of every resource asked for, by `type/id`; a resource that is gone has no entry. */
export async function tagsOf(ec2: EC2Client, resources: readonly ResourceRef[]): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  const idsOf = (type: string) => [...new Set(resources.filter((resource) => resource.resourceType === type).map((resource) => resource.resourceId))];
  try {
    for (const ids of chunks(idsOf('AWS::EC2::Instance'))) {
      const response = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] }));
      for (const instance of (response.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
        if (instance.InstanceId) tags.set(`AWS::EC2::Instance/${instance.InstanceId}`, tagMap(instance.Tags));
      }
    }
    for (const ids of chunks(idsOf('AWS::EC2::Image'))) {
      const response = await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: ids }] }));
      for (const image of response.Images ?? []) if (image.ImageId) tags.set(`AWS::EC2::Image/${image.ImageId}`, tagMap(image.Tags));
    }
    for (const ids of chunks(idsOf('AWS::EC2::LaunchTemplate'))) {
      for (const template of await launchTemplates(ec2, ids)) {
        if (template.LaunchTemplateId) tags.set(`AWS::EC2::LaunchTemplate/${template.LaunchTemplateId}`, tagMap(template.Tags));
      }
    }
  } catch (error) {
    throw new FactsUnavailableError(`Reading the owners' tags failed: ${describeError(error)}`, { cause: error });
  }
  return tags;
}

/**
 * DescribeLaunchTemplates has no id filter, and one unknown id in `LaunchTemplateIds` fails the
 * whole call: on that error, ask one id at a time and skip the templates that are gone.
 */
async function launchTemplates(ec2: EC2Client, ids: readonly string[]): Promise<LaunchTemplate[]> {
  try {
    return (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [...ids] }))).LaunchTemplates ?? [];
  } catch (error) {
    if (!String((error as { name?: string }).name).startsWith('InvalidLaunchTemplateId')) throw error;
  }
  const found: LaunchTemplate[] = [];
  for (const id of ids) {
    try {
      found.push(...((await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] }))).LaunchTemplates ?? []));
    } catch (error) {
      if (!String((error as { name?: string }).name).startsWith('InvalidLaunchTemplateId')) throw error;
    }
  }
  return found;
}
