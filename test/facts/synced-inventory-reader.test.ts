import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type _Object,
} from '@aws-sdk/client-s3';
import { DescribeInstanceInformationCommand, ListInventoryEntriesCommand, SSMClient, type ListInventoryEntriesCommandOutput } from '@aws-sdk/client-ssm';
// sdkStreamMixin: @smithy/util-stream is folded into @smithy/core in this SDK version.
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsInventoryReader, lookupFromEntries } from '../../src/facts/aws-inventory-reader.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from '../../src/facts/inventory-reader.js';
import {
  DEFAULT_FALLBACK_CONCURRENCY,
  DEFAULT_SYNC_GET_CONCURRENCY,
  SYNC_LIST_PAGE_SIZE,
  SyncedInventoryReader,
  instanceIdFromSyncedKey,
  parseSyncedInventoryObject,
  syncedInventoryFolder,
} from '../../src/facts/synced-inventory-reader.js';
import { inventoryEntry } from '../support/inventory.js';

const s3Mock = mockClient(S3Client);
const ssmMock = mockClient(SSMClient);

const BUCKET = 'ena-guard-inventory-sync';
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** The instance whose item the fixtures hold. */
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const FOLDER = `inventory/Custom:EnaDriver/accountid=${ACCOUNT}/region=${REGION}/resourcetype=ManagedInstanceInventory/`;

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/inventory-sync/${name}`, import.meta.url), 'utf8');
}

/** An S3 object of the sync folder, as ListObjectsV2 lists it. */
function listedObject(instanceId: string, size = 501): _Object {
  return { Key: `${FOLDER}${instanceId}.json`, Size: size, LastModified: new Date('2026-01-05T10:02:40Z'), ETag: '"9b2cf535f27731c974343645a3985328"', StorageClass: 'STANDARD' };
}

function listing(objects: readonly _Object[], nextToken?: string): ListObjectsV2CommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    Name: BUCKET,
    Prefix: FOLDER,
    KeyCount: objects.length,
    MaxKeys: SYNC_LIST_PAGE_SIZE,
    IsTruncated: nextToken !== undefined,
    Contents: [...objects],
    ...(nextToken === undefined ? {} : { NextContinuationToken: nextToken }),
  };
}

/** A GetObject answer whose body streams `text`, as the SDK returns it in Node.js. */
function objectBody(text: string): GetObjectCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    ContentType: 'application/json',
    ContentLength: Buffer.byteLength(text),
    Body: sdkStreamMixin(Readable.from([Buffer.from(text, 'utf8')])),
  };
}

/** The fallback reader: lists INSTANCE as managed and records which instances it was asked about. */
class RecordingFallback implements InventoryReader {
  readonly asked: string[] = [];
  /** managedInstances() calls (DescribeInstanceInformation). */
  listings = 0;
  constructor(private readonly answer: DriverInventoryLookup = { kind: 'none' }) {}

  async managedInstances(): Promise<ReadonlyMap<string, ManagedInstance>> {
    this.listings += 1;
    return new Map([[INSTANCE, { instanceId: INSTANCE, pingStatus: 'Online', platformType: 'Linux', platformName: 'Amazon Linux', platformVersion: '2' }]]);
  }

  async driverInventory(instanceId: string): Promise<DriverInventoryLookup> {
    this.asked.push(instanceId);
    return this.answer;
  }
}

/** A fallback whose lookups take a few milliseconds, counting how many run at once. */
class SlowFallback extends RecordingFallback {
  private inFlight = 0;
  peak = 0;

  override async driverInventory(instanceId: string): Promise<DriverInventoryLookup> {
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight -= 1;
    return super.driverInventory(instanceId);
  }
}

/** The AWS fallback (ListInventoryEntries), with DescribeInstanceInformation answering INSTANCE as managed. */
function awsFallback(): AwsInventoryReader {
  ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: INSTANCE, PingStatus: 'Online', PlatformType: 'Linux' }] });
  return new AwsInventoryReader(new SSMClient({ region: REGION }));
}

function reader(fallback: InventoryReader = new RecordingFallback(), concurrency: { getConcurrency?: number; fallbackConcurrency?: number } = {}) {
  return new SyncedInventoryReader({
    s3: new S3Client({ region: REGION }),
    bucket: BUCKET,
    prefix: 'inventory',
    accountId: ACCOUNT,
    region: REGION,
    fallback,
    ...concurrency,
  });
}

/** Instance ids that no fixture uses, `count` of them. */
function instanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `i-0${index.toString(16).padStart(16, '0')}`);
}

beforeEach(() => {
  s3Mock.reset();
  ssmMock.reset();
});

describe('syncedInventoryFolder and instanceIdFromSyncedKey', () => {
  it('places the type folder, colon kept, under the prefix, then the account, Region and resource type partitions', () => {
    expect(syncedInventoryFolder({ prefix: 'inventory', accountId: ACCOUNT, region: REGION })).toBe(FOLDER);
    expect(syncedInventoryFolder({ prefix: '/inventory/', accountId: ACCOUNT, region: REGION })).toBe(FOLDER);
    expect(syncedInventoryFolder({ prefix: '', accountId: ACCOUNT, region: REGION })).toBe(FOLDER.slice('inventory/'.length));
  });

  it.each([
    { key: `${FOLDER}${INSTANCE}.json`, instanceId: INSTANCE },
    { key: `${FOLDER}mi-0123456789abcdef0.json`, instanceId: 'mi-0123456789abcdef0' },
    { key: `${FOLDER}nested/${INSTANCE}.json`, instanceId: undefined },
    { key: `${FOLDER}${INSTANCE}.json.tmp`, instanceId: undefined },
    { key: `${FOLDER}.json`, instanceId: undefined },
    { key: `inventory/AWS:Application/accountid=${ACCOUNT}/region=${REGION}/resourcetype=ManagedInstanceInventory/${INSTANCE}.json`, instanceId: undefined },
    { key: undefined, instanceId: undefined },
  ])('reads the instance id of $key as $instanceId', ({ key, instanceId }) => {
    expect(instanceIdFromSyncedKey(FOLDER, key)).toBe(instanceId);
  });
});

describe('parseSyncedInventoryObject', () => {
  it('turns each line into an entry with the canonical attribute names and without the sync fields', () => {
    // Act
    const parsed = parseSyncedInventoryObject(fixture('lower-case-attributes.json'), INSTANCE);

    // Assess
    expect(parsed).toEqual({ ok: true, entries: [inventoryEntry()], captureTime: '2026-01-05T10:02:31Z' });
  });

  it('keeps every record, in order, and the capture time of the first', () => {
    const first = fixture('linux-out-of-tree.json').trim();
    const second = first.replace('"eth0"', '"eth1"').replace('2026-01-05T10:02:31Z', '2026-01-06T10:02:31Z');

    expect(parseSyncedInventoryObject(`${first}\n${second}\n`, INSTANCE)).toEqual({
      ok: true,
      entries: [inventoryEntry(), inventoryEntry({ InterfaceName: 'eth1' })],
      captureTime: '2026-01-05T10:02:31Z',
    });
  });

  it('skips blank lines, a byte order mark and CRLF line ends', () => {
    const body = `\uFEFF\r\n${fixture('linux-out-of-tree.json').trim()}\r\n\r\n`;

    expect(parseSyncedInventoryObject(body, INSTANCE)).toMatchObject({ ok: true, entries: [inventoryEntry()] });
  });
});

describe('SyncedInventoryReader.driverInventory', () => {
  it('reads an instance item from its synced object', async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: `${FOLDER}${INSTANCE}.json` }).resolves(objectBody(fixture('linux-out-of-tree.json')));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    // Act
    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    // Assess
    expect(lookup).toMatchObject({ kind: 'found', inventory: { driverVersion: '2.17.0g', driverBuild: 'out-of-tree', osIdLike: ['centos', 'rhel', 'fedora'] } });
    expect(fallback.asked).toEqual([]);
    expect(synced.counters).toEqual({ listPages: 1, objectsListed: 1, objectsRead: 1, fallbacks: 0 });
  });

  it('gives the same EnaDriverInventory as ListInventoryEntries gives for the same item', async () => {
    // Prepare: the live path, ListInventoryEntries answering with the item's entry
    const live: ListInventoryEntriesCommandOutput = {
      $metadata: { httpStatusCode: 200 },
      TypeName: 'Custom:EnaDriver',
      InstanceId: INSTANCE,
      SchemaVersion: '1.0',
      CaptureTime: '2026-01-05T10:02:31Z',
      Entries: [inventoryEntry()],
    };
    ssmMock.on(ListInventoryEntriesCommand, { InstanceId: INSTANCE, TypeName: 'Custom:EnaDriver' }).resolves(live);
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(fixture('linux-out-of-tree.json')));

    // Act
    const fromApi = await new AwsInventoryReader(new SSMClient({ region: REGION })).driverInventory(INSTANCE);
    const synced = reader();
    await synced.managedInstances();
    const fromSync = await synced.driverInventory(INSTANCE);

    // Assess
    expect(fromApi.kind).toBe('found');
    expect(fromSync).toEqual(fromApi);
    expect(fromSync).toEqual(lookupFromEntries(INSTANCE, [inventoryEntry()]));
  });

  it('reads attribute names in any casing to the same inventory', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(fixture('lower-case-attributes.json')));
    const synced = reader();

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toEqual(lookupFromEntries(INSTANCE, [inventoryEntry()]));
  });

  it("keeps the collector's CollectedAt as collectedAt, not the sync's captureTime", async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(fixture('linux-out-of-tree.json')));
    const synced = reader();

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toMatchObject({ kind: 'found', inventory: { collectedAt: '2026-01-05T10:00:00Z' } });
  });

  it('reports none for an object that holds no record', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE, 0)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(fixture('no-records.json')));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toEqual({ kind: 'none' });
    expect(fallback.asked).toEqual([]);
  });

  it('falls back to ListInventoryEntries for an instance without an object', async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    ssmMock.on(ListInventoryEntriesCommand).resolves({ $metadata: {}, InstanceId: 'i-0b0000000000000b1', TypeName: 'Custom:EnaDriver', Entries: [inventoryEntry({ DriverVersion: '2.8.4g' })] });
    const synced = reader(awsFallback());

    // Act
    await synced.managedInstances();
    const lookup = await synced.driverInventory('i-0b0000000000000b1');

    // Assess
    expect(lookup).toMatchObject({ kind: 'found', inventory: { driverVersion: '2.8.4g' } });
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    expect(ssmMock).toHaveReceivedCommandWith(ListInventoryEntriesCommand, { InstanceId: 'i-0b0000000000000b1', TypeName: 'Custom:EnaDriver' });
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 0);
    expect(synced.counters.fallbacks).toBe(1);
  });

  it('lists the account and Region folder once a sweep, 1000 keys a page, following the continuation token', async () => {
    // Prepare: 1000 objects on page 1, 1 on page 2; the paginator reuses its input object, so copy each request
    const firstPage = instanceIds(1000).map((instanceId) => listedObject(instanceId));
    const requests: ListObjectsV2CommandInput[] = [];
    s3Mock.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
      requests.push({ ...input });
      return input.ContinuationToken === 'page-2' ? listing([listedObject(INSTANCE)]) : listing(firstPage, 'page-2');
    });
    // A body streams once: answer each GetObject with a new one.
    s3Mock.on(GetObjectCommand).callsFake(() => objectBody(fixture('linux-out-of-tree.json')));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    // Act: the sweep's concurrent lookups share its one listing
    await synced.managedInstances();
    const lookups = await Promise.all([synced.driverInventory(INSTANCE), synced.driverInventory(INSTANCE), synced.driverInventory('i-0cccccccccccccccc')]);

    // Assess
    expect(requests).toEqual([
      { Bucket: BUCKET, Prefix: FOLDER, MaxKeys: 1000 },
      { Bucket: BUCKET, Prefix: FOLDER, MaxKeys: 1000, ContinuationToken: 'page-2' },
    ]);
    expect(lookups.map((lookup) => lookup.kind)).toEqual(['found', 'found', 'none']);
    expect(fallback.asked).toEqual(['i-0cccccccccccccccc']);
    expect(synced.counters).toEqual({ listPages: 2, objectsListed: 1001, objectsRead: 2, fallbacks: 1 });
  });

  it.each([
    { file: 'not-json.json', detail: 'line 1 is not JSON' },
    { file: 'other-instance.json', detail: 'line 1 is the inventory of i-0ffffffffffffffff, not i-0a1b2c3d4e5f60718' },
    { file: 'missing-driver-present.json', detail: 'Custom:EnaDriver entry is invalid: DriverPresent is missing' },
  ])('reports $file as unreadable, naming its key', async ({ file, detail }) => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(fixture(file)));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup.kind).toBe('unreadable');
    const text = lookup.kind === 'unreadable' ? lookup.detail : '';
    expect(text).toContain(`s3://${BUCKET}/${FOLDER}${INSTANCE}.json`);
    expect(text).toContain(detail);
    expect(fallback.asked).toEqual([]);
  });

  it.each([
    { body: '["DriverPresent","true"]', detail: 'line 1 is not a JSON object' },
    { body: '{"DriverPresent":true,"OsFamily":"linux"}', detail: 'line 1: DriverPresent is not a string' },
    { body: '{"DriverPresent":"true","driverpresent":"false","OsFamily":"linux"}', detail: 'line 1: DriverPresent appears twice' },
  ])('reports an object with $detail as unreadable', async ({ body, detail }) => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).resolves(objectBody(`${body}\n`));
    const synced = reader();

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toMatchObject({ kind: 'unreadable', detail: expect.stringContaining(detail) as string });
  });

  it('reports a GetObject that fails as unreadable, naming the key', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toEqual({ kind: 'unreadable', detail: `GetObject failed for s3://${BUCKET}/${FOLDER}${INSTANCE}.json: AccessDenied: Access Denied` });
    expect(fallback.asked).toEqual([]);
  });

  it('falls back when the object is gone between the listing and the read', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }));
    const fallback = new RecordingFallback({ kind: 'none' });
    const synced = reader(fallback);

    await synced.managedInstances();
    const lookup = await synced.driverInventory(INSTANCE);

    expect(lookup).toEqual({ kind: 'none' });
    expect(fallback.asked).toEqual([INSTANCE]);
    expect(synced.counters).toMatchObject({ objectsRead: 1, fallbacks: 1 });
  });

  it("falls back for every instance when the sweep's listing fails, lists only once and says why", async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
    const fallback = new RecordingFallback();
    const synced = reader(fallback);

    // Act
    await synced.managedInstances();
    await Promise.all([synced.driverInventory(INSTANCE), synced.driverInventory('i-0b0000000000000b1')]);
    await synced.driverInventory('i-0cccccccccccccccc');

    // Assess
    expect(fallback.asked).toEqual([INSTANCE, 'i-0b0000000000000b1', 'i-0cccccccccccccccc']);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 0);
    expect(synced.listingError).toBe(`ListObjectsV2 failed for s3://${BUCKET}/${FOLDER}: AccessDenied: Access Denied`);
    expect(synced.counters).toEqual({ listPages: 0, objectsListed: 0, objectsRead: 0, fallbacks: 3 });
  });

  it('has no listing error while the listing works', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([]));
    const synced = reader();

    await synced.managedInstances();
    await synced.driverInventory(INSTANCE);

    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    expect(synced.listingError).toBeUndefined();
    expect(synced.problems()).toEqual([]);
  });

  it('reads at most getConcurrency objects at a time', async () => {
    // Prepare
    const instances = instanceIds(12);
    s3Mock.on(ListObjectsV2Command).resolves(listing(instances.map((instanceId) => listedObject(instanceId))));
    let inFlight = 0;
    let peak = 0;
    s3Mock.on(GetObjectCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return objectBody(fixture('no-records.json'));
    });

    const shared = reader(undefined, { getConcurrency: 3 });

    // Act
    await shared.managedInstances();
    await Promise.all(instances.map((instanceId) => shared.driverInventory(instanceId)));

    // Assess
    expect(peak).toBe(3);
    expect(shared.counters.objectsRead).toBe(12);
  });

  it.each([
    { fallbackConcurrency: 3, limit: 3 },
    { fallbackConcurrency: undefined, limit: DEFAULT_FALLBACK_CONCURRENCY },
  ])('runs at most $limit fallback lookups at a time (fallbackConcurrency $fallbackConcurrency)', async ({ fallbackConcurrency, limit }) => {
    // Prepare: no instance has an object, so every lookup falls back; object reads may run 50 at once
    const instances = instanceIds(20);
    s3Mock.on(ListObjectsV2Command).resolves(listing([]));
    const fallback = new SlowFallback();
    const synced = reader(fallback, fallbackConcurrency === undefined ? {} : { fallbackConcurrency });

    // Act
    await synced.managedInstances();
    await Promise.all(instances.map((instanceId) => synced.driverInventory(instanceId)));

    // Assess
    expect(limit).toBeLessThan(instances.length);
    expect(fallback.peak).toBe(limit);
    expect([...fallback.asked].sort()).toEqual(instances);
    expect(synced.counters.fallbacks).toBe(20);
  });
});

