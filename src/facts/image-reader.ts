/**
 * The ImageReader port: where facts about AMIs and launch templates come from. One
 * implementation reads a live account ({@link AwsImageReader}), another the files the AWS CLI
 * prints ({@link SnapshotImageReader}). Also the one place the SDK's `Image`,
 * `LaunchTemplateVersion` and `LaunchTemplate` shapes become {@link ImageFacts} and
 * {@link LaunchTemplateFacts}.
 */
import type { Image, LaunchTemplate, LaunchTemplateVersion, Tag } from '@aws-sdk/client-ec2';
import { utcDay } from '../../rules/exemption.js';
import type { ImageFacts, ImageReference, ImageStateName, LaunchTemplateFacts } from '../../rules/image-facts.js';
import { FactsUnavailableError } from '../errors.js';

export interface ImageReader {
  /**
   * Every AMI the account owns (`Owners: ['self']`), a page at a time. Deprecated AMIs are
   * included: EC2 always shows their owner the deprecated ones.
   * @throws FactsUnavailableError when the read failed.
   */
  ownedImagePages(): AsyncIterable<readonly ImageFacts[]>;
  /**
   * Every launch template with the AMI reference of its default version, a page at a time.
   * A `resolve:ssm:` reference may arrive unresolved; see {@link resolveImageAliases}.
   * @throws FactsUnavailableError when the read failed.
   */
  launchTemplatePages(): AsyncIterable<readonly LaunchTemplateFacts[]>;
  /**
   * The AMI each `resolve:ssm:` template resolves to now, by launch template id. A failure is
   * an entry of its own, so one unresolvable parameter leaves only its templates unjudged.
   */
  resolveImageAliases(templates: readonly LaunchTemplateFacts[]): Promise<ReadonlyMap<string, AliasResolution>>;
  /**
   * AMIs by id, whoever owns them (shared and public AMIs included). An id missing from the
   * result is deregistered, does not exist or is not shared with this account.
   * @throws FactsUnavailableError when a lookup failed.
   */
  imagesById(imageIds: Iterable<string>): Promise<ReadonlyMap<string, ImageFacts>>;
  /**
   * One launch template's default version with the template's tags, for a change event;
   * `undefined` when the template no longer exists.
   * @throws FactsUnavailableError when the lookup itself failed.
   */
  launchTemplateById(launchTemplateId: string): Promise<LaunchTemplateFacts | undefined>;
  /**
   * How many instances run from each AMI, when the source holds the instances anyway (a
   * snapshot); absent for the live reader, so a Lambda sweep makes no DescribeInstances call.
   */
  instanceImageUsage?(): Promise<ReadonlyMap<string, number>>;
  /** The account the facts describe, when the source itself knows it (a snapshot may). */
  accountId?(): Promise<string | undefined>;
}

export type AliasResolution = { readonly ok: true; readonly imageId: string } | { readonly ok: false; readonly detail: string };

/** The prefix of an AMI given as a Systems Manager parameter in a launch template. */
export const SSM_IMAGE_PREFIX = 'resolve:ssm:';

const IMAGE_STATES: readonly ImageStateName[] = ['available', 'pending', 'transient', 'deregistered', 'disabled', 'failed', 'error', 'invalid'];

/**
 * Normalises an SDK `Image`.
 * @param now when the AMI was read: decides whether the deprecation time has passed, and its day
 * (UTC) is the facts' `observedOn`.
 */
export function imageFactsFromSdk(image: Image, now: Date): ImageFacts {
  if (!image.ImageId) throw new FactsUnavailableError('An image in the DescribeImages output has no ImageId.');
  const deprecation = image.DeprecationTime ? Date.parse(image.DeprecationTime) : Number.NaN;
  return {
    imageId: image.ImageId,
    name: image.Name,
    ownerId: image.OwnerId,
    creationDate: image.CreationDate,
    deprecationTime: image.DeprecationTime,
    deprecated: !Number.isNaN(deprecation) && deprecation <= now.getTime(),
    state: IMAGE_STATES.find((state) => state === image.State),
    enaSupport: image.EnaSupport ?? undefined,
    // EC2 documents two values for each; anything else (moto's "standard") is unknown, not a third kind.
    virtualizationType: image.VirtualizationType === 'hvm' || image.VirtualizationType === 'paravirtual' ? image.VirtualizationType : undefined,
    rootDeviceType: image.RootDeviceType === 'ebs' || image.RootDeviceType === 'instance-store' ? image.RootDeviceType : undefined,
    // EC2 sets Platform only for Windows, and spells it "windows" although the SDK's enum says "Windows".
    platform: String(image.Platform ?? '').toLowerCase() === 'windows' ? 'windows' : 'linux',
    tags: tagMap(image.Tags),
    observedOn: utcDay(now),
  };
}

/**
 * Normalises a default launch template version, with the template's own tags.
 * @param now when the template was read: its day (UTC) is the facts' `observedOn`.
 */
export function launchTemplateFactsFromSdk(version: LaunchTemplateVersion, tags: Readonly<Record<string, string>>, now: Date): LaunchTemplateFacts {
  if (!version.LaunchTemplateId) {
    throw new FactsUnavailableError('A version in the DescribeLaunchTemplateVersions output has no LaunchTemplateId.');
  }
  return {
    launchTemplateId: version.LaunchTemplateId,
    launchTemplateName: version.LaunchTemplateName ?? version.LaunchTemplateId,
    defaultVersion: version.VersionNumber,
    image: imageReference(version.LaunchTemplateData?.ImageId),
    tags,
    observedOn: utcDay(now),
  };
}

/** Reads `ImageId` as a launch template holds it: absent, an AMI id, or `resolve:ssm:<parameter>`. */
export function imageReference(imageId: string | null | undefined): ImageReference {
  const text = imageId?.trim() ?? '';
  if (text === '') return { kind: 'none' };
  if (text.startsWith(SSM_IMAGE_PREFIX)) return { kind: 'ssm', parameter: text, imageId: undefined };
  return { kind: 'id', imageId: text };
}

/** Tags of DescribeLaunchTemplates' templates, by launch template id. */
export function templateTags(templates: readonly LaunchTemplate[]): Map<string, Readonly<Record<string, string>>> {
  return new Map(templates.flatMap((template) => (template.LaunchTemplateId ? [[template.LaunchTemplateId, tagMap(template.Tags)]] : [])));
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
}
