/**
 * Instance type facts (ENA, ENA Express, hypervisor), from DescribeInstanceTypes, cached for the life of the warm
 * Lambda container (a type's capability never changes).
 *
 * Types are asked for with the `instance-type` filter rather than the `InstanceTypes` list: with
 * the list, one type unknown to the Region fails the whole call with InvalidInstanceType, and
 * every other type in the batch would go unjudged. With the filter an unknown type is simply
 * absent. Unknown types are not cached, so they are asked for again next time.
 */
import { paginateDescribeInstanceTypes, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceTypeFacts } from '../../rules/facts.js';
import { FactsUnavailableError, describeError } from '../errors.js';
import { instanceTypeFactsFromSdk } from './instance-facts.js';

/** DescribeInstanceTypes returns at most 100 types per call; we ask for 100 at a time. */
export const INSTANCE_TYPES_PER_CALL = 100;

export class InstanceTypeCatalog {
  private readonly known = new Map<string, InstanceTypeFacts>();

  constructor(private readonly ec2: EC2Client) {}

  async instanceTypes(instanceTypes: Iterable<string>): Promise<ReadonlyMap<string, InstanceTypeFacts>> {
    const wanted = [...new Set(instanceTypes)];
    const missing = wanted.filter((type) => !this.known.has(type));
    for (let start = 0; start < missing.length; start += INSTANCE_TYPES_PER_CALL) {
      await this.load(missing.slice(start, start + INSTANCE_TYPES_PER_CALL));
    }
    const result = new Map<string, InstanceTypeFacts>();
    for (const type of wanted) {
      const facts = this.known.get(type);
      if (facts) result.set(type, facts);
    }
    return result;
  }

  private async load(types: string[]): Promise<void> {
    try {
      const pages = paginateDescribeInstanceTypes(
        { client: this.ec2, pageSize: INSTANCE_TYPES_PER_CALL },
        { Filters: [{ Name: 'instance-type', Values: types }] },
      );
      for await (const page of pages) {
        for (const info of page.InstanceTypes ?? []) {
          const facts = instanceTypeFactsFromSdk(info);
          if (facts) this.known.set(facts.instanceType, facts);
        }
      }
    } catch (error) {
      throw new FactsUnavailableError(`DescribeInstanceTypes failed for ${types.length} types: ${describeError(error)}`, {
        cause: error,
      });
    }
  }
}
