/** Alert events, SQS records and the dependencies of deliverOwnerAlerts, shared by the alerts tests. */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AlertDependencies, AlertRecord } from '../../src/alerts/deliver-alerts.js';
import { dynamoDbLedger } from '../../src/alerts/delivery-ledger.js';
import { ownerPolicy } from '../../src/alerts/owners.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';

export const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:EnaGuardOwnerAlerts';
export const TABLE = 'EnaGuardOwnerAlertIdempotency';
/** The one topic an owner tag may name in these tests. */
export const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-team-alerts';
/** Bare names are completed with example.com; only {@link TEAM_TOPIC} is allowed. */
export const OWNER_POLICY = ownerPolicy({ emailDomain: 'example.com', topicAllowList: TEAM_TOPIC });

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** A compliance change of one resource; each resource's event has its own EventBridge id, as in AWS. */
export function complianceEvent(resourceId: string, complianceType = 'NON_COMPLIANT', id = `event-${resourceId}`): Record<string, unknown> {
  const event = fixture('config-compliance-change');
  const detail = event.detail as Record<string, unknown>;
  return {
    ...event,
    id,
    detail: { ...detail, resourceId, newEvaluationResult: { ...(detail.newEvaluationResult as object), complianceType } },
  };
}

export function record(id: string, body: unknown): AlertRecord {
  return { messageId: id, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Everything deliverOwnerAlerts needs, on (mocked) SDK clients; the ledger is Powertools' DynamoDB layer. */
export function alertDependencies(overrides: Partial<AlertDependencies> = {}) {
  const log = recordingLog();
  const metrics = recordingMetrics();
  return {
    log,
    metrics,
    deps: {
      ec2: new EC2Client({ region: 'eu-west-1' }),
      ssm: new SSMClient({ region: 'eu-west-1' }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      topicArn: TOPIC,
      ownerTagKeys: ['ena-guard:owner', 'Owner'],
      ownerPolicy: OWNER_POLICY,
      exemptionTagKey: 'ena-guard:exempt',
      log,
      metrics,
      ledger: dynamoDbLedger(TABLE, new DynamoDBClient({ region: 'eu-west-1' })),
      remainingTimeInMillis: () => 60_000,
      ...overrides,
    } satisfies AlertDependencies,
  };
}
