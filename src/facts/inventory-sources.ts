/**
 * The InventoryReader a rule function uses, chosen by its environment (the template sets it):
 * with INVENTORY_SYNC_BUCKET, the resource data sync read in bulk, ListInventoryEntries for what
 * it lacks; without, ListInventoryEntries alone (docs/fleet-scale.md).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { createS3Client } from '../aws/clients.js';
import { AwsInventoryReader } from './aws-inventory-reader.js';
import type { InventoryReader } from './inventory-reader.js';
import { SyncedInventoryReader } from './synced-inventory-reader.js';

/** The environment of the inventory source, as the template writes it (src/facts/permissions.ts). */
export const INVENTORY_SYNC_ENVIRONMENT = {
  bucket: 'INVENTORY_SYNC_BUCKET',
  prefix: 'INVENTORY_SYNC_PREFIX',
  accountId: 'INVENTORY_SYNC_ACCOUNT_ID',
} as const;

/** The sync's `BucketPrefix` in the state bucket (infra/base.yaml, InventoryResourceDataSync). */
export const INVENTORY_SYNC_PREFIX = 'inventory-sync';

export function inventoryReaderFromEnvironment(ssm: SSMClient, env: Readonly<Record<string, string | undefined>> = process.env): InventoryReader {
  const fallback = new AwsInventoryReader(ssm);
  const bucket = env[INVENTORY_SYNC_ENVIRONMENT.bucket];
  if (!bucket) return fallback;
  return new SyncedInventoryReader({
    s3: createS3Client(),
    bucket,
    prefix: env[INVENTORY_SYNC_ENVIRONMENT.prefix] ?? INVENTORY_SYNC_PREFIX,
    accountId: env[INVENTORY_SYNC_ENVIRONMENT.accountId] ?? '',
    region: env.AWS_REGION ?? '',
    fallback,
  });
}
