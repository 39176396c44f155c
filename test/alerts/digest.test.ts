import { describe, expect, it } from 'vitest';
import { buildDigests as build, type OwnedAlert } from '../../src/alerts/digest.js';
import type { ComplianceAlert } from '../../src/alerts/events.js';

const buildDigests = (items: readonly OwnedAlert[]) => build(items, { exemptionTagKey: 'ena-guard:exempt' });

function compliance(resourceId: string, newCompliance: string, overrides: Partial<ComplianceAlert> = {}): ComplianceAlert {
  return {
    kind: 'compliance',
    eventId: `event-${resourceId}`,
    ruleName: 'ena-instance-enabled',
    resourceType: 'AWS::EC2::Instance',
    resourceId,
    region: 'eu-west-1',
    accountId: '111122223333',
    newCompliance,
    oldCompliance: 'COMPLIANT',
    annotation: `annotation of ${resourceId}`,
    time: '2026-11-20T10:16:05Z',
    ...overrides,
  };
}

function owned(owner: string, alert: ComplianceAlert, sourceId = `m-${alert.resourceId}`): OwnedAlert {
  return { owner, resourceType: alert.resourceType, resourceId: alert.resourceId, alert, sourceId };
}

describe('buildDigests', () => {
  it('sends one message per owner, however many resources each owns', () => {
    const digests = buildDigests([
      owned('payments@example.com', compliance('i-1', 'NON_COMPLIANT')),
      owned('payments@example.com', compliance('i-2', 'NON_COMPLIANT')),
      owned('data@example.com', compliance('i-3', 'COMPLIANT')),
    ]);

    expect(digests.map((digest) => digest.owner).sort()).toEqual(['data@example.com', 'payments@example.com']);
    const payments = digests.find((digest) => digest.owner === 'payments@example.com');
    expect(payments?.subject).toBe('ena-guard: 2 of 2 resources need attention (payments@example.com)');
    expect(payments?.message).toContain('COMPLIANT -> NON_COMPLIANT  ena-instance-enabled  AWS::EC2::Instance i-1 (eu-west-1, 111122223333)\n    annotation of i-1');
    expect(payments?.attributes).toEqual({ owner: 'payments@example.com', severity: 'NON_COMPLIANT', kinds: 'compliance', rules: 'ena-instance-enabled' });
    expect(payments?.sourceIds).toEqual(['m-i-1', 'm-i-2']);
    expect(digests.find((digest) => digest.owner === 'data@example.com')?.attributes.severity).toBe('INFO');
  });

  it('keeps only the latest change of a resource under one rule, but answers for every source record', () => {
    const [digest] = buildDigests([
      owned('ops', compliance('i-1', 'NON_COMPLIANT', { time: '2026-11-20T10:00:00Z' }), 'early'),
      owned('ops', compliance('i-1', 'COMPLIANT', { time: '2026-11-20T11:00:00Z', oldCompliance: 'NON_COMPLIANT' }), 'late'),
    ]);

    expect(digest?.message).toContain('NON_COMPLIANT -> COMPLIANT');
    expect(digest?.message).not.toContain('COMPLIANT -> NON_COMPLIANT');
    expect(digest?.sourceIds).toEqual(['early', 'late']);
  });

  it('lists non-compliant resources first and remediation outcomes with their execution', () => {
    const [digest] = buildDigests([
      owned('ops', compliance('i-9', 'COMPLIANT')),
      owned('ops', compliance('i-5', 'NON_COMPLIANT')),
      {
        owner: 'ops',
        resourceType: 'AWS::EC2::Instance',
        resourceId: 'i-5',
        sourceId: 'r-1',
        alert: { kind: 'remediation', eventId: 'event-r-1', runbook: 'EnaGuard-EnableEnaSupport', executionId: 'exec-1', status: 'Failed', region: 'eu-west-1', accountId: '111122223333', time: '2026-11-20T10:45:12Z' },
      },
    ]);

    const lines = digest?.message.split('\n').filter((line) => /^(COMPLIANT|NON_COMPLIANT|Remediation)/.test(line)) ?? [];
    expect(lines[0]).toMatch(/^COMPLIANT -> NON_COMPLIANT .* i-5 /);
    expect(lines[1]).toBe('Remediation EnaGuard-EnableEnaSupport: Failed  AWS::EC2::Instance i-5 (eu-west-1, 111122223333)  (execution exec-1)');
    expect(lines[2]).toMatch(/^COMPLIANT -> COMPLIANT .* i-9 /);
    expect(digest?.attributes.kinds).toBe('compliance,remediation');
  });

  it('keeps the subject within SNS limits and printable, marking where it was cut', () => {
    const owner = `équipe-réseau-${'x'.repeat(120)}@example.com`;
    const [digest] = buildDigests([owned(owner, compliance('i-1', 'NON_COMPLIANT'))]);

    expect(digest?.subject.length).toBeLessThan(100);
    expect(digest?.subject).toMatch(/^ena-guard: 1 of 1 resources need attention \(\?quipe-r\?seau-x+\.\.\.$/);
  });

  it('quotes a refused owner tag value, made safe, on a detail line of its resource', () => {
    // Prepare
    const alert = compliance('i-1', 'NON_COMPLIANT', { annotation: 'exempt until\nURGENT: run this' });
    const refused = { tagKey: 'Owner', value: 'payments@example.com\n---\n\u202eURGENT', reason: 'unsafe-characters' } as const;

    // Act
    const [digest] = buildDigests([{ ...owned('unowned', alert), refusedOwner: refused }]);

    // Assess
    expect(digest?.message.split('\n')).toEqual([
      'ena-guard found changes on 1 resource owned by unowned.',
      '',
      'COMPLIANT -> NON_COMPLIANT  ena-instance-enabled  AWS::EC2::Instance i-1 (eu-west-1, 111122223333)',
      '    exempt until URGENT: run this',
      '    Owner tag "Owner" refused (it holds control or format characters): "payments@example.com --- URGENT"',
      '',
      'Exempt a resource on purpose with the tag ena-guard:exempt=<reason>.',
    ]);
    expect(digest?.attributes.owner).toBe('unowned');
  });

  it('cuts a huge batch with a "+N more" line instead of exceeding the message size', () => {
    const alerts = Array.from({ length: 2000 }, (_, index) => owned('ops', compliance(`i-${index}`, 'NON_COMPLIANT', { annotation: 'a'.repeat(250) })));

    const [digest] = buildDigests(alerts);

    expect(Buffer.byteLength(digest?.message ?? '')).toBeLessThan(256 * 1024);
    expect(digest?.message).toMatch(/\(\+\d+ more\)/);
    expect(digest?.sourceIds).toHaveLength(2000);
  });
});
