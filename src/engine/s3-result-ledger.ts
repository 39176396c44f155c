/**
 * The stale-result ledger in the stack's state bucket. One rule's keys, all under
 * `stale-ledger/<rule name>/`:
 * - `record.json.gz`: the record, gzipped JSON (100,000 instance ids are about 2 MB of JSON and
 *   well under 1 MB gzipped: one GetObject and one PutObject whatever the fleet's size);
 * - `marks/<resource type>/<resource id>`: one empty object per change evaluation since the record,
 *   so that concurrent change evaluations never rewrite a shared object (no lost update).
 * A read is one GetObject and one ListObjectsV2 per 1,000 marks, in parallel.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { LedgerUnavailableError, describeError } from '../errors.js';
import type { LedgerContents, ResultLedger } from './result-ledger.js';
import type { EvaluatedResource } from './stale-results.js';

export const LEDGER_PREFIX = 'stale-ledger';
/** The record's own format name, so that a future layout is never misread as this one. */
export const LEDGER_FORMAT = 'ena-guard/stale-ledger@1';
/** DeleteObjects' largest request. */
const DELETE_BATCH = 1000;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const recordSchema = z.object({
  format: z.literal(LEDGER_FORMAT),
  ruleName: z.string(),
  writtenAt: z.string(),
  /** Resource ids by resource type. */
  resources: z.record(z.string(), z.array(z.string().min(1))),
});

/** The bytes of a record: gzipped JSON, ids grouped by resource type. */
export async function encodeLedgerRecord(ruleName: string, resources: readonly EvaluatedResource[], writtenAt: Date): Promise<Uint8Array> {
  const byType: Record<string, string[]> = {};
  for (const { resourceType, resourceId } of resources) (byType[resourceType] ??= []).push(resourceId);
  return gzipAsync(JSON.stringify({ format: LEDGER_FORMAT, ruleName, writtenAt: writtenAt.toISOString(), resources: byType }));
}

export function ledgerKeys(ruleName: string) {
  const root = `${LEDGER_PREFIX}/${ruleName}/`;
  return {
    root,
    record: `${root}record.json.gz`,
    marks: `${root}marks/`,
    mark: (resource: EvaluatedResource) => `${root}marks/${encodeURIComponent(resource.resourceType)}/${encodeURIComponent(resource.resourceId)}`,
  };
}

export class S3ResultLedger implements ResultLedger {
  private readonly keys: ReturnType<typeof ledgerKeys>;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly ruleName: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = ledgerKeys(ruleName);
  }

  async read(abortSignal?: AbortSignal): Promise<LedgerContents | undefined> {
    const options = abortSignal ? { abortSignal } : {};
    const [record, marks] = await Promise.all([this.readRecord(options), this.readMarks(options)]);
    if (record === undefined) return undefined;
    const marked = marks.flatMap((key) => {
      const resource = this.resourceOfMark(key);
      return resource ? [resource] : [];
    });
    return { resources: [...record, ...marked], marks };
  }

  async mark(resource: EvaluatedResource): Promise<void> {
    await this.call('PutObject (mark)', () => this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keys.mark(resource), Body: '' })));
  }

  async write(resources: readonly EvaluatedResource[], consumedMarks: readonly string[]): Promise<void> {
    const body = await encodeLedgerRecord(this.ruleName, resources, this.now());
    await this.call('PutObject (record)', () =>
      this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keys.record, Body: body, ContentType: 'application/json', ContentEncoding: 'gzip' })),
    );
    for (let start = 0; start < consumedMarks.length; start += DELETE_BATCH) {
      const batch = consumedMarks.slice(start, start + DELETE_BATCH);
      const answer = await this.call('DeleteObjects (marks)', () =>
        this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
      );
      // A mark left behind is harmless: the next sweep reads it again and finds the resource seen or stale.
      if ((answer.Errors ?? []).length > 0) throw new LedgerUnavailableError(`DeleteObjects left ${answer.Errors!.length} marks of ${this.ruleName}: ${answer.Errors![0]?.Code ?? 'unknown'}`);
    }
  }

  async discard(): Promise<void> {
    await this.call('DeleteObject (record)', () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keys.record })));
  }

  private async readRecord(options: { abortSignal?: AbortSignal }): Promise<EvaluatedResource[] | undefined> {
    let bytes: Uint8Array;
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keys.record }), options);
      bytes = (await answer.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new LedgerUnavailableError(`GetObject s3://${this.bucket}/${this.keys.record} failed: ${describeError(error)}`, { cause: error });
    }
    let parsed: z.output<typeof recordSchema>;
    try {
      parsed = recordSchema.parse(JSON.parse((await gunzipAsync(bytes)).toString('utf8')));
    } catch (error) {
      throw new LedgerUnavailableError(`s3://${this.bucket}/${this.keys.record} is not a ledger record of ${LEDGER_FORMAT}: ${describeError(error)}`, { cause: error });
    }
    if (parsed.ruleName !== this.ruleName) throw new LedgerUnavailableError(`s3://${this.bucket}/${this.keys.record} is the record of ${parsed.ruleName}, not ${this.ruleName}`);
    return Object.entries(parsed.resources).flatMap(([resourceType, ids]) => ids.map((resourceId) => ({ resourceType, resourceId })));
  }

  private async readMarks(options: { abortSignal?: AbortSignal }): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.s3, pageSize: 1000 }, { Bucket: this.bucket, Prefix: this.keys.marks }, ...(options.abortSignal ? [options] : []))) {
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      }
    } catch (error) {
      throw new LedgerUnavailableError(`ListObjectsV2 s3://${this.bucket}/${this.keys.marks} failed: ${describeError(error)}`, { cause: error });
    }
    return keys;
  }

  private resourceOfMark(key: string): EvaluatedResource | undefined {
    const [type, id, ...rest] = key.slice(this.keys.marks.length).split('/');
    if (!type || !id || rest.length > 0) return undefined;
    try {
      return { resourceType: decodeURIComponent(type), resourceId: decodeURIComponent(id) };
    } catch {
      return undefined;
    }
  }

  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new LedgerUnavailableError(`${what} in s3://${this.bucket}/${this.keys.root} failed: ${describeError(error)}`, { cause: error });
    }
  }
}
