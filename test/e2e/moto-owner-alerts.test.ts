/**
 * Owner alerts end to end over real HTTP against the moto emulator: instances tagged with owners
 * in EC2, a real SNS topic with an SQS subscription (raw delivery off, so the SNS envelope with its
 * message attributes arrives as SNS would send it), and the alerts code using the client factory.
 */
import { readFileSync } from 'node:fs';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOwnerAlerts } from '../../src/alerts/deliver-alerts.js';
import { createAwsClients, createSnsClient } from '../../src/aws/clients.js';
import { startMoto, type Moto } from '../support/moto.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';
import { toolAvailable } from '../support/tools.js';

const hasMoto = toolAvailable('moto_server', ['--help']);
const REGION = 'eu-west-1';
let moto: Moto | undefined;
let topicArn = '';
let queueUrl = '';
const instances: Record<string, string> = {};

function complianceChange(resourceId: string): string {
  const event = JSON.parse(readFileSync(new URL('../fixtures/events/config-compliance-change.json', import.meta.url), 'utf8')) as { detail: Record<string, unknown> };
  return JSON.stringify({ ...event, detail: { ...event.detail, resourceId } });
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
    const sns = new SNSClient({ region: REGION });
    const sqs = new SQSClient({ region: REGION });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'EnaGuardOwnerAlerts' }))).TopicArn ?? '';
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'owner-inbox' }))).QueueUrl ?? '';
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
    delete process.env.AWS_ENDPOINT_URL;
  });

  it('publishes one message per owner, whose attributes survive SNS', async () => {
    const records = Object.keys(instances).map((id, index) => ({ messageId: `m${index}`, body: complianceChange(id) }));

    const outcome = await deliverOwnerAlerts(records, {
      ...createAwsClients(),
      sns: createSnsClient(),
      topicArn,
      ownerTagKeys: ['Owner'],
      exemptionTagKey: 'ena-guard:exempt',
      log: recordingLog(),
      metrics: recordingMetrics(),
    });

    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 2 });
    const received = await new SQSClient({ region: REGION }).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const envelopes = (received.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> });
    expect(envelopes.map((envelope) => envelope.MessageAttributes.owner?.Value).sort()).toEqual(['data@example.com', 'payments@example.com']);
    const payments = envelopes.find((envelope) => envelope.MessageAttributes.owner?.Value === 'payments@example.com');
    expect(payments?.Subject).toBe('ena-guard: 2 of 2 resources need attention (payments@example.com)');
    expect(payments?.MessageAttributes.severity?.Value).toBe('NON_COMPLIANT');
    for (const [id, owner] of Object.entries(instances)) {
      if (owner === 'payments@example.com') expect(payments?.Message).toContain(id);
    }
  });
});
