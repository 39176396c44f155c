/**
 * Delivers a batch of alert events (SQS records, each one EventBridge event) as one SNS message
 * per owner. What cannot be delivered is reported back by record, so SQS retries exactly those
 * records and, after its receive limit, moves them to the dead-letter queue: nothing is lost.
 * What was delivered is not delivered again: each event is claimed in the delivery ledger before
 * it is published, marked delivered after the owner's message that carries it was published, and
 * released when it was not (delivery-ledger.ts has the semantics).
 * Owners are read from the resources' tags and accepted only in the forms of owners.ts; a resource
 * whose owner tag value is refused goes to `unowned`, its message naming the refused value.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import type { Log, MetricsRecorder } from '../engine/ports.js';
import { describeError } from '../errors.js';
import type { DeliveryLedger } from './delivery-ledger.js';
import { buildDigests, type OwnedAlert } from './digest.js';
import { parseAlertEvent, type AlertEvent } from './events.js';
import { ownerOf, type OwnerPolicy } from './owners.js';
import { remediationTarget, tagsOf, type ResourceRef } from './resource-owners.js';
import { TEXT_LIMITS, safeText } from './untrusted-text.js';

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
  /** Which owner tag values are accepted besides email addresses (owners.ts). */
  readonly ownerPolicy: OwnerPolicy;
  readonly exemptionTagKey: string;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  /** Which events were delivered already, by EventBridge event id. */
  readonly ledger: DeliveryLedger;
  /** The invocation's remaining time; a claim is held that long. */
  readonly remainingTimeInMillis: () => number;
}

export interface DeliveryOutcome {
  /** Record ids to retry (the SQS partial-batch-response format). */
  readonly batchItemFailures: readonly { itemIdentifier: string }[];
  readonly messagesPublished: number;
  /** Records dropped because their event was delivered before (or is carried by another record of the batch). */
  readonly duplicatesDropped: number;
}

/** DynamoDB calls of the ledger in flight at once. */
const LEDGER_CONCURRENCY = 10;

