/**
 * The offline FleetReader: a folder of files exactly as the AWS CLI prints them, so an auditor
 * can produce a snapshot without ena-guard installed:
 *
 *   aws ec2 describe-instances --output json        > describe-instances.json
 *   aws ec2 describe-instance-types --output json   > describe-instance-types.json
 *
 * Each file is checked against the shape of the API output; a broken file gives one error that
 * names the file and the path inside it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Instance, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import * as z from 'zod';
import type { InstanceFacts, InstanceTypeFacts } from '../../rules/facts.js';
import { inStackScope, type StackScope } from '../../rules/stack-scope.js';
import { SnapshotError } from '../errors.js';
import { LIVE_INSTANCE_STATES, type FleetReader } from './fleet-reader.js';
import { instanceFactsFromSdk, instanceTypeFactsFromSdk } from './instance-facts.js';
import { shapeProblem, snapshotReadError, streamSnapshotArray } from './snapshot-array-stream.js';
import { INSTANCES_PER_PAGE } from './aws-fleet-reader.js';

export const SNAPSHOT_FILES = {
  instances: 'describe-instances.json',
  instanceTypes: 'describe-instance-types.json',
} as const;

const instanceSchema = z.looseObject({
  InstanceId: z.string().min(1),
  InstanceType: z.string().min(1),
  State: z.looseObject({ Name: z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']) }),
  EnaSupport: z.boolean().nullish(),
  Tags: z.array(z.looseObject({ Key: z.string(), Value: z.string().nullish() })).nullish(),
});
/** describe-instances.json, streamed a reservation at a time: an export of a large fleet passes 512 MiB. */
const reservations = { key: 'Reservations', element: z.looseObject({ Instances: z.array(instanceSchema) }) };
const describeInstanceTypesSchema = z.looseObject({
  InstanceTypes: z.array(
    z.looseObject({
      InstanceType: z.string().min(1),
      NetworkInfo: z.looseObject({ EnaSupport: z.enum(['unsupported', 'supported', 'required']), EnaSrdSupported: z.boolean().nullish() }),
    }),
  ),
});

export class SnapshotFleetReader implements FleetReader {
  private instancesCache: Promise<InstanceFacts[]> | undefined;
  private typesCache: Promise<Map<string, InstanceTypeFacts>> | undefined;

  /**
   * @param now dates the facts (`observedOn`, which exemption expiries are compared with): the time
   * of the run, not of the export, as for {@link SnapshotImageReader}.
   */
  constructor(
    readonly directory: string,
    private readonly now: () => Date,
  ) {}

  async *instancePages(scope?: StackScope): AsyncIterable<readonly InstanceFacts[]> {
    const instances = await (this.instancesCache ??= this.loadInstances());
    const live = instances.filter((instance) => (LIVE_INSTANCE_STATES as readonly string[]).includes(instance.state) && inStackScope(instance.tags, scope));
    for (let start = 0; start < live.length; start += INSTANCES_PER_PAGE) {
      yield live.slice(start, start + INSTANCES_PER_PAGE);
    }
  }

  async instanceTypes(instanceTypes: Iterable<string>): Promise<ReadonlyMap<string, InstanceTypeFacts>> {
    const all = await (this.typesCache ??= this.loadInstanceTypes());
    const result = new Map<string, InstanceTypeFacts>();
    for (const type of instanceTypes) {
      const facts = all.get(type);
      if (facts) result.set(type, facts);
    }
    return result;
  }

  private async loadInstances(): Promise<InstanceFacts[]> {
    const now = this.now();
    const facts: InstanceFacts[] = [];
    await streamSnapshotArray(this.directory, SNAPSHOT_FILES.instances, reservations, (reservation) => {
      for (const instance of reservation.Instances) facts.push(instanceFactsFromSdk(instance as Instance, now));
    });
    return facts;
  }

  private async loadInstanceTypes(): Promise<Map<string, InstanceTypeFacts>> {
    const output = await readSnapshotFile(this.directory, SNAPSHOT_FILES.instanceTypes, describeInstanceTypesSchema);
    return new Map(
      output.InstanceTypes.flatMap((info) => {
        const facts = instanceTypeFactsFromSdk(info as InstanceTypeInfo);
        return facts ? [[facts.instanceType, facts] as const] : [];
      }),
    );
  }
}

/**
 * Reads and validates one snapshot file; every failure names the file and what was wrong. The
 * whole text is read at once: for files that stay small (describe-instances.json is streamed,
 * see {@link streamSnapshotArray}).
 */
export async function readSnapshotFile<S extends z.ZodType>(directory: string, name: string, schema: S): Promise<z.output<S>> {
  const path = join(directory, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw snapshotReadError(path, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(path, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new SnapshotError(path, shapeProblem(result.error), { cause: result.error });
  return result.data;
}
