/**
 * Normalises an EC2 instance into {@link InstanceFacts}, from the two shapes it arrives in:
 * the SDK's `Instance` (DescribeInstances, snapshot files) and the configuration that AWS Config
 * records for `AWS::EC2::Instance` (camelCase keys, tags in the CI's own `tags` map).
 */
import type { Instance } from '@aws-sdk/client-ec2';
import * as z from 'zod';
import type { InstanceFacts, InstanceStateName } from '../../rules/facts.js';
import type { ConfigurationItem } from '../engine/config-event.js';
import { FactsUnavailableError } from '../errors.js';

const INSTANCE_STATES: readonly InstanceStateName[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

export function instanceFactsFromSdk(instance: Instance): InstanceFacts {
  if (!instance.InstanceId || !instance.InstanceType) {
    throw new FactsUnavailableError(`An instance in the DescribeInstances output has no InstanceId or InstanceType.`);
  }
  return {
    instanceId: instance.InstanceId,
    instanceType: instance.InstanceType,
    state: stateName(instance.State?.Name, instance.InstanceId),
    enaSupport: instance.EnaSupport ?? undefined,
    rootDeviceType: instance.RootDeviceType,
    platform: platformOf(instance.Platform),
    virtualizationType: instance.VirtualizationType,
    instanceLifecycle: instance.InstanceLifecycle,
    imageId: instance.ImageId,
    tags: Object.fromEntries((instance.Tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : []))),
  };
}

const recordedInstanceSchema = z.object({
  instanceId: z.string().min(1),
  instanceType: z.string().min(1),
  state: z.object({ name: z.string() }).nullish(),
  enaSupport: z.boolean().nullish(),
  rootDeviceType: z.enum(['ebs', 'instance-store']).nullish(),
  platform: z.string().nullish(),
  virtualizationType: z.enum(['hvm', 'paravirtual']).nullish(),
  instanceLifecycle: z.string().nullish(),
  imageId: z.string().nullish(),
});

/** Reads the instance facts out of a Config configuration item; throws naming the missing field. */
export function instanceFactsFromConfigurationItem(item: ConfigurationItem): InstanceFacts {
  const parsed = recordedInstanceSchema.safeParse(item.configuration ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FactsUnavailableError(
      `Configuration item of ${item.resourceId} lacks a usable configuration.${issue?.path.join('.') ?? ''} (${issue?.message ?? 'invalid'}).`,
    );
  }
  const recorded = parsed.data;
  return {
    instanceId: recorded.instanceId,
    instanceType: recorded.instanceType,
    state: stateName(recorded.state?.name, recorded.instanceId),
    enaSupport: recorded.enaSupport ?? undefined,
    rootDeviceType: recorded.rootDeviceType ?? undefined,
    platform: platformOf(recorded.platform),
    virtualizationType: recorded.virtualizationType ?? undefined,
    instanceLifecycle: recorded.instanceLifecycle ?? undefined,
    imageId: recorded.imageId ?? undefined,
    tags: item.tags,
  };
}

function stateName(name: string | undefined, instanceId: string): InstanceStateName {
  const state = INSTANCE_STATES.find((candidate) => candidate === name);
  if (!state) throw new FactsUnavailableError(`Instance ${instanceId} has no known state (got ${JSON.stringify(name)}).`);
  return state;
}

/** EC2 sets Platform only for Windows; the API sends "windows" although the SDK's enum spells "Windows". */
function platformOf(platform: string | null | undefined): InstanceFacts['platform'] {
  return platform?.toLowerCase() === 'windows' ? 'windows' : 'linux';
}
