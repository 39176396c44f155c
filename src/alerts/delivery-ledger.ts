/**
 * Which alert events were already delivered, so that a redelivered SQS message (after a failed
 * batch, a Lambda timeout after a publish, or EventBridge's own at-least-once duplicate) does not
 * tell an owner the same thing twice. Powertools for AWS Lambda's idempotency records in DynamoDB,
 * one per EventBridge event id, driven through its persistence layer.
 *
 * Why not `makeIdempotent`: it makes one call idempotent on one payload (claim, run, mark done or
 * delete). Here one SNS message per owner carries many events, and which events share a message
 * depends on how SQS happened to batch them, so no digest is ever the same payload twice. The
 * unit that repeats is the event, hence one record per event id, handled in three steps:
 *
 * 1. Claim before anything is published: `saveInProgress` writes the record IN_PROGRESS (a
 *    conditional PutItem) with an in-progress expiry of this invocation's remaining time. Lambda's
 *    timeout (60 s) is shorter than the queue's visibility timeout (360 s), so a claim left behind
 *    by an invocation that died has always expired before SQS hands its record out again.
 *    - The record is COMPLETED: the event was delivered; it is dropped, not retried, and counted.
 *    - The record is IN_PROGRESS and not expired: another invocation holds the event (it is
 *      publishing it now); the record is reported as a batch item failure, so SQS retries it after
 *      the visibility timeout, when it is either completed (and dropped) or free again.
 * 2. Mark completed (`saveSuccess`, an UpdateItem, storing the SNS message id that carried it)
 *    right after the owner's message that carries the event is published: one owner at a time,
 *    so a timeout after the first owner's publish leaves only the other owners' events to retry.
 * 3. Release (`deleteRecord`, a DeleteItem) when the event was not published: the publish failed,
 *    or its resource or tags could not be read. The record goes back to SQS and the retry claims
 *    it afresh. A release that fails is harmless: the claim expires with this invocation, before
 *    SQS retries the record.
 *
 * Completed records expire (TTL attribute `expiration`) after the queue's retention period: no
 * redelivery of an event can arrive later than that. What this cannot prevent: SNS accepts a
 * message and the invocation dies before step 2 (or step 2 fails, which is logged and not
 * retried, since the owner has the message). That window is the time between SNS's answer and one
 * UpdateItem; a duplicate is then possible after the claim expires, a lost alert never is.
 * `POWERTOOLS_IDEMPOTENCY_DISABLED` is not honoured: it is read by Powertools' wrappers, which
 * this module does not use.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { EnaGuardError, describeError } from '../errors.js';

/** What a claim found: the event is now this invocation's, was delivered, or is held elsewhere. */
export type ClaimOutcome = 'claimed' | 'delivered' | 'busy';

export interface DeliveryLedger {
  /** Claims an event for this invocation for `holdMillis` (its remaining time). */
  claim(eventId: string, holdMillis: number): Promise<ClaimOutcome>;
  /** Marks a claimed event delivered, by the SNS message that carried it. */
  markDelivered(eventId: string, snsMessageId: string | undefined): Promise<void>;
  /** Gives a claim up, so that the next delivery of the event publishes it. */
  release(eventId: string): Promise<void>;
}

/** The idempotency store could not be read or written; the event's fate is unknown to it. */
export class DeliveryLedgerError extends EnaGuardError {
  constructor(
    message: string,
    readonly eventId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The function was deployed without `IDEMPOTENCY_TABLE_NAME`. */
export class IdempotencyTableNotSetError extends EnaGuardError {}

/** The owner alerts' queue keeps a message this long (SQS's default, 4 days): no redelivery comes later. */
export const DELIVERED_RECORD_SECONDS = 4 * 24 * 60 * 60;

/**
 * Keys are `<prefix>#md5(<event id>)`. A fixed prefix instead of Powertools' default (the Lambda
 * function's name), so that a redeployment that renames the function keeps its records.
 */
export const KEY_PREFIX = 'ena-guard-owner-alerts';

/** Powertools' table layout: partition key `id` (S), TTL attribute `expiration` (N, epoch seconds). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'id';
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

function failed(what: string, eventId: string, cause: unknown): DeliveryLedgerError {
  return new DeliveryLedgerError(`${what} alert event ${eventId} failed: ${describeError(cause)}`, eventId, { cause });
}

/** A ledger over any Powertools persistence layer (DynamoDB in the function, another in tests). */
export function powertoolsLedger(persistence: BasePersistenceLayer, options: { deliveredRecordSeconds?: number } = {}): DeliveryLedger {
  persistence.configure({
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'id',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: options.deliveredRecordSeconds ?? DELIVERED_RECORD_SECONDS,
    }),
    keyPrefix: KEY_PREFIX,
  });
  // The payload hashed is what an EventBridge event would give under `eventKeyJmesPath: 'id'`.
  const payload = (eventId: string) => ({ id: eventId });

  async function existingRecord(error: IdempotencyItemAlreadyExistsError, eventId: string): Promise<IdempotencyRecord | undefined> {
    // DynamoDB returns the record that failed the condition (ReturnValuesOnConditionCheckFailure);
    // a store that does not is asked with a consistent read.
    if (error.existingRecord) return error.existingRecord;
    try {
      return await persistence.getRecord(payload(eventId));
    } catch (lookup) {
      if (lookup instanceof IdempotencyItemNotFoundError) return undefined; // released meanwhile
      throw lookup;
    }
  }

  return {
    async claim(eventId, holdMillis) {
      try {
        await persistence.saveInProgress(payload(eventId), holdMillis);
        return 'claimed';
      } catch (error) {
        if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw failed('Claiming', eventId, error);
        try {
          const record = await existingRecord(error, eventId);
          // A record that vanished or expired between the write and the read is a race: retry later.
          return record?.getStatus() === IdempotencyRecordStatus.COMPLETED ? 'delivered' : 'busy';
        } catch (lookup) {
          throw failed('Claiming', eventId, lookup);
        }
      }
    },
    async markDelivered(eventId, snsMessageId) {
      try {
        await persistence.saveSuccess(payload(eventId), { snsMessageId: snsMessageId ?? null });
      } catch (error) {
        throw failed('Marking delivered', eventId, error);
      }
    },
    async release(eventId) {
      try {
        await persistence.deleteRecord(payload(eventId));
      } catch (error) {
        throw failed('Releasing', eventId, error);
      }
    },
  };
}

/** The ledger of the owner alerts: Powertools' DynamoDB persistence layer on `tableName`. */
export function dynamoDbLedger(tableName: string, client: DynamoDBClient, options: { deliveredRecordSeconds?: number } = {}): DeliveryLedger {
  return powertoolsLedger(new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }), options);
}
