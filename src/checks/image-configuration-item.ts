/**
 * Reads an AMI's facts out of the configuration item AWS Config records for `AWS::EC2::Image`.
 *
 * Assumed, unconfirmed (no public sample of the item was found, and the Config resource schema
 * repository does not list the type yet): the item's `configuration` is the DescribeImages
 * `Image` in camelCase, as for every EC2 type Config records (`imageId`, `enaSupport`,
 * `virtualizationType`, `state`, `deprecationTime`, `name`, `ownerId`, `creationDate`,
 * `rootDeviceType`, `platform`), and its tags are in the item's own `tags` map. Any of the fields a
 * verdict needs (`enaSupport`, `virtualizationType`, `state`) that is missing makes the item
 * incomplete, and the caller reads the AMI with one DescribeImages by id: a guess never becomes a
 * verdict. Change the schema below, and only it, when the real shape is known.
 */
import type { Image } from '@aws-sdk/client-ec2';
import * as z from 'zod';
import type { ImageFacts } from '../../rules/image-facts.js';
import type { ConfigurationItem } from '../engine/config-event.js';
import { imageFactsFromSdk } from '../facts/image-reader.js';

const recordedImageSchema = z.looseObject({
  imageId: z.string().min(1).nullish(),
  name: z.string().nullish(),
  ownerId: z.string().nullish(),
  creationDate: z.string().nullish(),
  deprecationTime: z.string().nullish(),
  state: z.string().nullish(),
  enaSupport: z.boolean().nullish(),
  virtualizationType: z.enum(['hvm', 'paravirtual']).nullish(),
  rootDeviceType: z.enum(['ebs', 'instance-store']).nullish(),
  platform: z.string().nullish(),
});

export type RecordedImage = { readonly complete: true; readonly image: ImageFacts } | { readonly complete: false };

/**
 * The AMI as recorded, or `complete: false` when the item lacks a field a verdict needs.
 * @param now the time of the evaluation (not the item's capture time): decides whether the
 * deprecation time has passed, and its day (UTC) is the facts' `observedOn`.
 */
export function imageFactsFromConfigurationItem(item: ConfigurationItem, now: Date): RecordedImage {
  const parsed = recordedImageSchema.safeParse(item.configuration ?? {});
  if (!parsed.success) return { complete: false };
  const recorded = parsed.data;
  // The item in DescribeImages' shape, so one normaliser (imageFactsFromSdk) reads both sources.
  const image = imageFactsFromSdk(
    {
      ImageId: recorded.imageId ?? item.resourceId,
      Name: recorded.name ?? undefined,
      OwnerId: recorded.ownerId ?? undefined,
      CreationDate: recorded.creationDate ?? undefined,
      DeprecationTime: recorded.deprecationTime ?? undefined,
      State: (recorded.state ?? undefined) as Image['State'],
      // A recorded null means the attribute is off, as EC2 reads a missing EnaSupport.
      EnaSupport: recorded.enaSupport ?? undefined,
      VirtualizationType: recorded.virtualizationType ?? undefined,
      RootDeviceType: recorded.rootDeviceType ?? undefined,
      Platform: (recorded.platform ?? undefined) as Image['Platform'],
      Tags: Object.entries(item.tags).map(([Key, Value]) => ({ Key, Value })),
    },
    now,
  );
  const complete = recorded.enaSupport !== undefined && image.virtualizationType !== undefined && image.state !== undefined;
  return complete ? { complete: true, image } : { complete: false };
}
