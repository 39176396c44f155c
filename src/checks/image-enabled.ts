/**
 * Binds the pure `ena-image-enabled` rule to an ImageReader, for the engine and the CLI.
 *
 * A sweep reads every owned AMI and every launch template's default version, resolves
 * `resolve:ssm:` AMIs, looks up the AMIs templates name that the account does not own (in
 * batches), then reports one result per owned AMI (`AWS::EC2::Image`) and one per launch
 * template. Calls: the DescribeImages and DescribeLaunchTemplates/-Versions pages, one
 * DescribeLaunchTemplateVersions per distinct `resolve:ssm:` parameter, ⌈foreign AMIs/200⌉
 * DescribeImages. A change event re-judges one AMI (its configuration item, completed by one
 * DescribeImages by id when a field is missing) or one template (read live). The per-AMI detail
 * is also written as one structured log record per run.
 */
import type { ImageRuleDeclaration } from '../../rules/declaration.js';
import {
  describeImages,
  evaluateLaunchTemplateImage,
  evaluateOwnedImage,
  type ImageDetail,
  type ImageEnabledParameters,
} from '../../rules/image-enabled.js';
import { referencedImageId, type ImageFacts, type ImageLookup, type LaunchTemplateFacts } from '../../rules/image-facts.js';
import { describeStackScope, inStackScope, stackScopeOf } from '../../rules/stack-scope.js';
import { notApplicable } from '../../rules/verdict.js';
import type { ConfigurationItem } from '../engine/config-event.js';
import type { Log } from '../engine/ports.js';
import type { ConfigRuleSpec, EngineReason, ResourceResult } from '../engine/rule-spec.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import type { ImageReader } from '../facts/image-reader.js';
import { imageFactsFromConfigurationItem } from './image-configuration-item.js';

export const IMAGE_RESOURCE_TYPE = 'AWS::EC2::Image';
export const LAUNCH_TEMPLATE_RESOURCE_TYPE = 'AWS::EC2::LaunchTemplate';

/** Results handed to the engine at a time (one PutEvaluations call's worth). */
const RESULTS_PER_BATCH = 100;

/** The message of the per-run AMI report record. */
export const IMAGE_REPORT_MESSAGE = 'AMI report';

/**
 * CloudWatch Logs refuses events over 256 KiB; a report larger than this many characters of
 * JSON is split into parts (`part` of `parts`), each still a complete record.
 */
export const IMAGE_REPORT_RECORD_LIMIT = 200_000;

export interface ImageAssessment {
  /** The account judged; undefined when neither the caller nor the facts said. */
  readonly accountId: string | undefined;
  /** One result per owned AMI in scope (`AWS::EC2::Image`). */
  readonly ownedImages: readonly ResourceResult[];
  /** One result per launch template in scope (`AWS::EC2::LaunchTemplate`). */
  readonly templates: readonly ResourceResult[];
  /** Every owned AMI and every other AMI a template names, sorted by id. */
  readonly images: readonly ImageDetail[];
}

export interface ImageRuleSources {
  readonly images: ImageReader;
  /** The time of the run: dates a change event's recorded AMI (`observedOn`), as the reader dates its own. */
  readonly now: () => Date;
}

/**
 * Binds an image rule to its ImageReader. The assessment below is ena-image-enabled's own (it
 * calls that rule's evaluate functions); a second image rule would bring its own assessment.
 */
export function bindImageRule(rule: ImageRuleDeclaration, sources: ImageRuleSources): ConfigRuleSpec {
  return {
    name: rule.id,
    parameters: rule.parameters,
    changeResourceTypes: rule.triggers.changeResourceTypes,
    sweptResourceTypes: [...rule.reportedResourceTypes, ...(rule.formerResourceTypes ?? [])],

    async judgeChange(item, parameters) {
      return judgeChangedImageResource(sources.images, item, parameters as ImageEnabledParameters, sources.now());
    },

    async *sweep(parameters, context) {
      const assessment = await assessImages(sources.images, parameters as ImageEnabledParameters, { accountId: context.accountId });
      logImageReport(context.log, assessment);
      const results = [...assessment.ownedImages, ...assessment.templates];
      for (let start = 0; start < results.length; start += RESULTS_PER_BATCH) {
        yield results.slice(start, start + RESULTS_PER_BATCH);
      }
    },
  };
}

