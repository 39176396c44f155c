/**
 * Normalises an EC2 instance as the SDK's `Instance` shows it (DescribeInstances, snapshot files)
 * into {@link InstanceFacts}. The Config configuration-item form is read by
 * src/checks/configuration-item.ts, above the engine that defines it.
 */
import type { Instance, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { utcDay } from '../../rules/exemption.js';
import type { EnaCapability, InstanceFacts, InstanceStateName, InstanceTypeFacts } from '../../rules/facts.js';
import { FactsUnavailableError } from '../errors.js';

const INSTANCE_STATES: readonly InstanceStateName[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

/**
 * Normalises an SDK `Instance`.
 * @param now when the instance was read: its day (UTC) is the facts' `observedOn`.
 */
export function instanceFactsFromSdk(instance: Instance, now: Date): InstanceFacts {
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
    observedOn: utcDay(now),
    networkInterfaces: (instance.NetworkInterfaces ?? []).flatMap((eni) =>
      eni.NetworkInterfaceId
        ? [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              deviceIndex: eni.Attachment?.DeviceIndex,
              networkCardIndex: eni.Attachment?.NetworkCardIndex,
              // DescribeInstances states the setting of every attached interface; absent means never turned on.
              enaSrdEnabled: eni.Attachment?.EnaSrdSpecification?.EnaSrdEnabled ?? false,
            },
          ]
        : [],
    ),
  };
}

const ENA_CAPABILITIES: readonly EnaCapability[] = ['unsupported', 'supported', 'required'];

/**
 * An instance type's facts from a DescribeInstanceTypes entry; undefined when the entry lacks a
 * name or an ENA capability EC2 documents (such a type is left unknown, never guessed).
 */
export function instanceTypeFactsFromSdk(info: InstanceTypeInfo): InstanceTypeFacts | undefined {
  const enaSupport = ENA_CAPABILITIES.find((value) => value === info.NetworkInfo?.EnaSupport);
  if (!info.InstanceType || !enaSupport) return undefined;
  const hypervisor = info.Hypervisor === 'nitro' || info.Hypervisor === 'xen' ? info.Hypervisor : undefined;
  return { instanceType: info.InstanceType, enaSupport, enaSrdSupported: info.NetworkInfo?.EnaSrdSupported === true, hypervisor };
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
