/** Lambda entry point of the owner alerts: SQS batches of EventBridge events → one SNS message per owner. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliverOwnerAlerts } from '../../src/alerts/deliver-alerts.js';
import { IdempotencyTableNotSetError, dynamoDbLedger } from '../../src/alerts/delivery-ledger.js';
import { DEFAULT_OWNER_TAG_KEYS, ownerPolicyFromEnvironment, type OwnerPolicy } from '../../src/alerts/owners.js';
import { createAwsClients, createDynamoDbClient, createSnsClient } from '../../src/aws/clients.js';

const clients = createAwsClients();
const sns = createSnsClient();
const logger = new Logger({ serviceName: 'ena-guard', persistentKeys: { component: 'owner-alerts' } });
const metrics = new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard', defaultDimensions: { component: 'owner-alerts' } });
const ownerTagKeys = (process.env.OWNER_TAG_KEYS ?? DEFAULT_OWNER_TAG_KEYS.join(',')).split(',').map((key) => key.trim()).filter(Boolean);
const tableName = process.env.IDEMPOTENCY_TABLE_NAME;
const ledger = tableName ? dynamoDbLedger(tableName, createDynamoDbClient()) : undefined;
// A malformed OWNER_EMAIL_DOMAIN or OWNER_TOPIC_ALLOW_LIST fails each batch (SQS keeps it), as a missing table does.
const ownerPolicy: OwnerPolicy | Error = (() => {
  try {
    return ownerPolicyFromEnvironment(process.env);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
})();

export const handler = async (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
  // Without its table the function would repeat alerts on redelivery: fail the batch, SQS keeps it.
  if (!ledger) throw new IdempotencyTableNotSetError('IDEMPOTENCY_TABLE_NAME is not set; the owner alerts need their idempotency table.');
  if (ownerPolicy instanceof Error) throw ownerPolicy;
  try {
    const outcome = await deliverOwnerAlerts(event.Records, {
      ...clients,
      sns,
      topicArn: process.env.ALERT_TOPIC_ARN ?? '',
      ownerTagKeys,
      ownerPolicy,
      exemptionTagKey: process.env.EXEMPTION_TAG_KEY ?? 'ena-guard:exempt',
      log: logger,
      metrics,
      ledger,
      remainingTimeInMillis: () => context.getRemainingTimeInMillis(),
    });
    return { batchItemFailures: [...outcome.batchItemFailures] };
  } finally {
    metrics.publishStoredMetrics();
  }
};
