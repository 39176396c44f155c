import { describe, expect, it } from 'vitest';
import {
  evaluateExpressEnabled,
  expressEnabledParameters,
  expressEnabledRule,
  type ExpressEnabledParameters,
  type ExpressEnabledReason,
} from '../../rules/express-enabled.js';
import type { InstanceFacts, InstanceTypeFacts, NetworkInterfaceFacts } from '../../rules/facts.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { MAX_ANNOTATION_LENGTH, type ComplianceType, type Verdict } from '../../rules/verdict.js';
import { instanceFacts } from '../support/instances.js';

function parameters(raw: Record<string, string> = {}): ExpressEnabledParameters {
  const parsed = parseRuleParameters(expressEnabledParameters, raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** A type that can use ENA Express (DescribeInstanceTypes: EnaSrdSupported true). */
const C6IN_8XLARGE: InstanceTypeFacts = { instanceType: 'c6in.8xlarge', enaSupport: 'required', enaSrdSupported: true, hypervisor: 'nitro' };
/** A Nitro type that cannot (EnaSrdSupported false). */
const M5_LARGE: InstanceTypeFacts = { instanceType: 'm5.large', enaSupport: 'required', enaSrdSupported: false, hypervisor: 'nitro' };

const PRIMARY = 'eni-0c6f1a2b3c4d5e6f7';
const SECONDARY = 'eni-0d7e8f9a0b1c2d3e4';
const ON_CARD_1 = 'eni-0e1f2a3b4c5d6e7f8';
const IN_SCOPE = { 'ena-guard:ena-express': 'enabled' };

function eni(networkInterfaceId: string, enaSrdEnabled: boolean | undefined, attachment: Partial<NetworkInterfaceFacts> = {}): NetworkInterfaceFacts {
  return { networkInterfaceId, deviceIndex: 0, networkCardIndex: 0, enaSrdEnabled, ...attachment };
}

/** An instance on c6in.8xlarge tagged for ENA Express, with ENA Express on its primary interface unless `overrides` say otherwise. */
function tagged(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return instanceFacts({ instanceType: 'c6in.8xlarge', tags: IN_SCOPE, networkInterfaces: [eni(PRIMARY, true)], ...overrides });
}

const enableCommand = (id: string) => `aws ec2 modify-network-interface-attribute --network-interface-id ${id} --ena-srd-specification EnaSrdEnabled=true`;

interface Row {
  readonly situation: string;
  readonly instance: InstanceFacts;
  readonly instanceType: InstanceTypeFacts | undefined;
  readonly parameters?: Record<string, string>;
  readonly compliance: ComplianceType | 'not-judged';
  readonly reasons: readonly ExpressEnabledReason[];
  /** Text the annotation (or the not-judged detail) must contain. */
  readonly says: string;
}

const LONG_KEY = 'k'.repeat(128);
const LONG_VALUE = 'v'.repeat(256);

const rows: readonly Row[] = [
  {
    situation: 'an instance tagged for ENA Express with it on its primary interface is compliant',
    instance: tagged(),
    instanceType: C6IN_8XLARGE,
    compliance: 'COMPLIANT',
    reasons: ['ENA_EXPRESS_ENABLED'],
    says: `ENA Express is on for ${PRIMARY}`,
  },
  {
    situation: 'an instance tagged for ENA Express with it off is told the exact command that turns it on',
    instance: tagged({ networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'a stopped instance with ENA Express off is still judged, since its interface keeps the setting',
    instance: tagged({ state: 'stopped', networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'ENA Express on a secondary interface does not make up for the primary having it off',
    instance: tagged({ networkInterfaces: [eni(SECONDARY, true, { deviceIndex: 1 }), eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'a primary interface on a type with one network card (no NetworkCardIndex) is the primary',
    instance: tagged({ networkInterfaces: [eni(PRIMARY, true, { networkCardIndex: undefined })] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'COMPLIANT',
    reasons: ['ENA_EXPRESS_ENABLED'],
    says: PRIMARY,
  },
  {
    situation: 'device index 0 on network card 1 is not taken for the primary interface',
    instance: tagged({ networkInterfaces: [eni(ON_CARD_1, true, { networkCardIndex: 1 }), eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'an instance whose only device index 0 is on network card 1 is not judged',
    instance: tagged({ networkInterfaces: [eni(ON_CARD_1, true, { networkCardIndex: 1 })] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'not-judged',
    reasons: ['PRIMARY_INTERFACE_UNKNOWN'],
    says: 'primary network interface of i-0123456789abcdef0 is not listed',
  },
  {
    situation: 'a tagged instance whose type cannot use ENA Express is not applicable',
    instance: tagged({ instanceType: 'm5.large', networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: M5_LARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['TYPE_CANNOT_USE_ENA_EXPRESS'],
    says: 'Instance type m5.large cannot use ENA Express',
  },
  {
    situation: 'an untagged instance is out of scope, even with ENA Express off',
    instance: tagged({ tags: {}, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['NOT_IN_SCOPE'],
    says: 'not tagged ena-guard:ena-express=enabled',
  },
  {
    situation: 'an instance tagged with another value is out of scope',
    instance: tagged({ tags: { 'ena-guard:ena-express': 'disabled' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['NOT_IN_SCOPE'],
    says: 'not tagged ena-guard:ena-express=enabled',
  },
  {
    situation: 'an exempt instance is not applicable, even when tagged with ENA Express off',
    instance: tagged({ tags: { ...IN_SCOPE, 'ena-guard:exempt': 'SRD breaks the vendor multicast' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: 'Exempt by tag ena-guard:exempt: "SRD breaks the vendor multicast"',
  },
  // The facts were read on OBSERVED_ON (2026-11-20): an exemption holds through its until= day, inclusive.
  {
    situation: 'an instance exempt until the day its facts were read is not applicable',
    instance: tagged({ tags: { ...IN_SCOPE, 'ena-guard:exempt': 'until=2026-11-20, SRD trial ends' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: 'Exempt by tag ena-guard:exempt until 2026-11-20: "SRD trial ends".',
  },
  {
    situation: 'an instance whose exemption expired the day before is judged as any other',
    instance: tagged({ tags: { ...IN_SCOPE, 'ena-guard:exempt': 'SRD trial ends; until=2026-11-19' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'an instance whose exemption tag gives no reason is judged as any other',
    instance: tagged({ tags: { ...IN_SCOPE, 'ena-guard:exempt': '' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'an instance exempt by a custom exemption tag key is not applicable',
    instance: tagged({ tags: { ...IN_SCOPE, 'team:no-srd': 'CHG-4711' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    parameters: { exemptionTagKey: 'team:no-srd' },
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: 'CHG-4711',
  },
  {
    situation: 'a terminated instance is not applicable',
    instance: tagged({ state: 'terminated', networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['INSTANCE_GONE'],
    says: 'terminated',
  },
  {
    situation: 'an instance shutting down is not applicable',
    instance: tagged({ state: 'shutting-down', networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'NOT_APPLICABLE',
    reasons: ['INSTANCE_GONE'],
    says: 'shutting-down',
  },
  {
    situation: 'an instance of a type the Region does not know is not judged',
    instance: tagged({ instanceType: 'm9z.large', networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: undefined,
    compliance: 'not-judged',
    reasons: ['INSTANCE_TYPE_UNKNOWN'],
    says: 'm9z.large',
  },
  {
    situation: 'an instance listing only a secondary interface is not judged',
    instance: tagged({ networkInterfaces: [eni(SECONDARY, false, { deviceIndex: 1 })] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'not-judged',
    reasons: ['PRIMARY_INTERFACE_UNKNOWN'],
    says: 'primary network interface of i-0123456789abcdef0 is not listed',
  },
  {
    situation: 'an instance listing no interface at all is not judged',
    instance: tagged({ networkInterfaces: [] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'not-judged',
    reasons: ['PRIMARY_INTERFACE_UNKNOWN'],
    says: 'is not listed',
  },
  {
    situation: 'an interface whose ENA Express setting is not recorded (a Config configuration item) is not judged',
    instance: tagged({ networkInterfaces: [eni(PRIMARY, undefined)] }),
    instanceType: C6IN_8XLARGE,
    compliance: 'not-judged',
    reasons: ['ENA_EXPRESS_SETTING_UNKNOWN'],
    says: `ENA Express setting of ${PRIMARY} is not recorded`,
  },
  {
    situation: 'an instance tagged with a custom tag key and value given as parameters is judged',
    instance: tagged({ tags: { 'team:srd': 'on' }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    parameters: { enaExpressTagKey: 'team:srd', enaExpressTagValue: 'on' },
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'the default tag no longer puts an instance in scope once a custom tag is given',
    instance: tagged({ networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    parameters: { enaExpressTagKey: 'team:srd', enaExpressTagValue: 'on' },
    compliance: 'NOT_APPLICABLE',
    reasons: ['NOT_IN_SCOPE'],
    says: 'not tagged team:srd=on',
  },
  {
    situation: 'the command fits the 256-character annotation with a 128-character tag key and a 256-character tag value',
    instance: tagged({ instanceType: 'c6in.32xlarge', tags: { [LONG_KEY]: LONG_VALUE }, networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: { ...C6IN_8XLARGE, instanceType: 'c6in.32xlarge' },
    parameters: { enaExpressTagKey: LONG_KEY, enaExpressTagValue: LONG_VALUE },
    compliance: 'NON_COMPLIANT',
    reasons: ['ENA_EXPRESS_DISABLED'],
    says: enableCommand(PRIMARY),
  },
  {
    situation: 'an out-of-scope instance fits the 256-character annotation with a 128-character tag key and a 256-character tag value',
    instance: tagged({ networkInterfaces: [eni(PRIMARY, false)] }),
    instanceType: C6IN_8XLARGE,
    parameters: { enaExpressTagKey: LONG_KEY, enaExpressTagValue: LONG_VALUE },
    compliance: 'NOT_APPLICABLE',
    reasons: ['NOT_IN_SCOPE'],
    says: `Not in scope: not tagged ${'k'.repeat(63)}…=${'v'.repeat(63)}…`,
  },
];

function outcomeOf(verdict: Verdict): ComplianceType | 'not-judged' {
  return verdict.outcome === 'judged' ? verdict.compliance : 'not-judged';
}

function textOf(verdict: Verdict): string {
  return verdict.outcome === 'judged' ? verdict.annotation : verdict.detail;
}

describe('evaluateExpressEnabled', () => {
  it.each(rows.map((row) => [row.situation, row] as const))('%s', (_situation, row) => {
    // Prepare
    const params = parameters(row.parameters);

    // Act
    const verdict = evaluateExpressEnabled({ instance: row.instance, instanceType: row.instanceType }, params);

    // Assess
    expect(outcomeOf(verdict)).toBe(row.compliance);
    expect(verdict.reasons).toEqual(row.reasons);
    expect(textOf(verdict)).toContain(row.says);
    expect(textOf(verdict).length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
  });

  it('covers all three compliance types and the not-judged outcome', () => {
    // Act
    const outcomes = new Set(rows.map((row) => outcomeOf(evaluateExpressEnabled({ instance: row.instance, instanceType: row.instanceType }, parameters(row.parameters)))));

    // Assess
    expect([...outcomes].sort()).toEqual(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'not-judged']);
  });

  it('is what the declared rule evaluates', () => {
    // Prepare
    const facts = { instance: tagged({ networkInterfaces: [eni(PRIMARY, false)] }), instanceType: C6IN_8XLARGE };

    // Act
    const verdict = expressEnabledRule.evaluate(facts, parameters());

    // Assess
    expect(verdict).toEqual({
      outcome: 'judged',
      compliance: 'NON_COMPLIANT',
      annotation: `ENA Express is off on ${PRIMARY} (c6in.8xlarge supports it). Turn it on: ${enableCommand(PRIMARY)}`,
      reasons: ['ENA_EXPRESS_DISABLED'],
    });
  });
});

describe('expressEnabledParameters', () => {
  it('applies the documented defaults when Config passes nothing', () => {
    // Act
    const parsed = parseRuleParameters(expressEnabledParameters, undefined);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: { exemptionTagKey: 'ena-guard:exempt', scopeTagKey: '', scopeTagValue: '', enaExpressTagKey: 'ena-guard:ena-express', enaExpressTagValue: 'enabled' },
    });
  });

  it('treats a blank tag value as absent, as the Config console sends one', () => {
    // Act
    const parsed = parseRuleParameters(expressEnabledParameters, { enaExpressTagValue: '  ' });

    // Assess
    expect(parsed.ok && parsed.value.enaExpressTagValue).toBe('enabled');
  });

  it.each([
    ['enaExpressTagKey', 'k'.repeat(129), 'a tag key of 1 to 128 characters'],
    ['enaExpressTagValue', 'v'.repeat(257), 'a tag value of 1 to 256 characters'],
  ])('refuses %s longer than EC2 allows and names the accepted form', (name, value, form) => {
    // Act
    const parsed = parseRuleParameters(expressEnabledParameters, { [name]: value });

    // Assess
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.parameters).toEqual([name]);
      expect(parsed.message).toContain(`"${name}" must be ${form}`);
    }
  });
});
