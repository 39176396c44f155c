/**
 * The facts the `ena-image-enabled` rule judges: AMIs and the launch templates that name them,
 * normalised from whichever source produced them (DescribeImages and DescribeLaunchTemplate*
 * pages, or the files the AWS CLI prints). Only what the rule and its report need is kept.
 */

/** `DescribeImages` → `State`. Anything but available, pending or transient cannot launch. */
export type ImageStateName = 'available' | 'pending' | 'transient' | 'deregistered' | 'disabled' | 'failed' | 'error' | 'invalid';

export interface ImageFacts {
  readonly imageId: string;
  readonly name: string | undefined;
  readonly ownerId: string | undefined;
  /** ISO-8601, as EC2 prints it. */
  readonly creationDate: string | undefined;
  /** ISO-8601; set when the AMI is (or is scheduled to be) deprecated. */
  readonly deprecationTime: string | undefined;
  /** The deprecation time has passed. Decided by the fact source, which has a clock; rules have none. */
  readonly deprecated: boolean;
  /** `undefined` when the source did not say; treated as unusable. */
  readonly state: ImageStateName | undefined;
  /** `undefined` when the API omitted it: EC2 treats that as false. */
  readonly enaSupport: boolean | undefined;
  readonly virtualizationType: 'hvm' | 'paravirtual' | undefined;
  readonly rootDeviceType: 'ebs' | 'instance-store' | undefined;
  readonly platform: 'linux' | 'windows';
  /** Only visible to the AMI's owner: a shared or public AMI arrives without its owner's tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** The day (UTC, YYYY-MM-DD) on which these facts were read: an exemption's expiry is compared with it. */
  readonly observedOn: string;
}

/** How a launch template's default version names its AMI. */
export type ImageReference =
  | { readonly kind: 'none' }
  | { readonly kind: 'id'; readonly imageId: string }
  /**
   * `resolve:ssm:<parameter>`: the AMI is whatever the Systems Manager parameter holds at launch.
   * `imageId` is the resolved AMI, once resolved.
   */
  | { readonly kind: 'ssm'; readonly parameter: string; readonly imageId: string | undefined };

export interface LaunchTemplateFacts {
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  readonly defaultVersion: number | undefined;
  readonly image: ImageReference;
  /** The template's own tags (DescribeLaunchTemplates), not the tags it gives to instances. */
  readonly tags: Readonly<Record<string, string>>;
  /** The day (UTC, YYYY-MM-DD) on which these facts were read: an exemption's expiry is compared with it. */
  readonly observedOn: string;
}

/** What a lookup of the AMI a template names found. */
export type ImageLookup =
  | { readonly kind: 'found'; readonly image: ImageFacts }
  /** Asked for and not returned: deregistered, never existed, or not shared with this account. */
  | { readonly kind: 'missing' }
  /** The lookup (or the resolution of a `resolve:ssm:` parameter) failed: nothing is known. */
  | { readonly kind: 'unknown'; readonly detail: string };

/** The AMI id a reference points at, when it is known. */
export function referencedImageId(reference: ImageReference): string | undefined {
  return reference.kind === 'none' ? undefined : reference.imageId;
}