describe('SyncedInventoryReader outside a sweep', () => {
  it('reads an instance looked up before any managedInstances() call with one ListInventoryEntries call, listing nothing', async () => {
    // Prepare: the sync holds the instance's object, which a lookup outside a sweep must not list or read
    s3Mock.on(ListObjectsV2Command).resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).callsFake(() => objectBody(fixture('linux-out-of-tree.json')));
    ssmMock.on(ListInventoryEntriesCommand).resolves({ $metadata: {}, InstanceId: INSTANCE, TypeName: 'Custom:EnaDriver', Entries: [inventoryEntry({ DriverVersion: '2.8.4g' })] });
    const synced = reader(awsFallback());

    // Act
    const lookup = await synced.driverInventory(INSTANCE);

    // Assess
    expect(lookup).toMatchObject({ kind: 'found', inventory: { driverVersion: '2.8.4g' } });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(ssmMock).toHaveReceivedCommandTimes(ListInventoryEntriesCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(ListInventoryEntriesCommand, { InstanceId: INSTANCE, TypeName: 'Custom:EnaDriver' });
    expect(ssmMock).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 0);
    expect(synced.counters).toEqual({ listPages: 0, objectsListed: 0, objectsRead: 0, fallbacks: 1 });
    expect(synced.problems()).toEqual([]);
  });
});

