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
import { createConfigServiceClient } from '../aws/clients.js';
import { EnaGuardError, IncompleteEvaluationError, describeError } from '../errors.js';
import { runConfigRule, type EngineDependencies, type RunSummary } from './run-rule.js';
import type { ConfigRuleSpec } from './rule-spec.js';

export type ConfigRuleHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<RunSummary>;

export interface HandlerOptions {
  /** The client PutEvaluations and the configuration history go through (default: built from the environment). */
  readonly config?: ConfigServiceClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** Builds the handler once per container. */
export function createConfigRuleHandler<S extends z.ZodObject>(spec: ConfigRuleSpec<S>, options: HandlerOptions = {}): ConfigRuleHandler {
  const config = options.config ?? createConfigServiceClient();
  const logger = options.logger ?? new Logger({ serviceName: 'ena-guard', persistentKeys: { rule: spec.name } });
  const metrics = options.metrics ?? new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard', defaultDimensions: { rule: spec.name } });

  return async (event, context) => {
    const deps: EngineDependencies = {
      config,
      log: logger,
      metrics,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
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
 * by the next sweep instead.
 */
function failIfIncomplete(summary: RunSummary): void {
  const unjudged = summary.messageType === 'ScheduledNotification' ? [] : summary.unjudgedResourceIds;
  if (summary.undeliveredResourceIds.length === 0 && unjudged.length === 0) return;
  throw new IncompleteEvaluationError(
    `${summary.undeliveredResourceIds.length} evaluations not delivered, ${unjudged.length} resources not judged.`,
    summary.undeliveredResourceIds,
    unjudged,
  );
}
