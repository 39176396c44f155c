/**
 * A rule declaration: everything ena-guard knows about one rule, written once, in the rule's own
 * file. The Lambda entry point, the template's resources and parameters, the EventBridge lists,
 * the CLI's checks and the docs' parameter tables are all derived from the declarations listed in
 * rules/registry.ts (scripts/generate.ts writes the derived files; a test fails when they drift).
 *
 * Declarations are data plus a pure `evaluate`: no SDK, no I/O. How facts are gathered for a
 * subject is the binder's job (src/checks/), chosen by `subject`.
 */
import type * as z from 'zod';
import type { InstanceFacts, InstanceTypeFacts } from './facts.js';
import type { EnaDriverInventory } from './inventory.js';
import type { Verdict } from './verdict.js';

/** AWS Config resource types ena-guard reports on. */
export type ResourceType = 'AWS::EC2::Instance' | 'AWS::EC2::LaunchTemplate' | 'AWS::EC2::Image' | 'AWS::::Account';

/**
 * Fact sources a rule reads. Each maps to one adapter (src/facts/) and its IAM statements, so a
 * rule's Lambda bundles and is granted only what its sources need.
 * - `fleet`: DescribeInstances pages and DescribeInstanceTypes (EC2).
 * - `inventory`: managed instances and the `Custom:EnaDriver` inventory item (SSM).
 * - `images`: owned AMIs, launch template versions and the AMIs they name (EC2).
 */
export type FactSource = 'fleet' | 'inventory' | 'images';

export interface RuleTriggers {
  /**
   * Resource types whose configuration changes invoke the rule; the rule then subscribes to both
   * change message types (ConfigurationItemChangeNotification and its oversized form) with these
   * types as its Scope. Empty: the rule has no change trigger.
   */
  readonly changeResourceTypes: readonly ResourceType[];
  /** Swept on the stack's `MaximumExecutionFrequency` (ScheduledNotification). */
  readonly periodic: boolean;
}

/** A value the remediation passes as `StaticValue`. */
export type StaticRemediationValue =
  /** The template parameter behind this rule parameter: the runbook gets exactly what the rule reads. */
  | { readonly ruleParameter: string; readonly mayBeEmpty?: boolean }
  /** A parameter of the hand-written template (infra/base.yaml), such as RemediationCreateBackupImage. */
  | { readonly templateParameter: string }
  | { readonly literal: string }
  /** A CloudFormation value only the stack knows (an association id), written as JSON intrinsics. */
  | { readonly templateValue: unknown };

export interface RemediationDeclaration {
  /** The runbook, `automation-docs/<document>.yaml`; its role is `<Name without EnaGuard->AutomationRole` in infra/base.yaml. */
  readonly document: string;
  /** The document parameter that receives the resource id (`RESOURCE_ID`). */
  readonly resourceIdParameter: string;
  /** Every other document parameter the remediation sets, besides `AutomationAssumeRole`. */
  readonly staticParameters: Readonly<Record<string, StaticRemediationValue>>;
  /** `by-remediation-mode`: automatic when the stack's RemediationMode is automatic; `never`: always manual. */
  readonly automatic: 'by-remediation-mode' | 'never';
  readonly maximumAutomaticAttempts?: number;
  readonly retryAttemptSeconds?: number;
  readonly concurrentExecutionRatePercentage?: number;
  readonly errorPercentage?: number;
  /** Why the settings are what they are: written above the generated resource. */
  readonly comment?: string;
}

interface RuleDeclarationBase<Schema extends z.ZodObject> {
  /** The Config rule name and the id in every report, e.g. `ena-instance-enabled`. */
  readonly id: string;
  /** One sentence for the Config rule's Description and the docs. */
  readonly description: string;
  /** Resource types the rule's evaluations name; stale results of these types are cleared after a complete sweep. */
  readonly reportedResourceTypes: readonly ResourceType[];
  /** Types earlier releases reported and this one no longer does: their stale results are still cleared after a complete sweep. */
  readonly formerResourceTypes?: readonly ResourceType[];
  readonly triggers: RuleTriggers;
  /** `opt-in`: deployed only when the stack's `Deploy<Name>Rule` parameter is true. */
  readonly deployment: 'always' | 'opt-in';
  /** The rule's parameters; each field carries its template form (rules/parameters.ts). */
  readonly parameters: Schema;
  readonly factSources: readonly FactSource[];
  readonly remediation?: RemediationDeclaration;
  /** The Lambda's timeout when the template's 300 s default is too short, with the reason. */
  readonly timeout?: { readonly seconds: number; readonly reason: string };
}

/** What the instance binder hands an instance rule. */
export interface InstanceRuleFacts {
  readonly instance: InstanceFacts;
  /** `undefined`: the type is unknown to the Region (new, or not offered): never judge it as wrong. */
  readonly instanceType: InstanceTypeFacts | undefined;
  /**
   * For rules that read `inventory`, when {@link InstanceRuleDeclaration.needsDriverInventory}
   * said so: whether Systems Manager manages the instance, and its `Custom:EnaDriver` entry.
   */
  readonly driver?: { readonly managed: boolean; readonly inventory: EnaDriverInventory | undefined };
}

/** A rule about EC2 instances: the instance binder sweeps DescribeInstances pages and judges each one. */
export interface InstanceRuleDeclaration<Schema extends z.ZodObject = z.ZodObject, Reason extends string = string>
  extends RuleDeclarationBase<Schema> {
  readonly subject: 'instance';
  /** Whether the driver inventory must be read for this instance; false skips the call. Only with the `inventory` source. */
  readonly needsDriverInventory?: (facts: InstanceRuleFacts, parameters: z.output<Schema>) => boolean;
  /** ListInventoryEntries calls a sweep may run at once (default 8). Only with the `inventory` source. */
  readonly driverInventoryConcurrency?: (parameters: z.output<Schema>) => number;
  readonly evaluate: (facts: InstanceRuleFacts, parameters: z.output<Schema>) => Verdict<Reason>;
}

/** A rule about AMIs and the launch templates that use them: the image binder assesses them in one pass. */
export interface ImageRuleDeclaration<Schema extends z.ZodObject = z.ZodObject> extends RuleDeclarationBase<Schema> {
  readonly subject: 'image';
}

export type RuleDeclaration = InstanceRuleDeclaration | ImageRuleDeclaration;

/**
 * Declares an instance rule, keeping its parameter and reason types. The result is stored in the
 * registry's wider type; the evaluate function's own types are checked here.
 */
export function instanceRule<Schema extends z.ZodObject, Reason extends string>(
  declaration: Omit<InstanceRuleDeclaration<Schema, Reason>, 'subject'>,
): InstanceRuleDeclaration<Schema, Reason> {
  return { subject: 'instance', ...declaration };
}

export function imageRule<Schema extends z.ZodObject>(declaration: Omit<ImageRuleDeclaration<Schema>, 'subject'>): ImageRuleDeclaration<Schema> {
  return { subject: 'image', ...declaration };
}
