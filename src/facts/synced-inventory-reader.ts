/**
 * The fleet-scale InventoryReader: `Custom:EnaDriver` read in bulk from the S3 bucket a Systems
 * Manager Resource Data Sync (`SyncToDestination`, `SyncFormat: JsonSerDe`) fills, instead of one
 * ListInventoryEntries call per instance (docs/fleet-scale.md).
 *
 * What the sync writes, as far as public sources show it (docs/fleet-scale.md; the sources are
 * listed in test/fixtures/inventory-sync/README.md):
 * - one object per managed node and inventory type, overwritten at each collection and kept after
 *   the node is deleted ("resource data sync preserves the inventory file for the deleted node",
 *   Systems Manager User Guide);
 * - key `<prefix>/Custom:EnaDriver/accountid=<account>/region=<region>/resourcetype=ManagedInstanceInventory/<instance-id>.json`
 *   (the type folder keeps the colon; AWS documents the partitions, not the whole key);
 * - JSON Lines: one inventory entry per line, the collector's attributes plus the sync's own
 *   `resourceId`, `captureTime` and `schemaVersion`.
 * Unconfirmed (no AWS text shows a raw line): the casing of attribute names, and what an instance
 * without items gets. So attribute names are matched case-insensitively, the sync's fields are
 * dropped in any casing, and a zero-record object means "no item". Everything here that depends on
 * that layout is in this file, to be confirmed on a first deployment.
 */
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import pLimit, { type LimitFunction } from 'p-limit';
import { ENA_DRIVER_INVENTORY_FIELDS, ENA_DRIVER_INVENTORY_TYPE } from '../../rules/inventory.js';
import { describeError } from '../errors.js';
import { lookupFromEntries } from './aws-inventory-reader.js';
import type { DriverInventoryLookup, InventoryReader, ManagedInstance } from './inventory-reader.js';

/** ListObjectsV2's largest page. */
export const SYNC_LIST_PAGE_SIZE = 1000;

/** GetObject calls in flight by default: 50 at about 50 ms is 1,000/s, far under S3's 5,500 GET/s per prefix. */
export const DEFAULT_SYNC_GET_CONCURRENCY = 50;

/** The `resourcetype=` partition the sync uses for managed-node inventory. */
export const SYNC_RESOURCE_TYPE = 'ManagedInstanceInventory';

/** Fields the sync adds to every record (compared lower-cased): metadata, not inventory. */
const SYNC_METADATA_FIELDS = new Set(['resourceid', 'capturetime', 'schemaversion', 'resourcetype']);

/** The item's attribute names by their lower-case form, to read them in whatever casing the sync keeps. */
const FIELD_BY_LOWER_CASE: ReadonlyMap<string, string> = new Map(ENA_DRIVER_INVENTORY_FIELDS.map((field) => [field.toLowerCase(), field]));

export interface SyncedInventoryLocation {
  /** The sync's `S3Destination.Prefix`; "" when the sync writes at the bucket root. */
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
}

export interface SyncedInventoryReaderOptions extends SyncedInventoryLocation {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Reads what the sync lacks (ListInventoryEntries) and lists managed instances. */
  readonly fallback: InventoryReader;
  /** GetObject calls in flight at most; {@link DEFAULT_SYNC_GET_CONCURRENCY} by default. */
  readonly getConcurrency?: number;
  /** Fallback lookups (ListInventoryEntries) in flight at most; {@link DEFAULT_FALLBACK_CONCURRENCY} by default. */
  readonly fallbackConcurrency?: number;
}

/** ListInventoryEntries calls in flight for what the sync lacks: the rule's own default (inventoryConcurrency). */
export const DEFAULT_FALLBACK_CONCURRENCY = 8;

/** What the reader did, for tests and the benchmark. */
export interface SyncedInventoryCounters {
  /** ListObjectsV2 pages read. */
  readonly listPages: number;
  /** `Custom:EnaDriver` objects of this account and Region found by the listing. */
  readonly objectsListed: number;
  /** GetObject calls made. */
  readonly objectsRead: number;
  /** Lookups answered by the fallback reader. */
  readonly fallbacks: number;
}

