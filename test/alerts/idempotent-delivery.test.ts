import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverOwnerAlerts, type AlertRecord } from '../../src/alerts/deliver-alerts.js';
import { DELIVERED_RECORD_SECONDS, IdempotencyTableNotSetError, dynamoDbLedger } from '../../src/alerts/delivery-ledger.js';
import { DEFAULT_MAX_ATTEMPTS, createDynamoDbClient } from '../../src/aws/clients.js';
import { sdkInstance } from '../support/instances.js';
import { TABLE, alertDependencies, complianceEvent, record } from './alert-fixtures.js';
import { fakeIdempotencyTable, type FakeIdempotencyTable } from './idempotency-table.js';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const dynamoMock = mockClient(DynamoDBClient);
let table: FakeIdempotencyTable;
/** Owners whose message SNS accepted, in order. */
let delivered: string[];

const PAYMENTS_1 = 'i-0000000000000aaa1';
const PAYMENTS_2 = 'i-0000000000000aaa2';
const DATA_1 = 'i-0000000000000bbb1';

function ownerOf(input: PublishCommandInput): string {
  return input.MessageAttributes?.owner?.StringValue ?? '?';
}

function acceptEveryPublish() {
  let sequence = 0;
  snsMock.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    delivered.push(ownerOf(input));
    sequence += 1;
    return { MessageId: `sns-${sequence}` };
  });
}

function run(records: AlertRecord[]) {
  const { deps, log, metrics } = alertDependencies();
  return { log, metrics, outcome: deliverOwnerAlerts(records, deps) };
}

const INSTANCES = {
  Reservations: [
    {
      Instances: [
        sdkInstance(1, { InstanceId: PAYMENTS_1, Tags: [{ Key: 'Owner', Value: 'payments@example.com' }] }),
        sdkInstance(2, { InstanceId: PAYMENTS_2, Tags: [{ Key: 'Owner', Value: 'payments@example.com' }] }),
        sdkInstance(3, { InstanceId: DATA_1, Tags: [{ Key: 'Owner', Value: 'data@example.com' }] }),
      ],
    },
  ],
};

const batch = () => [record('m1', complianceEvent(PAYMENTS_1)), record('m2', complianceEvent(PAYMENTS_2)), record('m3', complianceEvent(DATA_1))];