/** Re-judges the AMI or the launch template of a change event. */
async function judgeChangedImageResource(images: ImageReader, item: ConfigurationItem, parameters: ImageEnabledParameters, now: Date): Promise<ResourceResult> {
  const subject = { resourceType: item.resourceType, resourceId: item.resourceId };
  const scope = stackScopeOf(parameters);
  const outOfScope = (tags: Readonly<Record<string, string>>): ResourceResult | undefined =>
    scope && !inStackScope(tags, scope)
      ? { ...subject, verdict: notApplicable<EngineReason>(`Outside this stack's scope: not ${describeStackScope(scope)}.`, 'OUT_OF_STACK_SCOPE') }
      : undefined;
  const gone = (what: string): ResourceResult => ({ ...subject, verdict: notApplicable<EngineReason>(`The ${what} no longer exists.`, 'RESOURCE_GONE') });

  if (item.resourceType === IMAGE_RESOURCE_TYPE) {
    const recorded = imageFactsFromConfigurationItem(item, now);
    const image = recorded.complete ? recorded.image : (await images.imagesById([item.resourceId])).get(item.resourceId);
    if (!image) return gone('AMI');
    return outOfScope(image.tags) ?? { ...subject, verdict: evaluateOwnedImage(image, parameters), details: imageDetails(image) };
  }

  // A launch template's configuration item does not say which AMI its default version launches
  // now (aliases resolve at launch): the template is read live.
  const template = await images.launchTemplateById(item.resourceId);
  if (!template) return gone('launch template');
  const scoped = outOfScope(template.tags);
  if (scoped) return scoped;
  const { templates, aliasFailures } = await resolveAliases(images, [template]);
  const resolved = templates[0] ?? template;
  const imageId = referencedImageId(resolved.image);
  const found = imageId === undefined ? new Map<string, ImageLookup>() : await lookUp(images, [imageId]);
  return templateResult(resolved, templateLookup(resolved, aliasFailures, (id) => found.get(id)), parameters);
}

/** What a template's AMI lookup found: unknown when its alias did not resolve, missing when absent. */
function templateLookup(
  template: LaunchTemplateFacts,
  aliasFailures: ReadonlyMap<string, string>,
  lookupOf: (imageId: string) => ImageLookup | undefined,
): ImageLookup {
  const failure = aliasFailures.get(template.launchTemplateId);
  if (failure !== undefined) return { kind: 'unknown', detail: failure };
  const id = referencedImageId(template.image);
  return id === undefined ? { kind: 'missing' } : (lookupOf(id) ?? { kind: 'missing' });
}

function imageDetails(image: ImageFacts): Record<string, string> {
  return { ...(image.name === undefined ? {} : { name: image.name }), ...(image.virtualizationType === undefined ? {} : { virtualizationType: image.virtualizationType }) };
}

function templateResult(template: LaunchTemplateFacts, lookup: ImageLookup, parameters: ImageEnabledParameters): ResourceResult {
  const imageId = referencedImageId(template.image);
  return {
    resourceType: LAUNCH_TEMPLATE_RESOURCE_TYPE,
    resourceId: template.launchTemplateId,
    verdict: evaluateLaunchTemplateImage({ template, lookup }, parameters),
    details: {
      launchTemplateName: template.launchTemplateName,
      ...(imageId === undefined ? {} : { imageId }),
      ...(template.image.kind === 'ssm' ? { imageParameter: template.image.parameter } : {}),
    },
  };
}

/**
 * Reads the facts and judges every owned AMI and every launch template. Fails (FactsUnavailableError)
 * only when the owned AMIs or the launch templates cannot be read; a failed lookup or alias
 * resolution leaves just the templates concerned unjudged.
 */
