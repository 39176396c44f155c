import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeImages,
  evaluateLaunchTemplateImage,
  evaluateOwnedImage,
  imageEnabledParameters,
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
  readonly annotationExcludes?: readonly string[];
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
  { situation: 'template exempt by a custom tag key', template: { tags: { 'team:no-ena': 'CHG-9' } }, lookup: { kind: 'missing' }, parameters: { exemptionTagKey: 'team:no-ena' }, compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: ['Exempt by tag team:no-ena: "CHG-9".'] },
  // The facts were read on OBSERVED_ON (2026-11-20): an exemption holds through its until= day, inclusive.
  { situation: 'template exempt until the day its facts were read', template: { tags: { 'ena-guard:exempt': 'vendor appliance; until=2026-11-20' } }, lookup: found({ enaSupport: false }), compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: ['Exempt by tag ena-guard:exempt until 2026-11-20: "vendor appliance".'] },
  { situation: 'template whose exemption expired the day before, judged as any other', template: { tags: { 'ena-guard:exempt': 'vendor appliance; until=2026-11-19' } }, lookup: found({ enaSupport: false }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: ['lacks ENA'] },
  { situation: 'template whose exemption tag gives no reason, judged as any other', template: { tags: { 'team:no-ena': '' } }, lookup: { kind: 'missing' }, parameters: { exemptionTagKey: 'team:no-ena' }, compliance: 'NON_COMPLIANT', reason: 'IMAGE_NOT_FOUND', annotationIncludes: ['deregistered, not found or not shared'] },
  { situation: 'exempt AMI used by a template that is not exempt', lookup: found({ enaSupport: false, tags: { 'ena-guard:exempt': 'vendor image' } }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: ['The AMI is exempt by tag ena-guard:exempt; tag the template too'] },
  { situation: 'AMI whose exemption expired, used by a template that is not exempt: no note', lookup: found({ enaSupport: false, tags: { 'ena-guard:exempt': 'vendor image until=2026-11-19' } }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotationIncludes: ['Run EnaGuard-ReplaceImageWithEna.'], annotationExcludes: ['is exempt'] },
  { situation: 'PV AMI whose exemption tag gives no reason: no note', lookup: found({ enaSupport: false, virtualizationType: 'paravirtual', tags: { 'ena-guard:exempt': '' } }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_PARAVIRTUAL', annotationIncludes: ['paravirtual'], annotationExcludes: ['is exempt'] },
  { situation: 'PV AMI', lookup: found({ enaSupport: false, virtualizationType: 'paravirtual' }), compliance: 'NON_COMPLIANT', reason: 'IMAGE_PARAVIRTUAL', annotationIncludes: ['paravirtual (PV) and cannot get ENA', 'rebuild it as an HVM AMI', 'EnaGuard-ReplaceImageWithEna'] },
  { situation: 'deprecated AMI with ENA (still launches)', lookup: found({ deprecated: true, deprecationTime: '2026-01-01T00:00:00.000Z' }), parameters: { includeDeprecatedImages: false }, compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotationIncludes: ['has ENA'] },
];

describe('ena-image-enabled on launch templates', () => {
  it.each(templateRows)('$situation → $compliance', ({ template, lookup, parameters, compliance, reason, annotationIncludes, annotationExcludes = [] }) => {
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
        for (const text of annotationExcludes) expect(verdict.annotation).not.toContain(text);
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

interface OwnedImageRow {
  readonly situation: string;
  readonly image: Partial<ImageFacts>;
  readonly parameters?: Partial<ImageEnabledParameters>;
  readonly usedByTemplates?: number;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  readonly reason: string;
  readonly annotation: string;
}

const ownedImageRows: OwnedImageRow[] = [
  { situation: 'an AMI with ENA', image: {}, compliance: 'COMPLIANT', reason: 'IMAGE_HAS_ENA', annotation: 'The AMI has ENA.' },
  {
    situation: 'an HVM AMI without ENA',
    image: { enaSupport: false },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'an AMI whose EnaSupport EC2 omitted (EC2 reads it as false)',
    image: { enaSupport: undefined },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'an AMI without ENA that two launch templates use',
    image: { enaSupport: false },
    usedByTemplates: 2,
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna. 2 launch templates use it.',
  },
  {
    situation: 'a paravirtual AMI, which must be rebuilt as HVM',
    image: { enaSupport: false, virtualizationType: 'paravirtual' },
    usedByTemplates: 1,
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_PARAVIRTUAL',
    annotation: 'The AMI is paravirtual (PV) and cannot get ENA: rebuild it as an HVM AMI with ENA; EnaGuard-ReplaceImageWithEna refuses PV AMIs. 1 launch template uses it.',
  },
  {
    situation: 'an exempt AMI, quoting the reason',
    image: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance' } },
    compliance: 'NOT_APPLICABLE',
    reason: 'EXEMPT',
    annotation: 'Exempt by tag ena-guard:exempt: "vendor appliance".',
  },
  {
    situation: 'an AMI exempt until the day its facts were read',
    image: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance until=2026-11-20' } },
    compliance: 'NOT_APPLICABLE',
    reason: 'EXEMPT',
    annotation: 'Exempt by tag ena-guard:exempt until 2026-11-20: "vendor appliance".',
  },
  {
    situation: 'an AMI whose exemption expired the day before, judged as any other',
    image: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance until=2026-11-19' } },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'an AMI exempt on its last day, read the day after',
    image: { enaSupport: false, observedOn: '2026-11-21', tags: { 'ena-guard:exempt': 'vendor appliance until=2026-11-20' } },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'an AMI whose exemption tag gives no reason, judged as any other',
    image: { enaSupport: false, tags: { 'ena-guard:exempt': '' } },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'an AMI whose exemption has an unreadable expiry, judged as any other',
    image: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance until=2027-02-30' } },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'a deprecated AMI without ENA, judged by default',
    image: { enaSupport: false, deprecated: true, deprecationTime: '2026-01-01T00:00:00.000Z' },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  {
    situation: 'a deprecated AMI when includeDeprecatedImages is false',
    image: { enaSupport: false, deprecated: true, deprecationTime: '2026-01-01T00:00:00.000Z' },
    parameters: { includeDeprecatedImages: false },
    compliance: 'NOT_APPLICABLE',
    reason: 'IMAGE_DEPRECATED',
    annotation: 'The AMI is deprecated (since 2026-01-01T00:00:00.000Z) and includeDeprecatedImages is false.',
  },
  {
    situation: 'an AMI that is scheduled for deprecation but not deprecated yet',
    image: { enaSupport: false, deprecated: false, deprecationTime: '2099-01-01T00:00:00.000Z' },
    parameters: { includeDeprecatedImages: false },
    compliance: 'NON_COMPLIANT',
    reason: 'IMAGE_WITHOUT_ENA',
    annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
  },
  { situation: 'a failed AMI, from which nothing launches', image: { enaSupport: false, state: 'failed' }, compliance: 'NOT_APPLICABLE', reason: 'IMAGE_UNUSABLE', annotation: 'The AMI is failed: nothing can launch from it.' },
  { situation: 'a disabled AMI', image: { enaSupport: false, state: 'disabled' }, compliance: 'NOT_APPLICABLE', reason: 'IMAGE_UNUSABLE', annotation: 'The AMI is disabled: nothing can launch from it.' },
  { situation: 'a pending AMI without ENA (it will launch)', image: { enaSupport: false, state: 'pending' }, compliance: 'NON_COMPLIANT', reason: 'IMAGE_WITHOUT_ENA', annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.' },
];

describe('ena-image-enabled on each owned AMI', () => {
  it.each(ownedImageRows)('$situation → $compliance ($reason)', ({ image, parameters, usedByTemplates, compliance, reason, annotation }) => {
    // Act
    const verdict = evaluateOwnedImage(imageFacts(image), { ...defaults, ...parameters }, usedByTemplates);

    // Assess
    expect(verdict).toEqual({ outcome: 'judged', compliance, annotation, reasons: [reason] });
    expect(verdict.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
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

describe('per-AMI scope of an exemption', () => {
  it.each([
    ['a valid exemption', 'vendor appliance', 'exempt'],
    ['an exemption until the day the facts were read', 'vendor appliance; until=2026-11-20', 'exempt'],
    ['an expired exemption', 'vendor appliance; until=2026-11-19', 'counted'],
    ['a tag without a reason', '  ', 'counted'],
    ['an unreadable expiry', 'vendor appliance; until=2026-11-20; until=2027-01-01', 'counted'],
  ] as const)('counts an owned AMI with %s as %s, as its verdict does', (_situation, value, scope) => {
    // Prepare
    const image = imageFacts({ enaSupport: false, tags: { 'ena-guard:exempt': value } });

    // Act
    const [detail] = describeImages({ owned: [image], referenced: new Map(), templates: [] }, defaults);
    const verdict = evaluateOwnedImage(image, defaults);

    // Assess
    expect(detail?.scope).toBe(scope);
    expect(verdict.reasons.includes('EXEMPT')).toBe(scope === 'exempt');
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
