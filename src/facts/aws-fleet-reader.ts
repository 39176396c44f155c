/** The live-account FleetReader: SDK v3 paginators, bulk reads, only the needed fields kept. */
import { paginateDescribeInstances, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceFacts, InstanceTypeFacts } from '../../rules/facts.js';
import type { StackScope } from '../../rules/stack-scope.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import { LIVE_INSTANCE_STATES, type FleetReader } from './fleet-reader.js';
import { instanceFactsFromSdk } from './instance-facts.js';
import type { InstanceTypeCatalog } from './instance-type-catalog.js';

/** DescribeInstances' largest page; a filtered, paginated call also gets the larger throttle bucket. */
export const INSTANCES_PER_PAGE = 1000;

export class AwsFleetReader implements FleetReader {
  /** @param now the clock that dates each page's facts (`observedOn`, which exemption expiries are compared with). */
  constructor(
    private readonly ec2: EC2Client,
    private readonly catalog: InstanceTypeCatalog,
    private readonly now: () => Date,
  ) {}

  async *instancePages(scope?: StackScope): AsyncIterable<readonly InstanceFacts[]> {
    // The scope is a server-side filter, so a stack scoped to part of the fleet reads only its pages.
    const scopeFilter = scope === undefined ? [] : [scope.tagValue === '' ? { Name: 'tag-key', Values: [scope.tagKey] } : { Name: `tag:${scope.tagKey}`, Values: [scope.tagValue] }];
    const pages = paginateDescribeInstances(
      { client: this.ec2, pageSize: INSTANCES_PER_PAGE },
      { Filters: [{ Name: 'instance-state-name', Values: [...LIVE_INSTANCE_STATES] }, ...scopeFilter] },
    );
    try {
      for await (const page of pages) {
        // Map each page to facts at once, so the SDK's full page can be collected.
        const now = this.now();
        yield (page.Reservations ?? []).flatMap((reservation) => (reservation.Instances ?? []).map((instance) => instanceFactsFromSdk(instance, now)));
      }
    } catch (error) {
      if (error instanceof FactsUnavailableError) throw error;
      throw new FactsUnavailableError(`DescribeInstances failed: ${describeError(error)}`, { cause: error });
    }
  }

  instanceTypes(instanceTypes: Iterable<string>): Promise<ReadonlyMap<string, InstanceTypeFacts>> {
    return this.catalog.instanceTypes(instanceTypes);
  }
}
