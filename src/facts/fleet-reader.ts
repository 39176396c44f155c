/**
 * The FleetReader port: where facts about the fleet come from. One implementation reads a live
 * account through the SDK ({@link AwsFleetReader}), another reads `aws ec2 describe-*` exports
 * ({@link SnapshotFleetReader}); Lambdas, the CLI and the benchmark all go through this port.
 */
import type { InstanceFacts, InstanceTypeFacts } from '../../rules/facts.js';
import type { StackScope } from '../../rules/stack-scope.js';

export interface FleetReader {
  /**
   * Every instance that is not terminated, a page at a time (up to 1000 per page); with a scope,
   * only the instances that carry its tag (filtered by EC2 itself where the source can).
   */
  instancePages(scope?: StackScope): AsyncIterable<readonly InstanceFacts[]>;
  /**
   * The facts of each type asked for. A type missing from the result is unknown (new, or not
   * offered in this Region): callers must not judge it.
   * @throws FactsUnavailableError when the lookup itself failed.
   */
  instanceTypes(instanceTypes: Iterable<string>): Promise<ReadonlyMap<string, InstanceTypeFacts>>;
}

/** States a sweep reads; terminated instances are left out (their stale results are cleared). */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] as const;