/** The folder (key prefix, ending in `/`) that holds one object per instance for this account and Region. */
export function syncedInventoryFolder({ prefix, accountId, region }: SyncedInventoryLocation): string {
  const root = prefix.replace(/^\/+|\/+$/g, '');
  const partitions = `${ENA_DRIVER_INVENTORY_TYPE}/accountid=${accountId}/region=${region}/resourcetype=${SYNC_RESOURCE_TYPE}/`;
  return root.length > 0 ? `${root}/${partitions}` : partitions;
}

/** The instance id a key names, when the key is `<folder><instance-id>.json`; otherwise `undefined`. */
export function instanceIdFromSyncedKey(folder: string, key: string | undefined): string | undefined {
  if (key === undefined || !key.startsWith(folder)) return undefined;
  const name = key.slice(folder.length);
  if (name.includes('/') || !name.endsWith('.json')) return undefined;
  const instanceId = name.slice(0, -'.json'.length);
  return instanceId.length > 0 ? instanceId : undefined;
}

export type SyncedObjectParseResult =
  | {
      readonly ok: true;
      /** The records as ListInventoryEntries `Entries`: the item's attributes by their canonical names; sync fields and unknown attributes dropped. */
      readonly entries: readonly Readonly<Record<string, string>>[];
      /** The first record's `captureTime`, when it has one. */
      readonly captureTime: string | undefined;
    }
  | { readonly ok: false; readonly message: string };

/**
 * Parses one synced `Custom:EnaDriver` object (JSON Lines) of `instanceId` into the `Entries` form
 * that {@link lookupFromEntries} reads. Every non-blank line must be a JSON object; a record that
 * names another instance in `resourceId` is refused, so one instance is never judged by another's
 * file.
 */
export function parseSyncedInventoryObject(body: string, instanceId: string): SyncedObjectParseResult {
  const entries: Record<string, string>[] = [];
  let captureTime: string | undefined;
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim().length === 0) continue;
    const lineNumber = index + 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return { ok: false, message: `line ${lineNumber} is not JSON` };
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return { ok: false, message: `line ${lineNumber} is not a JSON object` };
    }
    const entry: Record<string, string> = {};
    for (const [name, value] of Object.entries(record)) {
      const lower = name.toLowerCase();
      if (SYNC_METADATA_FIELDS.has(lower)) {
        if (lower === 'resourceid' && typeof value === 'string' && value !== instanceId) {
          return { ok: false, message: `line ${lineNumber} is the inventory of ${value}, not ${instanceId}` };
        }
        if (lower === 'capturetime' && typeof value === 'string' && entries.length === 0) captureTime = value;
        continue;
      }
      const field = FIELD_BY_LOWER_CASE.get(lower);
      // Attributes the item does not define are ignored, as the entry parser ignores them.
      if (field === undefined) continue;
      if (typeof value !== 'string') return { ok: false, message: `line ${lineNumber}: ${name} is not a string` };
      if (Object.hasOwn(entry, field)) return { ok: false, message: `line ${lineNumber}: ${field} appears twice (in different casing)` };
      entry[field] = value;
    }
    entries.push(entry);
  }
  return { ok: true, entries, captureTime };
}

/**
 * Reads `Custom:EnaDriver` from the Resource Data Sync bucket: one listing of the account and
 * Region folder on first use (ListObjectsV2, 1000 keys a page), then one GetObject per instance
 * that has an object. An instance without an object is read through `fallback`
 * (ListInventoryEntries). A failed or malformed object is `unreadable`, never a verdict.
 *
 * The folder is listed afresh by each sweep's {@link managedInstances} call (the reader lives as
 * long as the Lambda container, the listing only as long as a sweep). Lookups outside a sweep (a
 * change event: one instance) go straight to the fallback, one call instead of a listing.
 *
 * A failed listing makes every lookup fall back and is kept in {@link listingError}: the fallback
 * still reads the truth (only slower, and the sweep's deadline bounds it), whereas `unreadable`
 * would leave the whole fleet unjudged because of one S3 error. The binder logs it once per sweep
 * ({@link problems}).
 */
