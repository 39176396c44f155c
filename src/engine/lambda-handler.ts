/**
 * Turns a bound rule into a Lambda handler. The entry points (functions/<name>/handler.ts,
 * generated from the rule declarations) build the rule's own clients and fact sources once per
 * container; clients, logger, metrics and the instance-type cache live as long as it does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { createConfigServiceClient, createS3Client } from '../aws/clients.js';
import { EnaGuardError, IncompleteEvaluationError, IncompleteSweepError, describeError, type IncompleteSweepReason } from '../errors.js';
import { runConfigRule, type EngineDependencies, type RunSummary } from './run-rule.js';
import type { ConfigRuleSpec } from './rule-spec.js';
import type { ResultLedgerFactory } from './result-ledger.js';
import { S3ResultLedger } from './s3-result-ledger.js';

export type ConfigRuleHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<RunSummary>;

export interface HandlerOptions {
  /** The client PutEvaluations and the configuration history go through (default: built from the environment). */
  readonly config?: ConfigServiceClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** The engine's deadline thresholds (defaults 30 s and 5 s: src/engine/deadline.ts). */
  readonly deadlineMarginMs?: number;
  readonly deliveryReserveMs?: number;
  /**
   * The Config rule's deployed name, for the `rule` log key and metric dimension (default: the
   * CONFIG_RULE_NAME environment variable the template sets, NamePrefix included, else the rule
   * id), so that the alarms of two stacks in one account never see each other's metrics.
   */
  readonly ruleName?: string;
  /** The stale-result ledger (default: in the STATE_BUCKET the template sets; none without it). */
  readonly ledger?: ResultLedgerFactory;
}

/** The ledger in the stack's state bucket, when the environment names one. */
export function ledgerFromEnvironment(env: Readonly<Record<string, string | undefined>>): ResultLedgerFactory | undefined {
  const bucket = env.STATE_BUCKET;
  if (!bucket) return undefined;
  const s3 = createS3Client();
  return (configRuleName) => new S3ResultLedger(s3, bucket, configRuleName);
}

/** The rule's name as deployed: CONFIG_RULE_NAME (set by the template, NamePrefix included), else the rule id. */
export function deployedRuleName(ruleId: string, env: Readonly<Record<string, string | undefined>>): string {
  return env.CONFIG_RULE_NAME || ruleId;
}

/** Builds the handler once per container. */
export function createConfigRuleHandler<S extends z.ZodObject>(spec: ConfigRuleSpec<S>, options: HandlerOptions = {}): ConfigRuleHandler {
  const config = options.config ?? createConfigServiceClient();
  const ruleName = options.ruleName ?? deployedRuleName(spec.name, process.env);
  const logger = options.logger ?? new Logger({ serviceName: 'ena-guard', persistentKeys: { rule: ruleName } });
  const metrics = options.metrics ?? new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard', defaultDimensions: { rule: ruleName } });
  const ledger = options.ledger ?? ledgerFromEnvironment(process.env);

  return async (event, context) => {
    const deps: EngineDependencies = {
      config,
      log: logger,
      metrics,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      ...(ledger ? { ledger } : {}),
      ...(options.deadlineMarginMs !== undefined ? { deadlineMarginMs: options.deadlineMarginMs } : {}),
      ...(options.deliveryReserveMs !== undefined ? { deliveryReserveMs: options.deliveryReserveMs } : {}),
    };
    try {
      const summary = await runConfigRule(event, spec, deps);
      failIfIncomplete(summary);
      return summary;
    } catch (error) {
      if (!(error instanceof EnaGuardError)) logger.error('Unexpected failure', { error: describeError(error) });
      throw error;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * Lambda must report failure when results were lost, so Config's asynchronous invoke retries and
 * the error shows in the function's metrics. A periodic sweep's unjudged resources are retried
 * by the next sweep instead. A sweep that did not cover the account fails first
 * ({@link incompleteSweep}); its message also counts what was not delivered.
 */
function failIfIncomplete(summary: RunSummary): void {
  const sweepFailure = incompleteSweep(summary);
  if (sweepFailure) throw sweepFailure;
  const unjudged = summary.messageType === 'ScheduledNotification' ? [] : summary.unjudgedResourceIds;
  if (summary.undeliveredResourceIds.length === 0 && unjudged.length === 0) return;
  throw new IncompleteEvaluationError(
    `${summary.undeliveredResourceIds.length} evaluations not delivered, ${unjudged.length} resources not judged.`,
    summary.undeliveredResourceIds,
    unjudged,
  );
}

/**
 * The sweeps that fail the invocation:
 * - a fact source failed (DescribeInstances, DescribeInstanceInformation refused…), however far
 *   the sweep got: the picture is partial for a reason someone must look at, and Config's retry
 *   may find the source working again;
 * - it judged nothing: it ran to its end over resources but could judge none of them (every type
 *   lookup failed, say), or the deadline stopped it before it judged a single one.
 *
 * Not failures:
 * - a complete sweep of zero resources: an empty account (or scope) is a fact, not an outage;
 * - a sweep the deadline stopped after it judged part of the fleet. That part is delivered, and
 *   IncompleteSweeps, SweepsStoppedAtDeadline and ResourcesSwept plus a warning in the log say
 *   how far it got. Failing would make Config retry the invocation, which would run the same
 *   sweep into the same deadline and deliver the same part again; the fix is a longer timeout or
 *   a smaller scope, which the SweepsStoppedAtDeadline metric is there to prompt.
 */
function incompleteSweep(summary: RunSummary): IncompleteSweepError | undefined {
  const sweep = summary.sweep;
  if (!sweep) return undefined;
  let reason: IncompleteSweepReason;
  if (sweep.end === 'fact-source-failed') reason = 'fact-source-failed';
  else if (sweep.resourcesJudged > 0) return undefined;
  else if (sweep.end === 'deadline') reason = 'deadline';
  else if (sweep.resourcesSwept > 0) reason = 'judged-nothing';
  else return undefined;
  const counts = { resourcesSwept: sweep.resourcesSwept, resourcesJudged: sweep.resourcesJudged, undelivered: summary.undeliveredResourceIds.length };
  const what = {
    'fact-source-failed': `a fact source failed (${describeError(sweep.error)})`,
    'judged-nothing': 'it judged none of the resources it found',
    deadline: 'the deadline stopped it before it judged any resource',
  }[reason];
  return new IncompleteSweepError(
    `Sweep of ${summary.ruleName} incomplete: ${what}. ${counts.resourcesSwept} resources swept, ${counts.resourcesJudged} judged, ${counts.undelivered} evaluations not delivered.`,
    reason,
    counts,
    sweep.error === undefined ? undefined : { cause: sweep.error },
  );
}
