import { describe, expect, it } from 'vitest';
import type { EnaCapability, InstanceFacts } from '../../rules/facts.js';
import {
  evaluateInstanceEnabled,
  instanceEnabledParameters,
  type InstanceEnabledParameters,
} from '../../rules/instance-enabled.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { MAX_ANNOTATION_LENGTH } from '../../rules/verdict.js';
import { instanceFacts } from '../support/instances.js';

const defaults: InstanceEnabledParameters = { exemptionTagKey: 'ena-guard:exempt', scopeTagKey: '', scopeTagValue: '', enaIncapableTypes: 'NOT_APPLICABLE' };

interface Row {
  readonly situation: string;
  readonly instance: Partial<InstanceFacts>;
  readonly capability: EnaCapability | undefined;
  readonly parameters?: Partial<InstanceEnabledParameters>;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'not judged';
  readonly reason: string;
  readonly annotationIncludes: string;
}

const rows: Row[] = [
  { situation: 'ENA on, type requires ENA', instance: { enaSupport: true }, capability: 'required', compliance: 'COMPLIANT', reason: 'ENA_ENABLED', annotationIncludes: 'requires ENA' },
  { situation: 'ENA on, type supports ENA', instance: { instanceType: 'r4.large', enaSupport: true }, capability: 'supported', compliance: 'COMPLIANT', reason: 'ENA_ENABLED', annotationIncludes: 'supports ENA' },
  { situation: 'ENA false, type supports ENA', instance: { instanceType: 'r4.large', enaSupport: false }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'EnaGuard-EnableEnaSupport' },
  { situation: 'ENA missing or null, type supports ENA', instance: { instanceType: 'i3.large', enaSupport: undefined }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'not set' },
  { situation: 'ENA false, type requires ENA', instance: { enaSupport: false, state: 'stopped' }, capability: 'required', compliance: 'NON_COMPLIANT', reason: 'ENA_REQUIRED_BUT_DISABLED', annotationIncludes: 'requires ENA' },
  { situation: 'type cannot use ENA, default parameter', instance: { instanceType: 'c4.large', enaSupport: false }, capability: 'unsupported', compliance: 'NOT_APPLICABLE', reason: 'TYPE_CANNOT_USE_ENA', annotationIncludes: 'cannot use ENA' },
  { situation: 'type cannot use ENA, enaIncapableTypes NON_COMPLIANT', instance: { instanceType: 't2.micro', enaSupport: false }, capability: 'unsupported', parameters: { enaIncapableTypes: 'NON_COMPLIANT' }, compliance: 'NON_COMPLIANT', reason: 'TYPE_CANNOT_USE_ENA', annotationIncludes: 'move to an ENA-capable type' },
  { situation: 'exemption tag present', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance' } }, capability: 'supported', compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: '"vendor appliance"' },
  { situation: 'custom exemption tag key', instance: { enaSupport: false, tags: { 'team:no-ena': 'CHG-1234' } }, capability: 'supported', parameters: { exemptionTagKey: 'team:no-ena' }, compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: 'CHG-1234' },
  // The facts were read on OBSERVED_ON (2026-11-20): an exemption holds through its until= day, inclusive.
  { situation: 'exemption until the day the facts were read', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'migration CHG-77; until=2026-11-20' } }, capability: 'supported', compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: 'Exempt by tag ena-guard:exempt until 2026-11-20: "migration CHG-77".' },
  { situation: 'exemption until a later day', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'until=2027-03-31 vendor appliance' } }, capability: 'supported', compliance: 'NOT_APPLICABLE', reason: 'EXEMPT', annotationIncludes: 'until 2027-03-31: "vendor appliance"' },
  { situation: 'exemption that expired the day before the facts were read', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'migration CHG-77; until=2026-11-19' } }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'EnaGuard-EnableEnaSupport' },
  { situation: 'expired exemption on a type that requires ENA', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'lab, until=2025-01-01' } }, capability: 'required', compliance: 'NON_COMPLIANT', reason: 'ENA_REQUIRED_BUT_DISABLED', annotationIncludes: 'requires ENA' },
  { situation: 'exemption that was valid on its day, read the day after', instance: { enaSupport: false, observedOn: '2026-11-21', tags: { 'ena-guard:exempt': 'migration CHG-77; until=2026-11-20' } }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'enaSupport is false' },
  { situation: 'exemption tag with an empty value (no reason)', instance: { enaSupport: false, tags: { 'ena-guard:exempt': '' } }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'enaSupport is false' },
  { situation: 'exemption tag with only an expiry (no reason)', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'until=2099-01-01' } }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'enaSupport is false' },
  { situation: 'exemption tag with an unreadable expiry', instance: { enaSupport: false, tags: { 'ena-guard:exempt': 'vendor appliance until=2027-02-30' } }, capability: 'supported', compliance: 'NON_COMPLIANT', reason: 'ENA_DISABLED', annotationIncludes: 'enaSupport is false' },
  { situation: 'instance terminated', instance: { enaSupport: false, state: 'terminated' }, capability: 'supported', compliance: 'NOT_APPLICABLE', reason: 'INSTANCE_GONE', annotationIncludes: 'terminated' },
  { situation: 'instance shutting down', instance: { enaSupport: false, state: 'shutting-down' }, capability: 'supported', compliance: 'NOT_APPLICABLE', reason: 'INSTANCE_GONE', annotationIncludes: 'shutting-down' },
  { situation: 'type unknown (new type or failed lookup)', instance: { instanceType: 'm9z.large', enaSupport: false }, capability: undefined, compliance: 'not judged', reason: 'INSTANCE_TYPE_UNKNOWN', annotationIncludes: 'm9z.large' },
];

