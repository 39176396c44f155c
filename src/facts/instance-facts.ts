/**
 * Normalises an EC2 instance as the SDK's `Instance` shows it (DescribeInstances, snapshot files)
 * into {@link InstanceFacts}. The Config configuration-item form is read by
 * src/checks/configuration-item.ts, above the engine that defines it.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import type { InstanceFacts, InstanceStateName } from '../../rules/facts.js';
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

export function stateName(name: string | undefined, instanceId: string): InstanceStateName {
  const state = INSTANCE_STATES.find((candidate) => candidate === name);
  if (!state) throw new FactsUnavailableError(`Instance ${instanceId} has no known state (got ${JSON.stringify(name)}).`);
  return state;
}

/** EC2 sets Platform only for Windows; the API sends "windows" although the SDK's enum spells "Windows". */
export function platformOf(platform: string | null | undefined): InstanceFacts['platform'] {
  return platform?.toLowerCase() === 'windows' ? 'windows' : 'linux';
}
