/**
 * An in-memory idempotency table behind aws-sdk-client-mock's DynamoDB stub: PutItem, GetItem,
 * UpdateItem and DeleteItem as Powertools' DynamoDB persistence layer sends them, answered in the
 * SDK's output shapes. PutItem evaluates Powertools' one condition expression and refuses any
 * other, so that a Powertools upgrade that changes it fails these tests instead of passing them.
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { KEY_PREFIX } from '../../src/alerts/delivery-ledger.js';

type Item = Record<string, AttributeValue>;

const POWERTOOLS_CONDITION =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';

function number(value: AttributeValue | undefined): number | undefined {
  return value && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

function keyOf(key: Item | undefined): string {
  const id = key?.id;
  if (!id || !('S' in id) || !id.S) throw new Error(`the fake table keys on id (S), got ${JSON.stringify(key)}`);
  return id.S;
}

export interface FakeIdempotencyTable {
  readonly items: Map<string, Item>;
  /** The record of an EventBridge event id, under the key Powertools gives it (prefix#md5 of the JSON id). */
  recordOf(eventId: string): Item | undefined;
}

/**
 * Installs the table on the stub. With `returnOldItem: false` a failed condition carries no item
 * (as some DynamoDB emulators answer), so the persistence layer has to read it with GetItem.
 */
export function fakeIdempotencyTable(stub: AwsClientStub<DynamoDBClient>, options: { returnOldItem?: boolean } = {}): FakeIdempotencyTable {
  const items = new Map<string, Item>();
  stub.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    if (input.ConditionExpression !== POWERTOOLS_CONDITION) throw new Error(`unexpected condition ${input.ConditionExpression}`);
    const values = input.ExpressionAttributeValues ?? {};
    const key = keyOf(input.Item);
    const old = items.get(key);
    if (old) {
      const expired = (number(old.expiration) ?? 0) < (number(values[':now']) ?? 0);
      const inProgressExpiry = number(old.in_progress_expiration);
      const claimExpired = old.status?.S === 'INPROGRESS' && inProgressExpiry !== undefined && inProgressExpiry < (number(values[':now_in_millis']) ?? 0);
      if (!expired && !claimExpired) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: { httpStatusCode: 400 },
          ...(options.returnOldItem === false ? {} : { Item: old }),
        });
      }
    }
    items.set(key, { ...input.Item });
    return {};
  });
  stub.on(GetItemCommand).callsFake((input: { Key?: Item }) => {
    const item = items.get(keyOf(input.Key));
    return item ? { Item: item } : {};
  });
  stub.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    const key = keyOf(input.Key);
    const item: Item = { ...(items.get(key) ?? input.Key) };
    for (const [, name, value] of (input.UpdateExpression ?? '').matchAll(/(#\w+) = (:\w+)/g)) {
      const attribute = input.ExpressionAttributeNames?.[name ?? ''];
      const attributeValue = input.ExpressionAttributeValues?.[value ?? ''];
      if (!attribute || !attributeValue) throw new Error(`unknown name or value in ${input.UpdateExpression}`);
      item[attribute] = attributeValue;
    }
    items.set(key, item);
    return {};
  });
  stub.on(DeleteItemCommand).callsFake((input: { Key?: Item }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  return { items, recordOf: (eventId) => items.get(`${KEY_PREFIX}#${createHash('md5').update(JSON.stringify(eventId)).digest('base64')}`) };
}