describe('SyncedInventoryReader.managedInstances', () => {
  it('asks the fallback reader (DescribeInstanceInformation)', async () => {
    s3Mock.on(ListObjectsV2Command).resolves(listing([]));
    const fallback = new RecordingFallback();

    const managed = await reader(fallback).managedInstances();

    expect([...managed.keys()]).toEqual([INSTANCE]);
    expect(fallback.listings).toBe(1);
  });

  it('lists the folder again at each call, so an object added between two sweeps is read in the second', async () => {
    // Prepare: the first sweep's listing has no object, the second's has the instance's
    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce(listing([]))
      .resolves(listing([listedObject(INSTANCE)]));
    s3Mock.on(GetObjectCommand).callsFake(() => objectBody(fixture('linux-out-of-tree.json')));
    const fallback = new RecordingFallback({ kind: 'none' });
    const synced = reader(fallback);

    // Act
    await synced.managedInstances();
    const first = await synced.driverInventory(INSTANCE);
    await synced.managedInstances();
    const second = await synced.driverInventory(INSTANCE);

    // Assess
    expect(first).toEqual({ kind: 'none' });
    expect(second).toMatchObject({ kind: 'found', inventory: { driverVersion: '2.17.0g' } });
    expect(fallback.asked).toEqual([INSTANCE]);
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(synced.counters).toEqual({ listPages: 2, objectsListed: 1, objectsRead: 1, fallbacks: 1 });
  });

  it('names a failed listing in problems(), and has none after a later sweep whose listing works', async () => {
    // Prepare: the first sweep's listing is refused, the second's works
    s3Mock
      .on(ListObjectsV2Command)
      .rejectsOnce(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }))
      .resolves(listing([]));
    const synced = reader();
    expect(synced.problems()).toEqual([]);

    // Act: first sweep
    await synced.managedInstances();
    await synced.driverInventory(INSTANCE);

    // Assess
    expect(synced.problems()).toEqual([
      `Inventory data sync not read; every instance was read with ListInventoryEntries: ListObjectsV2 failed for s3://${BUCKET}/${FOLDER}: AccessDenied: Access Denied`,
    ]);

    // Act: second sweep
    await synced.managedInstances();
    await synced.driverInventory(INSTANCE);

    // Assess
    expect(s3Mock).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    expect(synced.problems()).toEqual([]);
    expect(synced.listingError).toBeUndefined();
  });
});

describe('SyncedInventoryReader configuration', () => {
  it.each([
    { accountId: '12345', region: REGION, message: 'accountId must be 12 digits' },
    { accountId: ACCOUNT, region: 'Ireland', message: 'region must be a Region code' },
  ])('refuses $accountId / $region', ({ accountId, region, message }) => {
    expect(() => new SyncedInventoryReader({ s3: new S3Client({ region: REGION }), bucket: BUCKET, prefix: '', accountId, region, fallback: new RecordingFallback() })).toThrow(message);
  });

  it.each([
    { getConcurrency: undefined, maxConcurrentLookups: DEFAULT_SYNC_GET_CONCURRENCY },
    { getConcurrency: 3, maxConcurrentLookups: 3 },
  ])('lets the binder run getConcurrency ($getConcurrency) lookups at once: $maxConcurrentLookups', ({ getConcurrency, maxConcurrentLookups }) => {
    expect(reader(undefined, getConcurrency === undefined ? {} : { getConcurrency }).maxConcurrentLookups).toBe(maxConcurrentLookups);
  });
});
