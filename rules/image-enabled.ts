/**
 * ena-image-enabled: AMIs must have ENA, because an AMI without it cannot launch ENA-required
 * (Nitro) types at all, and every instance started from it inherits `enaSupport: false`.
 *
 * AWS Config neither records AMIs nor accepts evaluations of `AWS::EC2::Image`, so the verdicts
 * land where Config can hold them and where the AMI does harm:
 * - each launch template (`AWS::EC2::LaunchTemplate`), judged by the AMI of its default version;
 * - the account (`AWS::::Account`), judged by the AMIs it owns.
 * The per-AMI detail ({@link describeImages}) goes to the logs, the alerts and the CLI.
 */
import * as z from 'zod';
import { exemptionVerdict } from './exemption.js';
import type { ImageFacts, ImageLookup, ImageStateName, LaunchTemplateFacts } from './image-facts.js';
import { booleanParameter, exemptionTagKeyParameter } from './parameters.js';
import { truncate } from './text.js';
import { imageRule } from './declaration.js';
import { stackScopeParameters } from './stack-scope.js';
import { compliant, nonCompliant, notApplicable, notJudged, type Judged, type Verdict } from './verdict.js';

export const IMAGE_ENABLED_RULE_NAME = 'ena-image-enabled';
export const REPLACE_IMAGE_RUNBOOK = 'EnaGuard-ReplaceImageWithEna';

export const imageEnabledParameters = z.object({
  exemptionTagKey: exemptionTagKeyParameter,
  ...stackScopeParameters,
  /** Whether deprecated AMIs the account owns are judged (false: they are NOT_APPLICABLE). */
  includeDeprecatedImages: booleanParameter(true, 'Whether ena-image-enabled judges the deprecated AMIs the account owns (false: NOT_APPLICABLE).'),
});
export type ImageEnabledParameters = z.output<typeof imageEnabledParameters>;

export type LaunchTemplateImageReason =
  | 'IMAGE_HAS_ENA'
  | 'IMAGE_WITHOUT_ENA'
  | 'IMAGE_PARAVIRTUAL'
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_UNUSABLE'
  | 'NO_IMAGE'
  | 'EXEMPT'
  | 'IMAGE_UNKNOWN';

/** States from which EC2 can launch an instance (pending and transient become available). */
const LAUNCHABLE_STATES: readonly ImageStateName[] = ['available', 'pending', 'transient'];

export function launchable(image: ImageFacts): boolean {
  return image.state !== undefined && LAUNCHABLE_STATES.includes(image.state);
}

/** A paravirtual AMI cannot get ENA at all: ENA needs HVM, so the AMI must be rebuilt, not re-registered. */
export function cannotGetEna(image: ImageFacts): boolean {
  return image.enaSupport !== true && image.virtualizationType === 'paravirtual';
}

export interface LaunchTemplateImageFacts {
  readonly template: LaunchTemplateFacts;
  /** What the lookup of the AMI found; ignored when the template names no AMI. */
  readonly lookup: ImageLookup;
}

/** Judges a launch template by the AMI its default version launches. */
export function evaluateLaunchTemplateImage(
  { template, lookup }: LaunchTemplateImageFacts,
  parameters: ImageEnabledParameters,
): Verdict<LaunchTemplateImageReason> {
  const exempt = exemptionVerdict(template.tags, parameters.exemptionTagKey, template.observedOn);
  if (exempt) return exempt;

  const reference = template.image;
  if (reference.kind === 'none') {
    return notApplicable(`Default version ${template.defaultVersion ?? '?'} names no AMI: the AMI is chosen at launch.`, 'NO_IMAGE');
  }
  if (lookup.kind === 'unknown') return notJudged(lookup.detail, 'IMAGE_UNKNOWN');

  const source =
    reference.kind === 'ssm'
      ? `AMI ${reference.imageId ?? '?'} (from ${truncate(reference.parameter, 80)})`
      : `AMI ${reference.imageId}`;
  if (lookup.kind === 'missing') {
    return nonCompliant(
      `${source} is deregistered, not found or not shared with this account: launches from this template fail. Point it at an ENA-enabled AMI (${REPLACE_IMAGE_RUNBOOK}).`,
      'IMAGE_NOT_FOUND',
    );
  }
  const image = lookup.image;
  if (!launchable(image)) {
    return nonCompliant(
      `${source} is ${image.state ?? 'in an unknown state'}: launches from this template fail. Point it at an ENA-enabled AMI (${REPLACE_IMAGE_RUNBOOK}).`,
      'IMAGE_UNUSABLE',
    );
  }
  if (image.enaSupport === true) return compliant(`${source} has ENA.`, 'IMAGE_HAS_ENA');

  const exemptImage = exemptionVerdict(image.tags, parameters.exemptionTagKey, image.observedOn)
    ? ` The AMI is exempt by tag ${parameters.exemptionTagKey}; tag the template too if that is intended.`
    : '';
  if (cannotGetEna(image)) {
    return nonCompliant(
      `${source} is paravirtual (PV) and cannot get ENA: rebuild it as an HVM AMI with ENA and point the template at it (${REPLACE_IMAGE_RUNBOOK}).${exemptImage}`,
      'IMAGE_PARAVIRTUAL',
    );
  }
  return nonCompliant(
    `${source} lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run ${REPLACE_IMAGE_RUNBOOK}.${exemptImage}`,
    'IMAGE_WITHOUT_ENA',
  );
}

