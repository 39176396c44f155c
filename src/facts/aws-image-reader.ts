/**
 * The live-account ImageReader: SDK v3 paginators, bulk reads, only the needed fields kept.
 *
 * Calls for an account with A owned AMIs, T launch templates, R AMIs that templates name but the
 * account does not own, and S distinct `resolve:ssm:` parameters:
 *   DescribeImages (owned)                  ceil(A / 1000)
 *   DescribeLaunchTemplates (tags)          ceil(T / 200)
 *   DescribeLaunchTemplateVersions $Default ceil(T / 200)
 *   DescribeLaunchTemplateVersions alias    S
 *   DescribeImages (by id)                  ceil(R / 200)
 */
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  paginateDescribeImages,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeLaunchTemplates,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { ImageFacts, LaunchTemplateFacts } from '../../rules/image-facts.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import {
  SSM_IMAGE_PREFIX,
  imageFactsFromSdk,
  launchTemplateFactsFromSdk,
  templateTags,
  type AliasResolution,
  type ImageReader,
} from './image-reader.js';

/**
 * DescribeImages page size: 1000, as for DescribeInstances. The API reference gives no range for
 * this MaxResults (unconfirmed): if EC2 ever refuses it, this constant is the one place to change.
 */
export const IMAGES_PER_PAGE = 1000;
/** DescribeLaunchTemplates and DescribeLaunchTemplateVersions accept 1–200 per page. */
export const LAUNCH_TEMPLATES_PER_PAGE = 200;
/**
 * AMI ids per by-id lookup, all in one `image-id` filter: EC2 refuses more than 200 filter values
 * in one call ("FilterLimitExceeded: The maximum number of filter values specified on a single
 * call is 200", as reported in public issues; not in the API reference), and this call has no
 * other filter.
 */
export const IMAGE_IDS_PER_CALL = 200;

export class AwsImageReader implements ImageReader {
  /**
   * @param now the clock that decides whether an AMI's deprecation time has passed and dates the
   * facts (`observedOn`, which exemption expiries are compared with).
   */
  constructor(
    private readonly ec2: EC2Client,
    private readonly now: () => Date,
  ) {}

  async *ownedImagePages(): AsyncIterable<readonly ImageFacts[]> {
    // IncludeDeprecated is implied for the owner; disabled AMIs are left out: they cannot launch
    // and are not offered to anyone, so they do not count. A template naming one still finds it
    // through imagesById, which asks for disabled AMIs too.
    const pages = paginateDescribeImages({ client: this.ec2, pageSize: IMAGES_PER_PAGE }, { Owners: ['self'], IncludeDeprecated: true });
    const now = this.now();
    yield* wrapPages('DescribeImages (owned AMIs)', pages, (page) => (page.Images ?? []).map((image) => imageFactsFromSdk(image, now)));
  }

  async *launchTemplatePages(): AsyncIterable<readonly LaunchTemplateFacts[]> {
    // Versions do not carry the template's own tags (only the tags it gives to instances), so
    // the templates are listed first for their tags: T/200 more calls, not one per template.
    const tagsById = new Map<string, Readonly<Record<string, string>>>();
    const templates = paginateDescribeLaunchTemplates({ client: this.ec2, pageSize: LAUNCH_TEMPLATES_PER_PAGE }, {});
    for await (const tags of wrapPages('DescribeLaunchTemplates', templates, (page) => templateTags(page.LaunchTemplates ?? []))) {
      for (const [id, tagMap] of tags) tagsById.set(id, tagMap);
    }
    // With `$Default` and no template id or name, one paginated call returns the default version
    // of every template in the account. ResolveAlias is not asked for here: one report says EC2
    // only resolves aliases when a single template version is named (packer-plugin-amazon-ami-
    // management PR 431; unconfirmed by the API reference), and the unresolved form is what
    // tells us a template uses `resolve:ssm:` at all. resolveImageAliases() resolves those.
    const versions = paginateDescribeLaunchTemplateVersions(
      { client: this.ec2, pageSize: LAUNCH_TEMPLATES_PER_PAGE },
      { Versions: ['$Default'] },
    );
    const now = this.now();
    yield* wrapPages('DescribeLaunchTemplateVersions', versions, (page) =>
      (page.LaunchTemplateVersions ?? []).map((version) =>
        launchTemplateFactsFromSdk(version, tagsById.get(version.LaunchTemplateId ?? '') ?? {}, now),
      ),
    );
  }