export async function deliverOwnerAlerts(records: readonly AlertRecord[], deps: AlertDependencies): Promise<DeliveryOutcome> {
  const failed = new Set<string>();
  /** The records of each event (more than one when EventBridge delivered it twice into this batch). */
  const recordsOf = new Map<string, string[]>();
  const alerts: AlertEvent[] = [];
  let duplicatesDropped = 0;

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
    const known = recordsOf.get(alert.eventId);
    if (known) known.push(record.messageId);
    else {
      recordsOf.set(alert.eventId, [record.messageId]);
      alerts.push(alert);
    }
  }
  const retry = (eventId: string) => {
    for (const messageId of recordsOf.get(eventId) ?? []) failed.add(messageId);
  };

  const limit = pLimit(LEDGER_CONCURRENCY);
  const release = (eventIds: readonly string[]) =>
    Promise.all(
      eventIds.map((eventId) =>
        limit(async () => {
          try {
            await deps.ledger.release(eventId);
          } catch (error) {
            // Harmless: the claim expires with this invocation, before SQS hands the record out again.
            deps.log.warn('Could not release the claim of an alert event; it expires with this invocation', { eventId, error: describeError(error) });
          }
        }),
      ),
    );

  // Claimed in parallel, kept in the batch's order (tag lookups and digests are then deterministic).
  const outcomes = await Promise.all(
    alerts.map((alert) =>
      limit(async () => {
        try {
          return await deps.ledger.claim(alert.eventId, deps.remainingTimeInMillis());
        } catch (error) {
          deps.log.warn('Could not claim an alert event in the idempotency table; it will be retried', { eventId: alert.eventId, error: describeError(error) });
          return 'unavailable' as const;
        }
      }),
    ),
  );
  const claimed: AlertEvent[] = [];
  for (const [index, alert] of alerts.entries()) {
    const outcome = outcomes[index];
    if (outcome === 'claimed') claimed.push(alert);
    else if (outcome === 'delivered') duplicatesDropped += recordsOf.get(alert.eventId)?.length ?? 0;
    else {
      if (outcome === 'busy') deps.log.info('Alert event is being delivered by another invocation; it will be retried', { eventId: alert.eventId });
      retry(alert.eventId);
    }
  }

  const located: { alert: AlertEvent; resource: ResourceRef }[] = [];
  const unlocated: string[] = [];
  for (const alert of claimed) {
    try {
      const resource = alert.kind === 'compliance' ? { resourceType: alert.resourceType, resourceId: alert.resourceId } : await remediationTarget(deps.ssm, alert.executionId);
      located.push({ alert, resource });
    } catch (error) {
      deps.log.warn('Could not find the resource of an alert; it will be retried', { eventId: alert.eventId, messageIds: recordsOf.get(alert.eventId), error: describeError(error) });
      retry(alert.eventId);
      unlocated.push(alert.eventId);
    }
  }
  await release(unlocated);

  let tags: Map<string, Record<string, string>>;
  try {
    tags = await tagsOf(deps.ec2, located.map(({ resource }) => resource));
  } catch (error) {
    deps.log.warn('Could not read the owners\' tags; the whole batch will be retried', { error: describeError(error) });
    for (const { alert } of located) retry(alert.eventId);
    await release(located.map(({ alert }) => alert.eventId));
    return finish(records.length, failed, 0, duplicatesDropped, deps);
  }

  const owned: OwnedAlert[] = located.map(({ alert, resource }) => {
    const resolution = ownerOf(tags.get(`${resource.resourceType}/${resource.resourceId}`) ?? {}, deps.ownerTagKeys, deps.ownerPolicy);
    const refusedOwner = resolution.form === 'refused' ? resolution.refused : undefined;
    if (refusedOwner) {
      deps.log.warn('An owner tag value is not a valid owner; the alert goes to unowned', {
        eventId: alert.eventId,
        resource: safeText(`${resource.resourceType}/${resource.resourceId}`, TEXT_LIMITS.name * 2),
        tagKey: safeText(refusedOwner.tagKey, TEXT_LIMITS.name),
        value: safeText(refusedOwner.value, TEXT_LIMITS.rejectedOwner),
        reason: refusedOwner.reason,
      });
    }
    return {
      owner: resolution.owner,
      refusedOwner,
      resourceType: resource.resourceType,
      resourceId: resource.resourceId,
      alert: alert as OwnedAlert['alert'],
      sourceId: alert.eventId,
    };
  });

  let published = 0;
  for (const digest of buildDigests(owned, { exemptionTagKey: deps.exemptionTagKey })) {
    let snsMessageId: string | undefined;
    try {
      const response = await deps.sns.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Subject: digest.subject,
          Message: digest.message,
          MessageAttributes: Object.fromEntries(
            Object.entries(digest.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        }),
      );
      snsMessageId = response.MessageId;
      published += 1;
    } catch (error) {
      deps.log.warn('Publishing an owner digest failed; its events will be retried', { owner: digest.owner, error: describeError(error) });
      for (const eventId of digest.sourceIds) retry(eventId);
      await release(digest.sourceIds);
      continue;
    }
    // Marked before the next owner's publish, so that a timeout from here on repeats no message.
    await Promise.all(
      digest.sourceIds.map((eventId) =>
        limit(async () => {
          duplicatesDropped += (recordsOf.get(eventId)?.length ?? 1) - 1;
          try {
            await deps.ledger.markDelivered(eventId, snsMessageId);
          } catch (error) {
            // Not retried: the owner has the message. Only a later duplicate of the event could repeat it.
            deps.log.warn('An alert event was delivered but could not be marked delivered', { eventId, snsMessageId, error: describeError(error) });
          }
        }),
      ),
    );
  }
  return finish(records.length, failed, published, duplicatesDropped, deps);
}

function finish(records: number, failed: ReadonlySet<string>, published: number, duplicatesDropped: number, deps: AlertDependencies): DeliveryOutcome {
  deps.metrics.addMetric('OwnerMessagesPublished', MetricUnit.Count, published);
  deps.metrics.addMetric('AlertEventsRetried', MetricUnit.Count, failed.size);
  deps.metrics.addMetric('DuplicateAlertEventsDropped', MetricUnit.Count, duplicatesDropped);
  deps.log.info('Owner alerts delivered', { records, messagesPublished: published, retried: failed.size, duplicatesDropped });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })), messagesPublished: published, duplicatesDropped };
}