/** Whether an owned AMI is judged on its ENA support, or why not (`exempt`: a valid exemption holds, as for its verdict). */
export type OwnedImageScope = 'counted' | 'exempt' | 'deprecated' | 'unusable';

export function ownedImageScope(image: ImageFacts, parameters: ImageEnabledParameters): OwnedImageScope {
  if (exemptionVerdict(image.tags, parameters.exemptionTagKey, image.observedOn)) return 'exempt';
  if (!launchable(image)) return 'unusable';
  if (image.deprecated && !parameters.includeDeprecatedImages) return 'deprecated';
  return 'counted';
}

export type OwnedImageReason = 'IMAGE_HAS_ENA' | 'IMAGE_WITHOUT_ENA' | 'IMAGE_PARAVIRTUAL' | 'IMAGE_DEPRECATED' | 'IMAGE_UNUSABLE' | 'EXEMPT';

/**
 * Judges one AMI the account owns (`AWS::EC2::Image`). NON_COMPLIANT only on EC2's own word that
 * the AMI lacks ENA (`EnaSupport` not true) while it can still launch; exempt, deprecated (when
 * `includeDeprecatedImages` is false) and unusable AMIs are NOT_APPLICABLE.
 *
 * @param usedByTemplates how many launch templates launch it, for the annotation.
 */
export function evaluateOwnedImage(image: ImageFacts, parameters: ImageEnabledParameters, usedByTemplates = 0): Judged<OwnedImageReason> {
  const exempt = exemptionVerdict(image.tags, parameters.exemptionTagKey, image.observedOn);
  if (exempt) return exempt;
  if (!launchable(image)) return notApplicable(`The AMI is ${image.state ?? 'in an unknown state'}: nothing can launch from it.`, 'IMAGE_UNUSABLE');
  if (image.deprecated && !parameters.includeDeprecatedImages) {
    return notApplicable(`The AMI is deprecated (since ${image.deprecationTime ?? '?'}) and includeDeprecatedImages is false.`, 'IMAGE_DEPRECATED');
  }
  if (image.enaSupport === true) return compliant('The AMI has ENA.', 'IMAGE_HAS_ENA');
  const used = usedByTemplates > 0 ? ` ${usedByTemplates} launch ${plural(usedByTemplates, 'template')} ${usedByTemplates === 1 ? 'uses' : 'use'} it.` : '';
  if (cannotGetEna(image)) {
    return nonCompliant(
      `The AMI is paravirtual (PV) and cannot get ENA: rebuild it as an HVM AMI with ENA; ${REPLACE_IMAGE_RUNBOOK} refuses PV AMIs.${used}`,
      'IMAGE_PARAVIRTUAL',
    );
  }
  return nonCompliant(
    `The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run ${REPLACE_IMAGE_RUNBOOK}.${used}`,
    'IMAGE_WITHOUT_ENA',
  );
}

/** One AMI, for the run's structured log record, the alerts and the CLI report. */
export interface ImageDetail {
  readonly imageId: string;
  readonly name: string | undefined;
  readonly ownerId: string | undefined;
  /** Owned by the evaluated account (read with `Owners: ['self']`), rather than only referenced. */
  readonly owned: boolean;
  readonly creationDate: string | undefined;
  readonly deprecationTime: string | undefined;
  readonly deprecated: boolean;
  /** EC2's state, or `not-found` when a referenced AMI was not returned. */
  readonly state: ImageStateName | 'not-found' | 'unknown';
  readonly virtualizationType: 'hvm' | 'paravirtual' | undefined;
  readonly rootDeviceType: 'ebs' | 'instance-store' | undefined;
  readonly enaSupport: boolean;
  /** Lacks ENA and is paravirtual: it cannot be re-registered with ENA, only rebuilt as HVM. */
  readonly cannotGetEna: boolean;
  /** Whether it was judged on ENA (`counted`) or why not; `not-owned` for AMIs only referenced by templates. */
  readonly scope: OwnedImageScope | 'not-owned';
  /** The launch templates whose default version launches it. */
  readonly launchTemplates: readonly { readonly id: string; readonly name: string }[];
  /** Instances running from it, when the source knows them (the CLI's snapshot); 0 otherwise. */
  readonly instances: number;
}

