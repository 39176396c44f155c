/**
 * The offline ImageReader, from files exactly as the AWS CLI prints them:
 *
 *   aws ec2 describe-images --owners self --output json                    > describe-images.json
 *   aws ec2 describe-launch-template-versions --versions '$Default' \
 *       --resolve-alias --output json                         > describe-launch-template-versions.json
 *   aws ec2 describe-launch-templates --output json          > describe-launch-templates.json (optional: template tags)
 *   aws ec2 describe-images --include-deprecated --include-disabled \
 *       --filters Name=image-id,Values=<AMIs the templates name> --output json
 *                                                             > describe-referenced-images.json (optional)
 *   aws ssm get-parameters --names <parameters> --output json > get-parameters.json (optional)
 *
 * Without describe-launch-templates.json no template is exempt. Without
 * describe-referenced-images.json an AMI the account does not own cannot be judged (it is not
 * "missing": the snapshot simply does not say). A `resolve:ssm:` AMI left unresolved (exported
 * without --resolve-alias) is read from get-parameters.json, or left unjudged.
 */
import type { Image, LaunchTemplate, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import * as z from 'zod';
import type { ImageFacts, LaunchTemplateFacts } from '../../rules/image-facts.js';
import { MissingSnapshotFileError } from '../errors.js';
import { IMAGES_PER_PAGE, LAUNCH_TEMPLATES_PER_PAGE } from './aws-image-reader.js';
import {
  SSM_IMAGE_PREFIX,
  imageFactsFromSdk,
  launchTemplateFactsFromSdk,
  templateTags,
  type AliasResolution,
  type ImageReader,
} from './image-reader.js';
import { streamSnapshotArray } from './snapshot-array-stream.js';
import { SNAPSHOT_FILES, readSnapshotFile } from './snapshot-fleet-reader.js';

export const IMAGE_SNAPSHOT_FILES = {
  ownedImages: 'describe-images.json',
  launchTemplateVersions: 'describe-launch-template-versions.json',
  launchTemplates: 'describe-launch-templates.json',
  referencedImages: 'describe-referenced-images.json',
  parameters: 'get-parameters.json',
} as const;

const tagsSchema = z.array(z.looseObject({ Key: z.string(), Value: z.string().nullish() })).nullish();
const describeImagesSchema = z.looseObject({
  Images: z.array(
    z.looseObject({
      ImageId: z.string().min(1),
      EnaSupport: z.boolean().nullish(),
      State: z.string().optional(),
      // Read as the live reader reads them (imageFactsFromSdk): a value EC2 does not document is unknown.
      VirtualizationType: z.string().optional(),
      RootDeviceType: z.string().optional(),
      Tags: tagsSchema,
    }),
  ),
});
const describeLaunchTemplateVersionsSchema = z.looseObject({
  LaunchTemplateVersions: z.array(
    z.looseObject({
      LaunchTemplateId: z.string().min(1),
      LaunchTemplateName: z.string().optional(),
      VersionNumber: z.number().int().optional(),
      LaunchTemplateData: z.looseObject({ ImageId: z.string().optional() }).optional(),
    }),
  ),
});
const describeLaunchTemplatesSchema = z.looseObject({
  LaunchTemplates: z.array(z.looseObject({ LaunchTemplateId: z.string().min(1), Tags: tagsSchema })),
});
const getParametersSchema = z.looseObject({
  Parameters: z.array(z.looseObject({ Name: z.string().min(1), Value: z.string(), Selector: z.string().optional() })),
  InvalidParameters: z.array(z.string()).optional(),
});
/** describe-instances.json, streamed a reservation at a time (it passes 512 MiB for a large fleet). */
const reservations = {
  key: 'Reservations',
  element: z.looseObject({
    OwnerId: z.string().optional(),
    Instances: z.array(z.looseObject({ ImageId: z.string().optional(), State: z.looseObject({ Name: z.string() }).optional() })),
  }),
};

export class SnapshotImageReader implements ImageReader {
  private owned: Promise<ImageFacts[]> | undefined;

  /**
   * @param now decides whether an AMI's deprecation time has passed and dates the facts
   * (`observedOn`, which exemption expiries are compared with): the time of the run, not of the export.
   */
  constructor(
    readonly directory: string,
    private readonly now: () => Date,
  ) {}

  async *ownedImagePages(): AsyncIterable<readonly ImageFacts[]> {
    const images = await this.ownedImages();
    for (let start = 0; start < images.length; start += IMAGES_PER_PAGE) yield images.slice(start, start + IMAGES_PER_PAGE);
  }

  async *launchTemplatePages(): AsyncIterable<readonly LaunchTemplateFacts[]> {
    const output = await readSnapshotFile(this.directory, IMAGE_SNAPSHOT_FILES.launchTemplateVersions, describeLaunchTemplateVersionsSchema);
    const tags = await this.templateTags();
    const now = this.now();
    const templates = output.LaunchTemplateVersions.map((version) =>
      launchTemplateFactsFromSdk(version as LaunchTemplateVersion, tags.get(version.LaunchTemplateId) ?? {}, now),
    );
    for (let start = 0; start < templates.length; start += LAUNCH_TEMPLATES_PER_PAGE) {
      yield templates.slice(start, start + LAUNCH_TEMPLATES_PER_PAGE);
    }
  }

  async resolveImageAliases(templates: readonly LaunchTemplateFacts[]): Promise<ReadonlyMap<string, AliasResolution>> {
    const aliased = templates.filter((template) => template.image.kind === 'ssm');
    if (aliased.length === 0) return new Map();
    let values: Map<string, string>;
    try {
      const output = await readSnapshotFile(this.directory, IMAGE_SNAPSHOT_FILES.parameters, getParametersSchema);
      values = new Map(output.Parameters.map((parameter) => [`${parameter.Name}${parameter.Selector ?? ''}`, parameter.Value]));
    } catch (error) {
      if (!(error instanceof MissingSnapshotFileError)) throw error;
      values = new Map();
    }
    const resolutions = new Map<string, AliasResolution>();
    for (const template of aliased) {
      if (template.image.kind !== 'ssm') continue;
      const name = template.image.parameter.slice(SSM_IMAGE_PREFIX.length);
      const value = values.get(name);
      resolutions.set(
        template.launchTemplateId,
        value
          ? { ok: true, imageId: value }
          : {
              ok: false,
              detail: `The snapshot does not resolve ${template.image.parameter}: export ${IMAGE_SNAPSHOT_FILES.launchTemplateVersions} with --resolve-alias, or add ${IMAGE_SNAPSHOT_FILES.parameters}.`,
            },
      );
    }
    return resolutions;
  }

  async imagesById(imageIds: Iterable<string>): Promise<ReadonlyMap<string, ImageFacts>> {
    const wanted = [...new Set(imageIds)];
    const known = new Map((await this.ownedImages()).map((image) => [image.imageId, image]));
    if (wanted.some((id) => !known.has(id))) {
      // Throws MissingSnapshotFileError naming the file when the export is not there.
      const output = await readSnapshotFile(this.directory, IMAGE_SNAPSHOT_FILES.referencedImages, describeImagesSchema);
      for (const image of output.Images) known.set(image.ImageId, imageFactsFromSdk(image as Image, this.now()));
    }
    return new Map(wanted.flatMap((id) => (known.has(id) ? [[id, known.get(id)!] as const] : [])));
  }

  async launchTemplateById(launchTemplateId: string): Promise<LaunchTemplateFacts | undefined> {
    for await (const page of this.launchTemplatePages()) {
      const template = page.find((candidate) => candidate.launchTemplateId === launchTemplateId);
      if (template) return template;
    }
    return undefined;
  }

  /** Instances not terminated in describe-instances.json, counted by AMI; empty without the file. */
  async instanceImageUsage(): Promise<ReadonlyMap<string, number>> {
    const usage = new Map<string, number>();
    try {
      await streamSnapshotArray(this.directory, SNAPSHOT_FILES.instances, reservations, (reservation) => {
        for (const instance of reservation.Instances) {
          if (!instance.ImageId || instance.State?.Name === 'terminated') continue;
          usage.set(instance.ImageId, (usage.get(instance.ImageId) ?? 0) + 1);
        }
      });
    } catch (error) {
      if (!(error instanceof MissingSnapshotFileError)) throw error;
    }
    return usage;
  }

  /** The owner of the reservations in describe-instances.json, when that file is there. */
  async accountId(): Promise<string | undefined> {
    try {
      let owner: string | undefined;
      await streamSnapshotArray(this.directory, SNAPSHOT_FILES.instances, reservations, (reservation) => {
        owner ??= reservation.OwnerId;
      });
      return owner;
    } catch (error) {
      if (error instanceof MissingSnapshotFileError) return undefined;
      throw error;
    }
  }

  private ownedImages(): Promise<ImageFacts[]> {
    return (this.owned ??= this.loadOwned());
  }

  private async loadOwned(): Promise<ImageFacts[]> {
    const output = await readSnapshotFile(this.directory, IMAGE_SNAPSHOT_FILES.ownedImages, describeImagesSchema);
    const now = this.now();
    return output.Images.map((image) => imageFactsFromSdk(image as Image, now));
  }

  private async templateTags(): Promise<ReadonlyMap<string, Readonly<Record<string, string>>>> {
    try {
      const output = await readSnapshotFile(this.directory, IMAGE_SNAPSHOT_FILES.launchTemplates, describeLaunchTemplatesSchema);
      return templateTags(output.LaunchTemplates as LaunchTemplate[]);
    } catch (error) {
      if (error instanceof MissingSnapshotFileError) return new Map();
      throw error;
    }
  }
}