beforeEach(() => {
  ec2Mock.reset();
  snsMock.reset();
  dynamoMock.reset();
  table = fakeIdempotencyTable(dynamoMock);
  delivered = [];
  acceptEveryPublish();
  ec2Mock.on(DescribeInstancesCommand).resolves(INSTANCES);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('idempotent owner alerts', () => {
  it('publishes a record delivered twice only once, and drops and counts the second delivery', async () => {
    const first = await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;
    const again = run([record('m1', complianceEvent(PAYMENTS_1))]);

    const second = await again.outcome;

    expect(first).toEqual({ batchItemFailures: [], messagesPublished: 1, duplicatesDropped: 0 });
    expect(second).toEqual({ batchItemFailures: [], messagesPublished: 0, duplicatesDropped: 1 });
    expect(delivered).toEqual(['payments@example.com']);
    expect(again.metrics.values.get('DuplicateAlertEventsDropped')).toBe(1);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
  });

  it('marks a delivered event completed, with the SNS message that carried it, until the queue could no longer redeliver it', async () => {
    const before = Math.floor(Date.now() / 1000);

    await run([record('m1', complianceEvent(PAYMENTS_1, 'NON_COMPLIANT', 'event-42'))]).outcome;

    const item = table.recordOf('event-42');
    expect(item?.status).toEqual({ S: 'COMPLETED' });
    expect(item?.data).toEqual({ M: { snsMessageId: { S: 'sns-1' } } });
    expect(Number(item?.expiration?.N)).toBeGreaterThanOrEqual(before + DELIVERED_RECORD_SECONDS);
    expect(Number(item?.expiration?.N)).toBeLessThanOrEqual(before + DELIVERED_RECORD_SECONDS + 5);
  });

  it('publishes each owner\'s message exactly once when a batch that timed out after the first owner\'s message is redelivered', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // The first invocation dies while publishing the second owner's message: SNS never answers.
    snsMock.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      if (ownerOf(input) === 'data@example.com') return new Promise(() => {});
      delivered.push(ownerOf(input));
      return { MessageId: 'sns-payments' };
    });
    void run(batch()).outcome;
    await vi.waitFor(() => expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2));
    expect(table.recordOf(`event-${PAYMENTS_1}`)?.status).toEqual({ S: 'COMPLETED' });
    expect(table.recordOf(`event-${DATA_1}`)?.status).toEqual({ S: 'INPROGRESS' });
    // SQS hands the batch out again after its visibility timeout, long after the claims expired.
    vi.setSystemTime(Date.now() + 360_000);
    acceptEveryPublish();

    const redelivered = await run(batch()).outcome;

    expect(redelivered).toEqual({ batchItemFailures: [], messagesPublished: 1, duplicatesDropped: 2 });
    expect(delivered).toEqual(['payments@example.com', 'data@example.com']);
    expect(table.recordOf(`event-${DATA_1}`)?.status).toEqual({ S: 'COMPLETED' });
  });

  it('reports a record whose event another invocation is delivering as a batch item failure, and leaves that claim alone', async () => {
    const elsewhere = dynamoDbLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' }));
    expect(await elsewhere.claim(`event-${DATA_1}`, 60_000)).toBe('claimed');
    const attempt = run(batch());

    const outcome = await attempt.outcome;

    expect(outcome).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }], messagesPublished: 1, duplicatesDropped: 0 });
    expect(delivered).toEqual(['payments@example.com']);
    expect(table.recordOf(`event-${DATA_1}`)?.status).toEqual({ S: 'INPROGRESS' });
    expect(dynamoMock).not.toHaveReceivedCommand(DeleteItemCommand);
    expect(attempt.log.entries).toContainEqual(expect.objectContaining({ level: 'info', extra: { eventId: `event-${DATA_1}` } }));
  });

  it('releases the claim when publishing fails, so that the next delivery publishes', async () => {
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Throttled'), { name: 'ThrottledException' }));
    const failed = await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }], messagesPublished: 0, duplicatesDropped: 0 });
    expect(table.recordOf(`event-${PAYMENTS_1}`)).toBeUndefined();
    acceptEveryPublish();

    const retried = await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;

    expect(retried).toEqual({ batchItemFailures: [], messagesPublished: 1, duplicatesDropped: 0 });
    expect(delivered).toEqual(['payments@example.com']);
  });

  it('releases the claims of a batch whose owners\' tags cannot be read, so that the retry publishes', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' })).resolves(INSTANCES);
    const failed = await run(batch()).outcome;
    expect(failed.batchItemFailures).toHaveLength(3);
    expect(table.items.size).toBe(0);

    const retried = await run(batch()).outcome;

    expect(retried).toEqual({ batchItemFailures: [], messagesPublished: 2, duplicatesDropped: 0 });
  });

  it('sends an event that EventBridge put twice into one batch once, answering for both records', async () => {
    const outcome = await run([record('m1', complianceEvent(PAYMENTS_1)), record('m1-again', complianceEvent(PAYMENTS_1))]).outcome;

    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 1, duplicatesDropped: 1 });
    expect(delivered).toEqual(['payments@example.com']);
  });

  it('retries both records of an event put twice into one batch when its message cannot be published', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('Throttled'), { name: 'ThrottledException' }));

    const outcome = await run([record('m1', complianceEvent(PAYMENTS_1)), record('m1-again', complianceEvent(PAYMENTS_1))]).outcome;

    expect(outcome).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm1-again' }], messagesPublished: 0, duplicatesDropped: 0 });
  });

  it('reads the existing record when the table does not return it with the failed condition', async () => {
    dynamoMock.reset();
    table = fakeIdempotencyTable(dynamoMock, { returnOldItem: false });
    await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;

    const second = await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;

    expect(second).toEqual({ batchItemFailures: [], messagesPublished: 0, duplicatesDropped: 1 });
    expect(dynamoMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, ConsistentRead: true });
  });

  it('retries a record whose claim cannot be written, and publishes nothing for it', async () => {
    dynamoMock.on(PutItemCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' }));
    const attempt = run([record('m1', complianceEvent(PAYMENTS_1))]);

    const outcome = await attempt.outcome;

    expect(outcome).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }], messagesPublished: 0, duplicatesDropped: 0 });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(attempt.log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ error: expect.stringMatching(/^DeliveryLedgerError: Claiming alert event event-i-0000000000000aaa1 failed: ProvisionedThroughputExceededException/) }) }),
    );
  });

  it('treats a claim refused without a readable record as held elsewhere', async () => {
    dynamoMock.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    dynamoMock.on(GetItemCommand).resolves({});

    const outcome = await run([record('m1', complianceEvent(PAYMENTS_1))]).outcome;

    expect(outcome).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }], messagesPublished: 0, duplicatesDropped: 0 });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('does not retry an event whose message was published but could not be marked delivered', async () => {
    dynamoMock.on(UpdateItemCommand).rejects(Object.assign(new Error('Internal error'), { name: 'InternalServerError' }));
    const attempt = run([record('m1', complianceEvent(PAYMENTS_1))]);

    const outcome = await attempt.outcome;

    expect(outcome).toEqual({ batchItemFailures: [], messagesPublished: 1, duplicatesDropped: 0 });
    expect(attempt.log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'An alert event was delivered but could not be marked delivered' }));
  });

  it('fails an event without an EventBridge id as malformed, since it could not be delivered only once', async () => {
    const { id: _id, ...anonymous } = complianceEvent(PAYMENTS_1);

    const outcome = await run([record('m1', anonymous)]).outcome;

    expect(outcome).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }], messagesPublished: 0, duplicatesDropped: 0 });
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('claims each event for the invocation\'s remaining time', async () => {
    const now = Date.now();
    const { deps } = alertDependencies({ remainingTimeInMillis: () => 42_000 });

    await deliverOwnerAlerts([record('m1', complianceEvent(PAYMENTS_1))], deps);

    const claim = dynamoMock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(claim?.TableName).toBe(TABLE);
    expect(claim?.Item?.status).toEqual({ S: 'INPROGRESS' });
    expect(Number(claim?.Item?.in_progress_expiration?.N)).toBeGreaterThanOrEqual(now + 42_000);
    expect(Number(claim?.Item?.in_progress_expiration?.N)).toBeLessThan(now + 47_000);
  });
});

