/**
 * Delivers a batch of alert events (SQS records, each one EventBridge event) as one SNS message
 * per owner. What cannot be delivered is reported back by record, so SQS retries exactly those
 * records and, after its receive limit, moves them to the dead-letter queue: nothing is lost.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Log, MetricsRecorder } from '../engine/ports.js';
import { describeError } from '../errors.js';
import { buildDigests, ownerOf, type OwnedAlert } from './digest.js';
import { parseAlertEvent, type AlertEvent } from './events.js';
import { remediationTarget, tagsOf, type ResourceRef } from './resource-owners.js';

export interface AlertRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface AlertDependencies {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly ownerTagKeys: readonly string[];
  readonly exemptionTagKey: string;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
}

export interface DeliveryOutcome {
  /** Record ids to retry (the SQS partial-batch-response format). */
  readonly batchItemFailures: readonly { itemIdentifier: string }[];
  readonly messagesPublished: number;
}

export async function deliverOwnerAlerts(records: readonly AlertRecord[], deps: AlertDependencies): Promise<DeliveryOutcome> {
  const failed = new Set<string>();
  const located: { record: AlertRecord; alert: AlertEvent; resource: ResourceRef }[] = [];

  for (const record of records) {
    let alert: AlertEvent;
    try {
      alert = parseAlertEvent(JSON.parse(record.body));
    } catch (error) {
      deps.log.error('Alert event is not a Config compliance change or an Automation status change; it goes to the dead-letter queue after retries', {
        messageId: record.messageId,
        error: describeError(error),
      });
      failed.add(record.messageId);
      continue;
    }
    try {
      const resource = alert.kind === 'compliance' ? { resourceType: alert.resourceType, resourceId: alert.resourceId } : await remediationTarget(deps.ssm, alert.executionId);
      located.push({ record, alert, resource });
    } catch (error) {
      deps.log.warn('Could not find the resource of an alert; it will be retried', { messageId: record.messageId, error: describeError(error) });
      failed.add(record.messageId);
    }
  }

  let tags: Map<string, Record<string, string>>;
  try {
    tags = await tagsOf(deps.ec2, located.map(({ resource }) => resource));
  } catch (error) {
    deps.log.warn('Could not read the owners\' tags; the whole batch will be retried', { error: describeError(error) });
    return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })), messagesPublished: 0 };
  }

  const owned: OwnedAlert[] = located.map(({ record, alert, resource }) => ({
    owner: ownerOf(tags.get(`${resource.resourceType}/${resource.resourceId}`) ?? {}, deps.ownerTagKeys),
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    alert: alert as OwnedAlert['alert'],
    sourceId: record.messageId,
  }));

  let published = 0;
  for (const digest of buildDigests(owned, deps.exemptionTagKey)) {
    try {
      await deps.sns.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Subject: digest.subject,
          Message: digest.message,
          MessageAttributes: Object.fromEntries(
            Object.entries(digest.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        }),
      );
      published += 1;
    } catch (error) {
      deps.log.warn('Publishing an owner digest failed; its events will be retried', { owner: digest.owner, error: describeError(error) });
      for (const id of digest.sourceIds) failed.add(id);
    }
  }
  deps.metrics.addMetric('OwnerMessagesPublished', MetricUnit.Count, published);
  deps.metrics.addMetric('AlertEventsRetried', MetricUnit.Count, failed.size);
  deps.log.info('Owner alerts delivered', { records: records.length, messagesPublished: published, retried: failed.size });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })), messagesPublished: published };
}