describe('ena-instance-enabled', () => {
  it.each(rows)('$situation → $compliance', ({ instance, capability, parameters, compliance, reason, annotationIncludes }) => {
    // Act
    const verdict = evaluateInstanceEnabled({ instance: instanceFacts(instance), enaCapability: capability }, { ...defaults, ...parameters });

    // Assess
    if (compliance === 'not judged') {
      expect(verdict.outcome).toBe('not-judged');
      if (verdict.outcome === 'not-judged') expect(verdict.detail).toContain(annotationIncludes);
    } else {
      expect(verdict).toMatchObject({ outcome: 'judged', compliance });
      if (verdict.outcome === 'judged') {
        expect(verdict.annotation).toContain(annotationIncludes);
        expect(verdict.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
      }
    }
    expect(verdict.reasons).toEqual([reason]);
  });

  it('never reports an unknown type NON_COMPLIANT, even when asked to flag incapable types', () => {
    const verdict = evaluateInstanceEnabled(
      { instance: instanceFacts({ enaSupport: false }), enaCapability: undefined },
      { ...defaults, enaIncapableTypes: 'NON_COMPLIANT' },
    );

    expect(verdict.outcome).toBe('not-judged');
  });
});

describe('ena-instance-enabled parameters', () => {
  it('applies every default when Config sends no parameters', () => {
    expect(parseRuleParameters(instanceEnabledParameters, undefined)).toEqual({ ok: true, value: defaults });
  });

  it('treats a blank value as absent, as the Config console sends one', () => {
    expect(parseRuleParameters(instanceEnabledParameters, { enaIncapableTypes: '  ' })).toEqual({ ok: true, value: defaults });
  });

  it('names the parameter and the accepted form for a bad value', () => {
    const result = parseRuleParameters(instanceEnabledParameters, { enaIncapableTypes: 'SOMETIMES' });

    expect(result).toEqual({
      ok: false,
      parameters: ['enaIncapableTypes'],
      message: 'Invalid rule parameters: "enaIncapableTypes" must be NON_COMPLIANT or NOT_APPLICABLE (default NOT_APPLICABLE) (got "SOMETIMES")',
    });
  });

  it('rejects an unknown parameter and lists the accepted ones', () => {
    const result = parseRuleParameters(instanceEnabledParameters, { exemptTag: 'x' });

    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.parameters).toEqual(['exemptTag']);
      expect(result.message).toContain('"exemptTag" is not a parameter of this rule (accepted: enaIncapableTypes, exemptionTagKey, scopeTagKey, scopeTagValue)');
    }
  });

  it('rejects an exemption tag key longer than EC2 allows', () => {
    const result = parseRuleParameters(instanceEnabledParameters, { exemptionTagKey: 'k'.repeat(129) });

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('"exemptionTagKey" must be a tag key of 1 to 128 characters');
  });
});