export interface ImageCatalog {
  readonly owned: readonly ImageFacts[];
  /** Lookups of the AMIs templates name that the account does not own. */
  readonly referenced: ReadonlyMap<string, ImageLookup>;
  /** Each template with the AMI id its default version launches (undefined: none or unresolved). */
  readonly templates: readonly { readonly template: LaunchTemplateFacts; readonly imageId: string | undefined }[];
  /** Instances by the AMI they run, when known. */
  readonly instanceUsage?: ReadonlyMap<string, number>;
}

/** The per-AMI detail: every owned AMI, then every other AMI a template names, sorted by id. */
export function describeImages(catalog: ImageCatalog, parameters: ImageEnabledParameters): ImageDetail[] {
  const users = new Map<string, { id: string; name: string }[]>();
  for (const { template, imageId } of catalog.templates) {
    if (imageId === undefined) continue;
    const list = users.get(imageId) ?? [];
    list.push({ id: template.launchTemplateId, name: template.launchTemplateName });
    users.set(imageId, list);
  }
  const detail = (image: ImageFacts, scope: ImageDetail['scope']): ImageDetail => ({
    imageId: image.imageId,
    name: image.name,
    ownerId: image.ownerId,
    owned: scope !== 'not-owned',
    creationDate: image.creationDate,
    deprecationTime: image.deprecationTime,
    deprecated: image.deprecated,
    state: image.state ?? 'unknown',
    virtualizationType: image.virtualizationType,
    rootDeviceType: image.rootDeviceType,
    enaSupport: image.enaSupport === true,
    cannotGetEna: cannotGetEna(image),
    scope,
    launchTemplates: users.get(image.imageId) ?? [],
    instances: catalog.instanceUsage?.get(image.imageId) ?? 0,
  });
  const owned = catalog.owned.map((image) => detail(image, ownedImageScope(image, parameters)));
  const ownedIds = new Set(catalog.owned.map((image) => image.imageId));
  const others: ImageDetail[] = [];
  for (const [imageId, lookup] of catalog.referenced) {
    if (ownedIds.has(imageId)) continue;
    if (lookup.kind === 'found') {
      others.push(detail(lookup.image, 'not-owned'));
      continue;
    }
    others.push({
      imageId,
      name: undefined,
      ownerId: undefined,
      owned: false,
      creationDate: undefined,
      deprecationTime: undefined,
      deprecated: false,
      state: lookup.kind === 'missing' ? 'not-found' : 'unknown',
      virtualizationType: undefined,
      rootDeviceType: undefined,
      enaSupport: false,
      cannotGetEna: false,
      scope: 'not-owned',
      launchTemplates: users.get(imageId) ?? [],
      instances: catalog.instanceUsage?.get(imageId) ?? 0,
    });
  }
  return [...owned, ...others].sort((a, b) => a.imageId.localeCompare(b.imageId));
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

export const imageEnabledRule = imageRule({
  id: IMAGE_ENABLED_RULE_NAME,
  description: `Each AMI the account owns, and the AMI of each launch template, has ENA. Fix with ${REPLACE_IMAGE_RUNBOOK}.`,
  reportedResourceTypes: ['AWS::EC2::Image', 'AWS::EC2::LaunchTemplate'],
  // Releases before per-AMI evaluations reported the owned AMIs as one AWS::::Account evaluation.
  formerResourceTypes: ['AWS::::Account'],
  // Change events re-judge an AMI or a template at once, where the recorder records them; the
  // periodic sweep over DescribeImages stays the source of truth.
  triggers: { changeResourceTypes: ['AWS::EC2::Image', 'AWS::EC2::LaunchTemplate'], periodic: true },
  deployment: 'always',
  parameters: imageEnabledParameters,
  factSources: ['images'],
  remediation: {
    document: REPLACE_IMAGE_RUNBOOK,
    resourceIdParameter: 'ResourceId',
    staticParameters: {
      MakeNewVersionDefault: { templateParameter: 'ImageRemediationMakeNewVersionDefault' },
      RunbookName: { templateValue: { Ref: 'ReplaceImageWithEnaDocument' } },
      ExemptionTagKey: { ruleParameter: 'exemptionTagKey' },
    },
    automatic: 'never',
    comment:
      'A new AMI and a new launch template version change what future launches boot, so this remediation is never automatic: a person starts it from the rule\'s non-compliant AMIs (ResourceId ami-...) or templates (lt-...).',
  },
});
