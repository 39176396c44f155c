import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { driverCurrentRule } from '../../rules/driver-current.js';
import { AwsInventoryReader } from '../../src/facts/aws-inventory-reader.js';
import { INVENTORY_SYNC_ENVIRONMENT, inventoryReaderFromEnvironment } from '../../src/facts/inventory-sources.js';
import { FACT_SOURCE_ENVIRONMENT } from '../../src/facts/permissions.js';
import { SyncedInventoryReader } from '../../src/facts/synced-inventory-reader.js';

const ssm = new SSMClient({ region: 'eu-west-1' });

describe('inventoryReaderFromEnvironment', () => {
  it('reads ListInventoryEntries alone when the template names no sync bucket (the data sync is off)', () => {
    expect(inventoryReaderFromEnvironment(ssm, { [INVENTORY_SYNC_ENVIRONMENT.bucket]: '', AWS_REGION: 'eu-west-1' })).toBeInstanceOf(AwsInventoryReader);
  });

  it('reads the data sync, in bulk, when the template names its bucket', () => {
    const reader = inventoryReaderFromEnvironment(ssm, {
      [INVENTORY_SYNC_ENVIRONMENT.bucket]: 'stack-statebucket-1a2b3c',
      [INVENTORY_SYNC_ENVIRONMENT.prefix]: 'inventory-sync',
      [INVENTORY_SYNC_ENVIRONMENT.accountId]: '123456789012',
      AWS_REGION: 'eu-west-1',
    });

    expect(reader).toBeInstanceOf(SyncedInventoryReader);
    expect(reader.maxConcurrentLookups).toBe(50);
  });

  it('is given by the template every variable it reads, for the rules that read inventory', () => {
    expect(driverCurrentRule.factSources).toContain('inventory');
    expect(Object.keys(FACT_SOURCE_ENVIRONMENT.inventory ?? {}).sort()).toEqual(Object.values(INVENTORY_SYNC_ENVIRONMENT).sort());
  });
});