  /**
   * Asks EC2 to resolve each distinct parameter once, through the default version of the first
   * template that uses it (`ResolveAlias: true` on that one version), so the AMI is the one a
   * launch would get now, with EC2's own reading of versions, labels and shared parameters.
   * Whether EC2 then needs `ssm:GetParameters` from the caller is undocumented (launching does);
   * if it refuses, the error lands in that template's NOT_JUDGED detail, never in a verdict.
   */
  async resolveImageAliases(templates: readonly LaunchTemplateFacts[]): Promise<ReadonlyMap<string, AliasResolution>> {
    const byParameter = new Map<string, LaunchTemplateFacts[]>();
    for (const template of templates) {
      if (template.image.kind !== 'ssm') continue;
      const users = byParameter.get(template.image.parameter) ?? [];
      users.push(template);
      byParameter.set(template.image.parameter, users);
    }
    const resolutions = new Map<string, AliasResolution>();
    for (const [parameter, users] of byParameter) {
      const resolution = await this.resolveOne(parameter, users[0]!);
      for (const template of users) resolutions.set(template.launchTemplateId, resolution);
    }
    return resolutions;
  }

  private async resolveOne(parameter: string, template: LaunchTemplateFacts): Promise<AliasResolution> {
    try {
      const response = await this.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: template.launchTemplateId,
          ...(template.defaultVersion === undefined ? { Versions: ['$Default'] } : { Versions: [String(template.defaultVersion)] }),
          ResolveAlias: true,
        }),
      );
      const imageId = response.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId;
      if (!imageId || imageId.startsWith(SSM_IMAGE_PREFIX)) {
        return { ok: false, detail: `EC2 did not resolve ${parameter} (template ${template.launchTemplateId}): the template cannot be judged until it does.` };
      }
      return { ok: true, imageId };
    } catch (error) {
      return { ok: false, detail: `Could not resolve ${parameter} (template ${template.launchTemplateId}): ${describeError(error)}` };
    }
  }

  async launchTemplateById(launchTemplateId: string): Promise<LaunchTemplateFacts | undefined> {
    try {
      const [versions, templates] = await Promise.all([
        this.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Default'] })),
        this.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [launchTemplateId] })),
      ]);
      const version = versions.LaunchTemplateVersions?.[0];
      if (!version) return undefined;
      return launchTemplateFactsFromSdk(version, templateTags(templates.LaunchTemplates ?? []).get(launchTemplateId) ?? {}, this.now());
    } catch (error) {
      // EC2's answer for a template that was deleted (or never was).
      if ((error as { name?: string }).name === 'InvalidLaunchTemplateId.NotFound') return undefined;
      throw new FactsUnavailableError(`DescribeLaunchTemplate(Version)s for ${launchTemplateId} failed: ${describeError(error)}`, { cause: error });
    }
  }

  /**
   * Looks AMIs up with the `image-id` *filter* rather than the `ImageIds` list: with the list,
   * one id that is deregistered, unknown or malformed fails the whole call
   * (InvalidAMIID.NotFound / InvalidAMIID.Malformed) and every other AMI of the batch would go
   * unjudged; with the filter a missing AMI is simply absent, which is exactly the answer we
   * need. Deprecated and disabled AMIs are asked for too, so that they are reported as what
   * they are rather than as missing.
   */
  async imagesById(imageIds: Iterable<string>): Promise<ReadonlyMap<string, ImageFacts>> {
    const wanted = [...new Set(imageIds)];
    const found = new Map<string, ImageFacts>();
    const now = this.now();
    for (let start = 0; start < wanted.length; start += IMAGE_IDS_PER_CALL) {
      const batch = wanted.slice(start, start + IMAGE_IDS_PER_CALL);
      const pages = paginateDescribeImages(
        { client: this.ec2, pageSize: IMAGES_PER_PAGE },
        { Filters: [{ Name: 'image-id', Values: batch }], IncludeDeprecated: true, IncludeDisabled: true },
      );
      for await (const images of wrapPages(`DescribeImages (${batch.length} AMIs by id)`, pages, (page) => page.Images ?? [])) {
        for (const image of images) {
          const facts = imageFactsFromSdk(image, now);
          found.set(facts.imageId, facts);
        }
      }
    }
    return found;
  }
}

/** Maps each page as it arrives; any failure becomes one FactsUnavailableError naming the call. */
async function* wrapPages<P, T>(call: string, pages: AsyncIterable<P>, map: (page: P) => T): AsyncIterable<T> {
  try {
    for await (const page of pages) yield map(page);
  } catch (error) {
    if (error instanceof FactsUnavailableError) throw error;
    throw new FactsUnavailableError(`${call} failed: ${describeError(error)}`, { cause: error });
  }
}
