/**
 * Reads the instance facts out of the configuration that AWS Config records for
 * `AWS::EC2::Instance` (camelCase keys, tags in the configuration item's own `tags` map).
 */
import * as z from 'zod';
import { utcDay } from '../../rules/exemption.js';
import type { InstanceFacts } from '../../rules/facts.js';
import type { ConfigurationItem } from '../engine/config-event.js';
import { FactsUnavailableError } from '../errors.js';
import { platformOf, stateName } from '../facts/instance-facts.js';

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
  networkInterfaces: z
    .array(
      z.looseObject({
        networkInterfaceId: z.string().min(1),
        attachment: z.looseObject({ deviceIndex: z.number().nullish(), networkCardIndex: z.number().nullish() }).nullish(),
      }),
    )
    .nullish(),
});

/**
 * Throws {@link FactsUnavailableError} naming the missing or malformed field.
 * @param now the time of the evaluation: its day (UTC) is the facts' `observedOn`, not the day the
 * item was captured, so that an exemption that has expired since is not honoured.
 */
export function instanceFactsFromConfigurationItem(item: ConfigurationItem, now: Date): InstanceFacts {
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
    observedOn: utcDay(now),
    // Config's recorded instance has no EnaSrdSpecification: the setting is unknown, never false.
    networkInterfaces: (recorded.networkInterfaces ?? []).map((eni) => ({
      networkInterfaceId: eni.networkInterfaceId,
      deviceIndex: eni.attachment?.deviceIndex ?? undefined,
      networkCardIndex: eni.attachment?.networkCardIndex ?? undefined,
      enaSrdEnabled: undefined,
    })),
  };
}