export async function assessImages(
  images: ImageReader,
  parameters: ImageEnabledParameters,
  context: { readonly accountId?: string | undefined } = {},
): Promise<ImageAssessment> {
  // The stack's scope selects the owned AMIs and the templates judged; an AMI a template in scope
  // names is still looked up, whatever its tags.
  const scope = stackScopeOf(parameters);
  const owned: ImageFacts[] = [];
  for await (const page of images.ownedImagePages()) owned.push(...page.filter((image) => inStackScope(image.tags, scope)));
  const listed: LaunchTemplateFacts[] = [];
  for await (const page of images.launchTemplatePages()) listed.push(...page.filter((template) => inStackScope(template.tags, scope)));

  const { templates, aliasFailures } = await resolveAliases(images, listed);
  const ownedById = new Map(owned.map((image) => [image.imageId, image]));
  const foreignIds = [...new Set(templates.map((template) => referencedImageId(template.image)))].filter(
    (id): id is string => id !== undefined && !ownedById.has(id),
  );
  // AMIs that running instances use but the account does not own (shared, Marketplace), where the
  // source knows the instances (the CLI's snapshot): looked up with the templates' ones, in the report.
  const instanceUsage = (await images.instanceImageUsage?.()) ?? new Map<string, number>();
  const templateIds = new Set(foreignIds);
  const instanceForeignIds = [...instanceUsage.keys()].filter((id) => !ownedById.has(id) && !templateIds.has(id));
  const referenced = await lookUp(images, [...foreignIds, ...instanceForeignIds]);
  const lookupOf = (template: LaunchTemplateFacts): ImageLookup =>
    templateLookup(template, aliasFailures, (id) => {
      const mine = ownedById.get(id);
      return mine ? { kind: 'found', image: mine } : referenced.get(id);
    });

  const templateResults = templates.map((template) => templateResult(template, lookupOf(template), parameters));

  const usage = new Map<string, number>();
  for (const template of templates) {
    const id = referencedImageId(template.image);
    if (id !== undefined) usage.set(id, (usage.get(id) ?? 0) + 1);
  }
  const accountId = context.accountId ?? owned.find((image) => image.ownerId)?.ownerId ?? (await images.accountId?.());
  const ownedImages = owned.map(
    (image): ResourceResult => ({
      resourceType: IMAGE_RESOURCE_TYPE,
      resourceId: image.imageId,
      verdict: evaluateOwnedImage(image, parameters, usage.get(image.imageId) ?? 0),
      details: imageDetails(image),
    }),
  );

  const catalog = {
    owned,
    referenced,
    instanceUsage,
    templates: templates.map((template) => ({
      template,
      imageId: aliasFailures.has(template.launchTemplateId) ? undefined : referencedImageId(template.image),
    })),
  };
  return { accountId, ownedImages, templates: templateResults, images: describeImages(catalog, parameters) };
}

/** Fills in the AMI of every `resolve:ssm:` template; a failure is kept per template. */
async function resolveAliases(
  images: ImageReader,
  listed: readonly LaunchTemplateFacts[],
): Promise<{ templates: LaunchTemplateFacts[]; aliasFailures: Map<string, string> }> {
  const aliasFailures = new Map<string, string>();
  const unresolved = listed.filter((template) => template.image.kind === 'ssm' && template.image.imageId === undefined);
  if (unresolved.length === 0) return { templates: [...listed], aliasFailures };
  const resolutions = await images.resolveImageAliases(unresolved);
  const templates = listed.map((template) => {
    if (template.image.kind !== 'ssm' || template.image.imageId !== undefined) return template;
    const resolution = resolutions.get(template.launchTemplateId);
    if (resolution?.ok) return { ...template, image: { ...template.image, imageId: resolution.imageId } };
    aliasFailures.set(template.launchTemplateId, resolution?.detail ?? `${template.image.parameter} was not resolved.`);
    return template;
  });
  return { templates, aliasFailures };
}

/** Looks up AMIs the account does not own; a failed lookup makes them unknown, not missing. */
async function lookUp(images: ImageReader, imageIds: readonly string[]): Promise<ReadonlyMap<string, ImageLookup>> {
  if (imageIds.length === 0) return new Map();
  try {
    const found = await images.imagesById(imageIds);
    return new Map(
      imageIds.map((id): [string, ImageLookup] => {
        const image = found.get(id);
        return [id, image ? { kind: 'found', image } : { kind: 'missing' }];
      }),
    );
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    const detail = `Could not look the AMI up: ${describeError(error)}`;
    return new Map(imageIds.map((id): [string, ImageLookup] => [id, { kind: 'unknown', detail }]));
  }
}

/** Writes the per-AMI detail as one structured record (split only when CloudWatch would refuse it). */
export function logImageReport(log: Log, assessment: ImageAssessment): void {
  const summary = {
    accountId: assessment.accountId,
    ownedImages: assessment.images.filter((image) => image.owned).length,
    countedImages: assessment.images.filter((image) => image.scope === 'counted').length,
    imagesWithoutEna: assessment.images.filter((image) => image.scope === 'counted' && !image.enaSupport).length,
    imagesThatCannotGetEna: assessment.images.filter((image) => image.cannotGetEna).length,
    launchTemplates: assessment.templates.length,
  };
  const parts: ImageDetail[][] = [[]];
  let size = JSON.stringify(summary).length;
  for (const image of assessment.images) {
    const entry = JSON.stringify(image).length + 1;
    if (size + entry > IMAGE_REPORT_RECORD_LIMIT && parts.at(-1)!.length > 0) {
      parts.push([]);
      size = JSON.stringify(summary).length;
    }
    parts.at(-1)!.push(image);
    size += entry;
  }
  parts.forEach((images, index) => log.info(IMAGE_REPORT_MESSAGE, { ...summary, part: index + 1, parts: parts.length, images }));
}