describe('the owner-alerts handler', () => {
  it('refuses to deliver without its idempotency table, so that SQS keeps the batch', async () => {
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { handler } = await import('../../functions/owner-alerts/handler.js');
    const event = { Records: [record('m1', complianceEvent(PAYMENTS_1))] } as unknown as SQSEvent;

    await expect(handler(event, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(IdempotencyTableNotSetError);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    vi.unstubAllEnvs();
  });

  it('refuses to deliver with a malformed owner topic allow-list, naming the setting, so that SQS keeps the batch', async () => {
    // Prepare: a fresh module, so that the handler reads this environment
    vi.resetModules();
    vi.stubEnv('IDEMPOTENCY_TABLE_NAME', TABLE);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('OWNER_TOPIC_ALLOW_LIST', 'arn:aws:sns:eu-west-1:111122223333:team,security@example.com');
    const { handler } = await import('../../functions/owner-alerts/handler.js');
    const event = { Records: [record('m1', complianceEvent(PAYMENTS_1))] } as unknown as SQSEvent;

    // Act
    const delivery = handler(event, { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    await expect(delivery).rejects.toThrow(expect.objectContaining({ name: 'InvalidOwnerPolicyError', setting: 'OWNER_TOPIC_ALLOW_LIST' }));
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(dynamoMock).not.toHaveReceivedCommand(PutItemCommand);
    vi.unstubAllEnvs();
    vi.resetModules();
  });
});

describe('createDynamoDbClient', () => {
  it('takes AWS_ENDPOINT_URL_DYNAMODB over AWS_ENDPOINT_URL, as every client of the project does', async () => {
    const specific = createDynamoDbClient({ region: 'eu-west-1', env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567', AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' } });
    const general = createDynamoDbClient({ region: 'eu-west-1', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' } });

    expect(await specific.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4567 });
    expect(await general.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 9999 });
    expect(await specific.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
  });
});