export class SyncedInventoryReader implements InventoryReader {
  private readonly folder: string;
  private readonly limit: LimitFunction;
  private readonly fallbackLimit: LimitFunction;
  /** Lookups the binder may run at once: the object reads are what bounds them. */
  readonly maxConcurrentLookups: number;
  private listing: Promise<ReadonlyMap<string, string> | undefined> | undefined;
  private failure: string | undefined;
  private readonly counts = { listPages: 0, objectsListed: 0, objectsRead: 0, fallbacks: 0 };

  constructor(private readonly options: SyncedInventoryReaderOptions) {
    if (!/^\d{12}$/.test(options.accountId)) throw new RangeError(`accountId must be 12 digits, got "${options.accountId}"`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) throw new RangeError(`region must be a Region code such as eu-west-1, got "${options.region}"`);
    this.folder = syncedInventoryFolder(options);
    this.maxConcurrentLookups = options.getConcurrency ?? DEFAULT_SYNC_GET_CONCURRENCY;
    this.limit = pLimit(this.maxConcurrentLookups);
    this.fallbackLimit = pLimit(options.fallbackConcurrency ?? DEFAULT_FALLBACK_CONCURRENCY);
  }

  problems(): readonly string[] {
    return this.failure === undefined ? [] : [`Inventory data sync not read; every instance was read with ListInventoryEntries: ${this.failure}`];
  }

  /** Why the listing failed (every lookup then falls back); `undefined` while it has not failed. */
  get listingError(): string | undefined {
    return this.failure;
  }

  get counters(): SyncedInventoryCounters {
    return { ...this.counts };
  }

  /** Starts this sweep's listing of the sync folder, beside DescribeInstanceInformation. */
  managedInstances(): Promise<ReadonlyMap<string, ManagedInstance>> {
    this.failure = undefined;
    this.listing = this.listFolder();
    return this.options.fallback.managedInstances();
  }

  async driverInventory(instanceId: string): Promise<DriverInventoryLookup> {
    const keys = this.listing === undefined ? undefined : await this.listing;
    const key = keys?.get(instanceId);
    if (key === undefined) return this.fallBack(instanceId);
    return this.limit(() => this.readObject(instanceId, key));
  }

  private async listFolder(): Promise<ReadonlyMap<string, string> | undefined> {
    const keys = new Map<string, string>();
    try {
      const pages = paginateListObjectsV2(
        { client: this.options.s3, pageSize: SYNC_LIST_PAGE_SIZE },
        { Bucket: this.options.bucket, Prefix: this.folder },
      );
      for await (const page of pages) {
        this.counts.listPages += 1;
        for (const object of page.Contents ?? []) {
          const instanceId = instanceIdFromSyncedKey(this.folder, object.Key);
          if (instanceId !== undefined && object.Key !== undefined) keys.set(instanceId, object.Key);
        }
      }
    } catch (error) {
      this.failure = `ListObjectsV2 failed for ${this.location(this.folder)}: ${describeError(error)}`;
      return undefined;
    }
    this.counts.objectsListed = keys.size;
    return keys;
  }

  private async readObject(instanceId: string, key: string): Promise<DriverInventoryLookup> {
    let body: string;
    this.counts.objectsRead += 1;
    try {
      const response = await this.options.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (response.Body === undefined) return { kind: 'unreadable', detail: `${this.location(key)}: GetObject returned no body` };
      body = await response.Body.transformToString('utf-8');
    } catch (error) {
      // Listed a moment ago, gone now: the listing is stale, the live inventory is not.
      if ((error as { name?: string }).name === 'NoSuchKey') return this.fallBack(instanceId);
      return { kind: 'unreadable', detail: `GetObject failed for ${this.location(key)}: ${describeError(error)}` };
    }
    const parsed = parseSyncedInventoryObject(body, instanceId);
    if (!parsed.ok) return { kind: 'unreadable', detail: `${this.location(key)}: ${parsed.message}` };
    const lookup = lookupFromEntries(instanceId, parsed.entries);
    return lookup.kind === 'unreadable' ? { kind: 'unreadable', detail: `${lookup.detail} (${this.location(key)})` } : lookup;
  }

  private fallBack(instanceId: string): Promise<DriverInventoryLookup> {
    this.counts.fallbacks += 1;
    return this.fallbackLimit(() => this.options.fallback.driverInventory(instanceId));
  }

  private location(key: string): string {
    return `s3://${this.options.bucket}/${key}`;
  }
}
