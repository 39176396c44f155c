/**
 * Turns a rule spec into a Lambda handler: the composition root of every rule function. Clients,
 * logger, metrics and the instance-type cache live as long as the warm container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { EnaGuardError, IncompleteEvaluationError, describeError } from '../errors.js';
import { runConfigRule, type EngineDependencies, type RunSummary } from './run-rule.js';
import type { ConfigRuleSpec } from './rule-spec.js';

export type ConfigRuleHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<RunSummary>;

export interface HandlerOptions {
  readonly clients?: AwsClients;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** Builds the handler once per container; `makeSpec` receives the container's clients. */
export function createConfigRuleHandler<S extends z.ZodObject>(
  makeSpec: (clients: AwsClients) => ConfigRuleSpec<S>,
  options: HandlerOptions = {},
): ConfigRuleHandler {
  const clients = options.clients ?? createAwsClients();
  const spec = makeSpec(clients);
  const logger = options.logger ?? new Logger({ serviceName: 'ena-guard', persistentKeys: { rule: spec.name } });
  const metrics = options.metrics ?? new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard', defaultDimensions: { rule: spec.name } });

  return async (event, context) => {
    const deps: EngineDependencies = {
      config: clients.config,
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
