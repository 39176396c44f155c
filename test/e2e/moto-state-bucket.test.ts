/**
 * The state bucket's readers and writers over real HTTP against moto's S3: the stale-result ledger
 * (gzipped record, marks, DeleteObjects with its checksum) and the inventory data sync reader
 * (keys with `Custom:EnaDriver`'s colon), with the client the functions build (createS3Client).
 */
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.js';
import { S3ResultLedger } from '../../src/engine/s3-result-ledger.js';
import type { InventoryReader } from '../../src/facts/inventory-reader.js';
import { SyncedInventoryReader, syncedInventoryFolder } from '../../src/facts/synced-inventory-reader.js';
import { inventoryEntry } from '../support/inventory.js';
import { startMoto, type Moto } from '../support/moto.js';
import { toolAvailable } from '../support/tools.js';

const hasMoto = toolAvailable('moto_server', ['--help']);
const BUCKET = 'ena-guard-state-e2e';
let moto: Moto | undefined;
let s3: S3Client;

describe.skipIf(!hasMoto)('the state bucket against moto (requires moto_server)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    s3 = createS3Client({
      region: 'eu-west-1',
      env: { AWS_ENDPOINT_URL: moto.endpoint },
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('keeps a ledger: record written and read back, marks listed past a page and deleted in batches, record discarded', async () => {
    const ledger = new S3ResultLedger(s3, BUCKET, 'ena-instance-enabled');
    const recorded = Array.from({ length: 30_000 }, (_, index) => ({ resourceType: 'AWS::EC2::Instance', resourceId: `i-${index.toString(16).padStart(17, '0')}` }));
    await ledger.write(recorded, []);
    const marked = Array.from({ length: 1_050 }, (_, index) => ({ resourceType: 'AWS::EC2::LaunchTemplate', resourceId: `lt-${index.toString(16).padStart(17, '0')}` }));
    const limit = pLimit(16);
    await Promise.all(marked.map((resource) => limit(() => ledger.mark(resource))));

    const contents = await ledger.read();
    expect(contents?.resources).toHaveLength(31_050);
    expect(contents?.marks).toHaveLength(1_050);

    await ledger.write(recorded.slice(0, 10), contents!.marks);
    const after = await ledger.read();
    expect(after).toEqual({ resources: recorded.slice(0, 10), marks: [] });

    await ledger.discard();
    expect(await ledger.read()).toBeUndefined();
  }, 120_000);

  it('reads the inventory data sync from keys with the type\'s colon, and falls back for what it lacks', async () => {
    const location = { prefix: 'inventory-sync', accountId: '123456789012', region: 'eu-west-1' };
    const folder = syncedInventoryFolder(location);
    const synced = 'i-0aaaaaaaaaaaaaaa1';
    const line = JSON.stringify({ ...inventoryEntry({ DriverVersion: '2.13.0g' }), resourceId: synced, captureTime: '2026-11-22T03:10:12Z', schemaVersion: '1.0' });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${folder}${synced}.json`, Body: `${line}\n` }));
    const asked: string[] = [];
    const fallback: InventoryReader = {
      managedInstances: async () => new Map(),
      driverInventory: async (instanceId) => {
        asked.push(instanceId);
        return { kind: 'none' };
      },
    };
    const reader = new SyncedInventoryReader({ s3, bucket: BUCKET, ...location, fallback });

    await reader.managedInstances();
    const found = await reader.driverInventory(synced);
    const lacking = await reader.driverInventory('i-0bbbbbbbbbbbbbbb2');

    expect(found).toMatchObject({ kind: 'found', inventory: { driverVersion: '2.13.0g' } });
    expect(lacking).toEqual({ kind: 'none' });
    expect(asked).toEqual(['i-0bbbbbbbbbbbbbbb2']);
    expect(reader.problems()).toEqual([]);
  });
});
