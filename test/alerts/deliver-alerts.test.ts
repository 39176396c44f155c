import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetAutomationExecutionCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deliverOwnerAlerts, type AlertRecord } from '../../src/alerts/deliver-alerts.js';
import { sdkInstance } from '../support/instances.js';
import { TOPIC, alertDependencies, complianceEvent, fixture, record } from './alert-fixtures.js';
import { fakeIdempotencyTable } from './idempotency-table.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const snsMock = mockClient(SNSClient);
const dynamoMock = mockClient(DynamoDBClient);

function deliver(records: AlertRecord[]) {
  const { deps, log } = alertDependencies();
  return { log, outcome: deliverOwnerAlerts(records, deps) };
}

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
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
          sdkInstance(1, { InstanceId: 'i-0000000000000aaa1', Tags: [{ Key: 'Owner', Value: 'payments@example.com' }] }),
          sdkInstance(2, { InstanceId: 'i-0000000000000aaa2', Tags: [{ Key: 'Owner', Value: 'payments@example.com' }] }),
          sdkInstance(3, { InstanceId: 'i-0000000000000bbb1', Tags: [{ Key: 'ena-guard:owner', Value: 'data@example.com' }] }),
        ],
      },
    ],
  });
});

describe('deliverOwnerAlerts', () => {
  it('publishes one message per owner, with the attributes subscribers filter on, after one tag lookup', async () => {
    const { outcome } = deliver([
      record('m1', complianceEvent('i-0000000000000aaa1')),
      record('m2', complianceEvent('i-0000000000000aaa2')),
      record('m3', complianceEvent('i-0000000000000bbb1', 'COMPLIANT')),
    ]);

    const result = await outcome;

    expect(result).toEqual({ batchItemFailures: [], messagesPublished: 2, duplicatesDropped: 0 });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'instance-id', Values: ['i-0000000000000aaa1', 'i-0000000000000aaa2', 'i-0000000000000bbb1'] }],
    });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'ena-guard: 2 of 2 resources need attention (payments@example.com)',
      MessageAttributes: {
        owner: { DataType: 'String', StringValue: 'payments@example.com' },
        severity: { DataType: 'String', StringValue: 'NON_COMPLIANT' },
        kinds: { DataType: 'String', StringValue: 'compliance' },
        rules: { DataType: 'String', StringValue: 'ena-instance-enabled' },
      },
    });
  });

  it('finds a remediation\'s instance from the execution\'s parameters and tells its owner', async () => {
    ssmMock.on(GetAutomationExecutionCommand).resolves({
      AutomationExecution: { AutomationExecutionId: '4e5f6a7b-1234-4cde-8f90-123456789abc', Parameters: { InstanceId: ['i-0000000000000bbb1'], AutomationAssumeRole: [''] } },
    });
    const { outcome } = deliver([record('m1', fixture('automation-status-change'))]);

    const result = await outcome;

    expect(result.messagesPublished).toBe(1);
    expect(ssmMock).toHaveReceivedCommandWith(GetAutomationExecutionCommand, { AutomationExecutionId: '4e5f6a7b-1234-4cde-8f90-123456789abc' });
    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(message?.MessageAttributes?.owner?.StringValue).toBe('data@example.com');
    expect(message?.Message).toContain('Remediation EnaGuard-EnableEnaSupport: Success  AWS::EC2::Instance i-0000000000000bbb1');
  });

  it('sends resources whose owner tags are missing, or that are gone, to the unowned address', async () => {
    const { outcome } = deliver([record('m1', complianceEvent('i-0000000000000dead'))]);

    await outcome;

    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes?.owner?.StringValue).toBe('unowned');
  });

  it('retries only the records of an owner whose message could not be published', async () => {
    snsMock.on(PublishCommand).callsFake((input: { MessageAttributes?: Record<string, { StringValue?: string }> }) => {
      if (input.MessageAttributes?.owner?.StringValue === 'data@example.com') throw Object.assign(new Error('Throttled'), { name: 'ThrottledException' });
      return { MessageId: 'ok' };
    });
    const { outcome } = deliver([
      record('m1', complianceEvent('i-0000000000000aaa1')),
      record('m3', complianceEvent('i-0000000000000bbb1')),
    ]);

    const result = await outcome;

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }], messagesPublished: 1, duplicatesDropped: 0 });
  });

  it('fails a malformed record by itself, naming what is wrong, and delivers the others', async () => {
    const { outcome, log } = deliver([record('bad', '{"source":"aws.config","detail-type":"Config Rules Compliance Change"}'), record('m1', complianceEvent('i-0000000000000aaa1'))]);

    const result = await outcome;

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }], messagesPublished: 1, duplicatesDropped: 0 });
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', extra: expect.objectContaining({ messageId: 'bad' }) }));
  });

  it('retries the whole batch when the owners\' tags cannot be read, and publishes nothing', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    const { outcome } = deliver([record('m1', complianceEvent('i-0000000000000aaa1')), record('m2', complianceEvent('i-0000000000000aaa2'))]);

    const result = await outcome;

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }], messagesPublished: 0, duplicatesDropped: 0 });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('reads launch templates one by one when one of them is gone', async () => {
    ec2Mock.on(DescribeLaunchTemplatesCommand, { LaunchTemplateIds: ['lt-0aaaaaaaaaaaaaaa1', 'lt-0aaaaaaaaaaaaaaa2'] }).rejects(Object.assign(new Error('not found'), { name: 'InvalidLaunchTemplateId.NotFound' }));
    ec2Mock.on(DescribeLaunchTemplatesCommand, { LaunchTemplateIds: ['lt-0aaaaaaaaaaaaaaa1'] }).resolves({ LaunchTemplates: [{ LaunchTemplateId: 'lt-0aaaaaaaaaaaaaaa1', Tags: [{ Key: 'Owner', Value: 'web@example.com' }] }] });
    ec2Mock.on(DescribeLaunchTemplatesCommand, { LaunchTemplateIds: ['lt-0aaaaaaaaaaaaaaa2'] }).rejects(Object.assign(new Error('not found'), { name: 'InvalidLaunchTemplateId.NotFound' }));
    const template = (id: string) => {
      const event = complianceEvent(id);
      return { ...event, detail: { ...(event.detail as object), resourceType: 'AWS::EC2::LaunchTemplate', configRuleName: 'ena-image-enabled' } };
    };
    const { outcome } = deliver([record('m1', template('lt-0aaaaaaaaaaaaaaa1')), record('m2', template('lt-0aaaaaaaaaaaaaaa2'))]);

    const result = await outcome;

    const owners = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageAttributes?.owner?.StringValue).sort();
    expect(owners).toEqual(['unowned', 'web@example.com']);
    expect(result.batchItemFailures).toEqual([]);
  });
});
