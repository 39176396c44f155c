/**
 * The AMI report lists the AMIs running instances use but the account does not own (shared or
 * Marketplace AMIs), where the source knows the instances: the CLI's snapshot does, the Lambda's
 * live reader does not read instances at all.
 */
import { describe, expect, it } from 'vitest';
import { imageEnabledParameters } from '../../rules/image-enabled.js';
import type { ImageFacts } from '../../rules/image-facts.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { assessImages } from '../../src/checks/image-enabled.js';
import type { ImageReader } from '../../src/facts/image-reader.js';
import { imageFacts, templateFacts } from '../support/images.js';

const parsed = parseRuleParameters(imageEnabledParameters, {});
if (!parsed.ok) throw new Error(parsed.message);
const defaults = parsed.value;

const OWNED = 'ami-0a3c0ffee00000001';
const MARKETPLACE = 'ami-0b4d0ffee00000042';
const TEMPLATE_FOREIGN = 'ami-0b4d0ffee00000043';

function reader(instanceUsage: Map<string, number> | undefined, asked: string[][]): ImageReader {
  const foreign: ImageFacts[] = [
    imageFacts({ imageId: MARKETPLACE, ownerId: '679593333241', enaSupport: false }),
    imageFacts({ imageId: TEMPLATE_FOREIGN, ownerId: '137112412989' }),
  ];
  return {
    async *ownedImagePages() {
      yield [imageFacts({ imageId: OWNED })];
    },
    async *launchTemplatePages() {
      yield [templateFacts({ launchTemplateId: 'lt-0a1b2c3d4e5f60701', image: { kind: 'id', imageId: TEMPLATE_FOREIGN } })];
    },
    async resolveImageAliases() {
      return new Map();
    },
    async imagesById(ids) {
      const wanted = [...ids];
      asked.push(wanted);
      return new Map(foreign.filter((image) => wanted.includes(image.imageId)).map((image) => [image.imageId, image]));
    },
    async launchTemplateById() {
      return undefined;
    },
    ...(instanceUsage ? { instanceImageUsage: async () => instanceUsage } : {}),
  };
}

describe('the AMI report', () => {
  it('lists the AMIs running instances use but the account does not own, with how many instances run each', async () => {
    // Prepare
    const asked: string[][] = [];

    // Act
    const assessment = await assessImages(reader(new Map([[OWNED, 3], [MARKETPLACE, 2]]), asked), defaults);

    // Assess
    expect(assessment.images.map((image) => [image.imageId, image.owned, image.instances, image.launchTemplates.length])).toEqual([
      [OWNED, true, 3, 0],
      [MARKETPLACE, false, 2, 0],
      [TEMPLATE_FOREIGN, false, 0, 1],
    ]);
    expect(asked).toEqual([[TEMPLATE_FOREIGN, MARKETPLACE]]);
    // Only owned AMIs get an evaluation of their own; the Marketplace AMI is reported, not judged.
    expect(assessment.ownedImages.map((result) => result.resourceId)).toEqual([OWNED]);
  });

  it('reads no instance when the source does not hold them (the live reader of the Lambda)', async () => {
    // Prepare
    const asked: string[][] = [];

    // Act
    const assessment = await assessImages(reader(undefined, asked), defaults);

    // Assess
    expect(assessment.images.map((image) => image.imageId)).toEqual([OWNED, TEMPLATE_FOREIGN]);
    expect(asked).toEqual([[TEMPLATE_FOREIGN]]);
  });
});
