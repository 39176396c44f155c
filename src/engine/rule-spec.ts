/**
 * What the engine needs to know about a rule: its name, its parameter schema, how to judge the
 * resource of a change notification, and how to sweep every resource in a periodic run. A spec
 * binds a pure rule from rules/ to a FleetReader; it never speaks the Config protocol itself.
 */
import type { z } from 'zod';
import type { Verdict } from '../../rules/verdict.js';
import type { ConfigurationItem } from './config-event.js';
import type { Log } from './ports.js';

/**
 * Reasons the engine itself gives, besides the rules' own: typed so that reports, alerts and
 * tests match on a closed set rather than on free text.
 */
export const ENGINE_REASONS = [
  /** An oversized change event's configuration item could not be fetched. */
  'CONFIGURATION_ITEM_UNAVAILABLE',
  /** A fact source (DescribeInstanceTypes, inventory…) failed for this resource. */
  'FACTS_UNAVAILABLE',
  /** The driver inventory of this instance could not be read or is malformed. */
  'INVENTORY_UNREADABLE',
  'LEFT_SCOPE',
  'NOT_RECORDED_OR_DELETED',
  'RESOURCE_TYPE_NOT_JUDGED',
  /** A stale result of a resource the complete sweep no longer found. */
  'RESOURCE_GONE',
  /** A change event for a resource outside the stack's scope (ScopeTagKey/ScopeTagValue). */
  'OUT_OF_STACK_SCOPE',
] as const;
export type EngineReason = (typeof ENGINE_REASONS)[number];

export interface ResourceResult<Reason extends string = string> {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly verdict: Verdict<Reason>;
  /** Context for people (instance type, AMI id…): shown by the CLI, never sent to Config. */
  readonly details?: Readonly<Record<string, string>>;
}

export interface ConfigRuleSpec<Schema extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly parameters: Schema;
  /** Resource types a change notification may carry; any other type is NOT_APPLICABLE. */
  readonly changeResourceTypes: readonly string[];
  /** Resource types a sweep reports on; stale results of these types are cleared after a full sweep. */
  readonly sweptResourceTypes: readonly string[];
  /** Judges the resource of a change notification. Absent for periodic-only rules. */
  judgeChange?(item: ConfigurationItem, parameters: z.output<Schema>): Promise<ResourceResult>;
  /** Judges every resource in scope, a batch at a time. */
  sweep(parameters: z.output<Schema>, context: SweepContext): AsyncIterable<readonly ResourceResult[]>;
}

/** What a sweep may know about its run besides the parameters. */
export interface SweepContext {
  /** The account swept: the Config event's `accountId`; undefined when the caller does not know it (the CLI). */
  readonly accountId: string | undefined;
  /** The run's log, for run-level records (such as one report per sweep), not one line per resource. */
  readonly log: Log;
}
