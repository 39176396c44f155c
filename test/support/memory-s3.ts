/**
 * An S3 bucket in memory behind aws-sdk-client-mock: GetObject, PutObject, DeleteObject,
 * DeleteObjects and ListObjectsV2 answer as S3 does (NoSuchKey, 1,000 keys a page by default,
 * StartAfter-free continuation tokens), so that the stale-result ledger runs against real SDK
 * commands and their output types. `failing` makes an operation throw the next time(s) it is called.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type DeleteObjectsCommandOutput,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';

type Operation = 'GetObject' | 'PutObject' | 'DeleteObject' | 'DeleteObjects' | 'ListObjectsV2';

export function memoryS3() {
  const objects = new Map<string, Uint8Array>();
  const failures = new Map<Operation, number>();
  const calls: Operation[] = [];
  const mock = mockClient(S3Client);

  const enter = (operation: Operation) => {
    calls.push(operation);
    const left = failures.get(operation) ?? 0;
    if (left > 0) {
      failures.set(operation, left - 1);
      throw new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error. Please try again.' });
    }
  };
  const bytesOf = (body: unknown): Uint8Array => {
    if (body === undefined || body === '') return new Uint8Array();
    if (typeof body === 'string') return new TextEncoder().encode(body);
    if (body instanceof Uint8Array) return body;
    throw new Error(`memory S3 stores strings and byte arrays, not ${typeof body}`);
  };

  mock.on(GetObjectCommand).callsFake((input: { Key: string }): GetObjectCommandOutput => {
    enter('GetObject');
    const bytes = objects.get(input.Key);
    if (!bytes) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { $metadata: { httpStatusCode: 200 }, ContentLength: bytes.length, Body: sdkStreamMixin(Readable.from([Buffer.from(bytes)])) };
  });
  mock.on(PutObjectCommand).callsFake((input: { Key: string; Body?: unknown }): PutObjectCommandOutput => {
    enter('PutObject');
    objects.set(input.Key, bytesOf(input.Body));
    return { $metadata: { httpStatusCode: 200 }, ETag: '"etag"' };
  });
  mock.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
    enter('DeleteObject');
    objects.delete(input.Key);
    return { $metadata: { httpStatusCode: 204 } };
  });
  mock.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: { Key: string }[] } }): DeleteObjectsCommandOutput => {
    enter('DeleteObjects');
    if (input.Delete.Objects.length > 1000) throw new Error('DeleteObjects takes at most 1,000 keys');
    for (const { Key } of input.Delete.Objects) objects.delete(Key);
    return { $metadata: { httpStatusCode: 200 } };
  });
  mock.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; MaxKeys?: number; ContinuationToken?: string }): ListObjectsV2CommandOutput => {
    enter('ListObjectsV2');
    const keys = [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).sort();
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const size = Math.min(input.MaxKeys ?? 1000, 1000);
    const page = keys.slice(start, start + size);
    const more = start + size < keys.length;
    return {
      $metadata: { httpStatusCode: 200 },
      KeyCount: page.length,
      Contents: page.map((Key) => ({ Key, Size: objects.get(Key)!.length })),
      IsTruncated: more,
      ...(more ? { NextContinuationToken: String(start + size) } : {}),
    };
  });

  return {
    client: new S3Client({ region: 'eu-west-1' }),
    objects,
    calls,
    mock,
    /** The next `times` calls of `operation` fail with S3's InternalError. */
    failing(operation: Operation, times = Number.POSITIVE_INFINITY) {
      failures.set(operation, times);
    },
  };
}
