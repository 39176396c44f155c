import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeImages,
  evaluateLaunchTemplateImage,
  evaluateOwnedImages,
  imageEnabledParameters,
  listWithin,
  type ImageEnabledParameters,
  type LaunchTemplateImageReason,
} from '../../rules/image-enabled.js';
import type { ImageFacts, ImageLookup, LaunchTemplateFacts } from '../../rules/image-facts.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { MAX_ANNOTATION_LENGTH } from '../../rules/verdict.js';
import { amiId, imageFacts, templateFacts } from '../support/images.js';

const defaults: ImageEnabledParameters = { exemptionTagKey: 'ena-guard:exempt', scopeTagKey: '', scopeTagValue: '', includeDeprecatedImages: true };

const found = (overrides: Partial<ImageFacts> = {}): ImageLookup => ({ kind: 'found', image: imageFacts(overrides) });

interface TemplateRow {
  readonly situation: string;
  readonly template?: Partial<LaunchTemplateFacts>;
  readonly lookup: ImageLookup;
  readonly parameters?: Partial<ImageEnabledParameters>;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'not judged';
  readonly reason: LaunchTemplateImageReason;
  readonly annotationIncludes: readonly string[];
}

const SSM = 'resolve:ssm:/golden/al2023/latest';

const templateRows: TemplateRow[] = [
  { situation: 'ENA AMI', lookup: found(), compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotationIncludes: [`AMI ${amiId(1)} has ENA`] },
  { situation: 'non-ENA AMI', lookup: found({ enaSupport: false }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: [amiId(1), 'lacks ENA', 'EnaGuard-ReplaceImageWithEna'] },
  { situation: 'AMI with enaSupport missing', lookup: found({ enaSupport: undefined }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: ['lacks ENA'] },
  { situation: 'deregistered AMI, still listed', lookup: found({ state: 'deregistered' }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_UNUSABLE', annotationIncludes: [amiId(1), 'is deregistered', 'launches from this template fail', 'EnaGuard-ReplaceImageWithEna'] },
  { situation: 'disabled AMI', lookup: found({ state: 'disabled' }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_UNUSABLE', annotationIncludes: ['is disabled'] },
  { situation: 'deregistered, not found or not shared AMI', lookup: { kind: 'missing' }, compliance: 'NON_COMPLIANT', reason: 'IMAGE_NOT_FOUND', annotationIncludes: [amiId(1), 'deregistered, not found or not shared', 'EnaGuard-ReplaceImageWithEna'] },
  { situation: 'pending AMI with ENA', lookup: found({ state: 'pending' }), compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotationIncludes: ['has ENA'] },
  { situation: 'resolve:ssm: AMI with ENA', template: { image: { kind: 'ssm', parameter: SSM, imageId: amiId(1) } }, lookup: found(), compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotationIncludes: [`AMI ${amiId(1)} (from ${SSM}) has ENA`] },
  { situation: 'resolve:ssm: AMI without ENA', template: { image: { kind: 'ssm', parameter: SSM, imageId: amiId(1) } }, lookup: found({ enaSupport: false }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: [SSM, 'lacks ENA'] },
  { situation: 'resolve:ssm: AMI that could not be resolved', template: { image: { kind: 'ssm', parameter: SSM, imageId: undefined } }, lookup: { kind: 'unknown', detail: `Could not resolve ${SSM}` }, compliance: 'not judged', reason: 'IMAGE_UNKNOWN', annotationIncludes: [SSM] },
  { situation: 'AMI lookup failed', lookup: { kind: 'unknown', detail: 'DescribeImages failed: throttled' }, compliance: 'not judged', reason: 'IMAGE_UNKNOWN', annotationIncludes: ['throttled'] },
  { situation: 'template with no AMI', template: { image: { kind: 'none' }, defaultVersion: 4 }, lookup: { kind: 'missing' }, compliance: 'NOT_APPLICABLE', reason: 'NO_IMAGE', annotationIncludes: ['Default version 4 names no AMI'] },
  { situation: 'exempt template with a non-ENA AMI', template: { tags: { 'ena-guard:exempt': 'vendor appliance, CHG-42' } }, lookup: found({ enaSupport: false }), compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: ['"vendor appliance, CHG-42"'] },
  { situation: 'template exempt by a custom tag key', template: { tags: { 'team:no-ena': '' } }, lookup: { kind: 'missing' }, parameters: { exemptionTagKey: 'team:no-ena' }, compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: ['no reason given'] },
  { situation: 'exempt AMI used by a template that is not exempt', lookup: found({ enaSupport: false, tags: { 'ena-guard:exempt': 'vendor image' } }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: ['The AMI is exempt by tag ena-guard:exempt; tag the template too'] },
  { situation: 'PV AMI', lookup: found({ enaSupport: false, virtualizationType: 'paravirtual' }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_PARAVIRTUAL', annotationIncludes: ['paravirtual (PV) and cannot get ENA', 'rebuild it as an HVM AMI', 'EnaGuard-ReplaceImageWithEna'] },
  { situation: 'deprecated AMI with ENA (still launches)', lookup: found({ deprecated: true, deprecationTime: '2026-01-01T00:00:00.000Z' }), parameters: { includeDeprecatedImages: false }, compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotationIncludes: ['has ENA'] },
];

describe('ena-image-enabled on launch templates', () => {
  it.each(templateRows)('$situation → $compliance', ({ template, lookup, parameters, compliance, reason, annotationIncludes }) => {
    // Act
    const verdict = evaluateLaunchTemplateImage({ template: templateFacts(template), lookup }, { ...defaults, ...parameters });

    // Assess
    if (compliance === 'not judged') {
      expect(verdict.outcome).toBe('not-judged');
      if (verdict.outcome === 'not-judged') for (const text of annotationIncludes) expect(verdict.detail).toContain(text);
    } else {
      expect(verdict).toMatchObject({ outcome: 'judged', compliance });
      if (verdict.outcome === 'judged') {
        for (const text of annotationIncludes) expect(verdict.annotation).toContain(text);
        expect(verdict.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
      }
    }
    expect(verdict.reasons).toEqual([reason]);
  });

  it('never reports a template whose AMI could not be looked up as NON_COMPLIANT', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (detail, ssm) => {
        // Prepare
        const template = templateFacts(ssm ? { image: { kind: 'ssm', parameter: SSM, imageId: undefined } } : {});

        // Act
        const verdict = evaluateLaunchTemplateImage({ template, lookup: { kind: 'unknown', detail } }, defaults);

        // Assess
        expect(verdict.outcome).toBe('not-judged');
      }),
    );
  });
});

interface AccountRow {
  readonly situation: string;
  readonly images: readonly Partial<ImageFacts>[];
  readonly parameters?: Partial<ImageEnabledParameters>;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT';
  readonly annotation: string;
}

const accountRows: AccountRow[] = [
  { situation: 'no owned AMIs', images: [], compliance: 'COMPLIANT', annotation: 'The account owns no AMIs in scope.' },
  { situation: 'every owned AMI has ENA', images: [{ imageId: amiId(1) }, { imageId: amiId(2) }], compliance: 'COMPLIANT', annotation: 'All 2 owned AMIs in scope have ENA.' },
  { situation: 'one owned AMI lacks ENA', images: [{ imageId: amiId(1) }, { imageId: amiId(2), enaSupport: false }], compliance: 'NON_COMPLIANT', annotation: `1 of 2 owned AMIs lacks ENA: ${amiId(2)}. Run EnaGuard-ReplaceImageWithEna.` },
  { situation: 'exempt AMI is not counted', images: [{ imageId: amiId(1) }, { imageId: amiId(2), enaSupport: false, tags: { 'ena-guard:exempt': 'vendor' } }], compliance: 'COMPLIANT', annotation: 'The one owned AMI in scope has ENA (not counted: 1 exempt).' },
  { situation: 'PV AMI is counted and called out', images: [{ imageId: amiId(1), enaSupport: false, virtualizationType: 'paravirtual' }], compliance: 'NON_COMPLIANT', annotation: `1 of 1 owned AMI lacks ENA: ${amiId(1)}. Run EnaGuard-ReplaceImageWithEna; 1 PV, rebuild as HVM.` },
  { situation: 'deprecated non-ENA AMI counts by default', images: [{ imageId: amiId(1), enaSupport: false, deprecated: true }], compliance: 'NON_COMPLIANT', annotation: `1 of 1 owned AMI lacks ENA: ${amiId(1)}. Run EnaGuard-ReplaceImageWithEna.` },
  { situation: 'deprecated non-ENA AMI skipped when includeDeprecatedImages is false', images: [{ imageId: amiId(1), enaSupport: false, deprecated: true }, { imageId: amiId(2) }], parameters: { includeDeprecatedImages: false }, compliance: 'COMPLIANT', annotation: 'The one owned AMI in scope has ENA (not counted: 1 deprecated).' },
  { situation: 'deregistered AMI still listed is not counted', images: [{ imageId: amiId(1), enaSupport: false, state: 'deregistered' }], compliance: 'COMPLIANT', annotation: 'The account owns no AMIs in scope (not counted: 1 unusable).' },
];

describe('ena-image-enabled on the account', () => {
  it.each(accountRows)('$situation → $compliance', ({ images, parameters, compliance, annotation }) => {
    // Act
    const verdict = evaluateOwnedImages(images.map((image) => imageFacts(image)), { ...defaults, ...parameters });

    // Assess
    expect(verdict).toMatchObject({ outcome: 'judged', compliance, annotation });
  });

  it('names the AMIs used by launch templates first, then the newest, and counts the rest', () => {
    // Prepare
    const images = Array.from({ length: 120 }, (_, index) =>
      imageFacts({ imageId: amiId(index), enaSupport: index % 40 !== 0, creationDate: `2026-01-${String((index % 28) + 1).padStart(2, '0')}T00:00:00.000Z` }),
    );
    const usage = new Map([[amiId(80), 2]]);

    // Act
    const verdict = evaluateOwnedImages(images, defaults, usage);

    // Assess
    expect(verdict.annotation).toBe(`3 of 120 owned AMIs lack ENA: ${amiId(80)}, ${amiId(40)}, ${amiId(0)}. Run EnaGuard-ReplaceImageWithEna.`);
  });

  it('never writes an account annotation over 256 characters, however many AMIs fail', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 3 }), (failing, passing, pvEvery) => {
        // Prepare
        const images = Array.from({ length: failing + passing }, (_, index) =>
          imageFacts({
            imageId: amiId(index * 7919),
            enaSupport: index >= failing,
            virtualizationType: pvEvery > 0 && index % (pvEvery + 1) === 0 ? 'paravirtual' : 'hvm',
          }),
        );

        // Act
        const verdict = evaluateOwnedImages(images, defaults);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
        expect(verdict.annotation).toMatch(new RegExp(`^${failing} of ${failing + passing} owned AMIs? lacks? ENA: ami-`));
        const named = verdict.annotation.match(/ami-[0-9a-f]{17}/g) ?? [];
        const more = Number(/\(\+(\d+) more\)/.exec(verdict.annotation)?.[1] ?? 0);
        expect(named.length + more).toBe(failing);
        expect(verdict.annotation).toContain('EnaGuard-ReplaceImageWithEna');
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to trimming when even the head and tail do not fit, and never cuts an id in the middle otherwise', () => {
    // Act
    const tooLong = listWithin('x'.repeat(300), ['ami-1'], '.');
    const fits = listWithin('head: ', ['ami-aaaa', 'ami-bbbb', 'ami-cccc'], '.', 30);

    // Assess
    expect(tooLong.length).toBe(MAX_ANNOTATION_LENGTH);
    expect(tooLong.endsWith('…')).toBe(true);
    expect(fits).toBe('head: ami-aaaa (+2 more).');
  });
});

describe('per-AMI detail', () => {
  it('describes owned and referenced AMIs with the launch templates that use them', () => {
    // Prepare
    const pv = imageFacts({ imageId: amiId(2), name: 'legacy-pv', enaSupport: false, virtualizationType: 'paravirtual', rootDeviceType: 'instance-store' });
    const web = templateFacts({ launchTemplateId: 'lt-1', launchTemplateName: 'web', image: { kind: 'id', imageId: amiId(2) } });
    const batch = templateFacts({ launchTemplateId: 'lt-2', launchTemplateName: 'batch', image: { kind: 'id', imageId: amiId(9) } });
    const catalog = {
      owned: [imageFacts({ imageId: amiId(1), deprecated: true, deprecationTime: '2026-02-01T00:00:00.000Z' }), pv],
      referenced: new Map<string, ImageLookup>([[amiId(9), { kind: 'missing' }]]),
      templates: [
        { template: web, imageId: amiId(2) },
        { template: batch, imageId: amiId(9) },
      ],
    };

    // Act
    const details = describeImages(catalog, { ...defaults, includeDeprecatedImages: false });

    // Assess
    expect(details.map((detail) => [detail.imageId, detail.scope, detail.state])).toEqual([
      [amiId(1), 'deprecated', 'available'],
      [amiId(2), 'counted', 'available'],
      [amiId(9), 'not-owned', 'not-found'],
    ]);
    expect(details[1]).toMatchObject({
      name: 'legacy-pv',
      ownerId: '123456789012',
      owned: true,
      virtualizationType: 'paravirtual',
      rootDeviceType: 'instance-store',
      enaSupport: false,
      cannotGetEna: true,
      launchTemplates: [{ id: 'lt-1', name: 'web' }],
    });
    expect(details[0]).toMatchObject({ deprecated: true, deprecationTime: '2026-02-01T00:00:00.000Z', cannotGetEna: false, launchTemplates: [] });
    expect(details[2]).toMatchObject({ owned: false, launchTemplates: [{ id: 'lt-2', name: 'batch' }] });
  });
});

describe('ena-image-enabled parameters', () => {
  it('applies every default when Config sends no parameters', () => {
    expect(parseRuleParameters(imageEnabledParameters, undefined)).toEqual({ ok: true, value: defaults });
  });

  it.each([
    ['false', false],
    ['true', true],
    [' ', true],
  ])('reads includeDeprecatedImages %j as %s', (raw, value) => {
    expect(parseRuleParameters(imageEnabledParameters, { includeDeprecatedImages: raw })).toEqual({
      ok: true,
      value: { ...defaults, includeDeprecatedImages: value },
    });
  });

  // The template's AllowedValues are exactly true and false, so the rule refuses what the stack would.
  it.each(['sometimes', 'TRUE'])('names the parameter and the accepted form for the bad value %j', (raw) => {
    const result = parseRuleParameters(imageEnabledParameters, { includeDeprecatedImages: raw });

    expect(result).toEqual({
      ok: false,
      parameters: ['includeDeprecatedImages'],
      message: `Invalid rule parameters: "includeDeprecatedImages" must be true or false (default true) (got "${raw}")`,
    });
  });
});
