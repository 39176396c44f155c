/**
 * The Config protocol, once, for every rule: parse the event and the parameters, decide
 * applicability, fetch oversized items, judge one resource or sweep them all, deliver the
 * evaluations, clear stale results, and watch the Lambda's deadline.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { z } from 'zod';
import { parseRuleParameters } from '../../rules/parameters.js';
import { notApplicable, notJudged, type ComplianceType } from '../../rules/verdict.js';
import { FactsUnavailableError, InvalidRuleParametersError, describeError } from '../errors.js';
import { parseConfigRuleEvent, type ConfigRuleEvent, type ConfigurationItem, type MessageType } from './config-event.js';
import { fetchConfigurationItem } from './configuration-history.js';
import { makeEvaluation } from './evaluation.js';
import { EvaluationReporter, TEST_MODE_RESULT_TOKEN } from './evaluation-reporter.js';
import type { Log, MetricsRecorder, Sleep } from './ports.js';
import type { ConfigRuleSpec, EngineReason, ResourceResult } from './rule-spec.js';
import { findStaleResources, resultKey } from './stale-results.js';

export interface EngineDependencies {
  readonly config: ConfigServiceClient;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  /** Milliseconds the invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs?: () => number;
  /** Stop sweeping when less than this is left, to deliver what was computed (default 30 s). */
  readonly deadlineMarginMs?: number;
  readonly sleep?: Sleep;
  readonly putEvaluationsMaxAttempts?: number;
}

export interface RunSummary {
  readonly ruleName: string;
  readonly messageType: MessageType;
  readonly counts: Readonly<Record<ComplianceType, number>>;
  readonly unjudgedResourceIds: readonly string[];
  readonly staleResourcesCleared: number;
  readonly delivered: number;
  readonly undeliveredResourceIds: readonly string[];
  readonly putEvaluationsCalls: number;
  /** False when a sweep stopped at the deadline or its fact source failed part-way. */
  readonly complete: boolean;
}

const CHANGE_APPLICABLE_STATUSES: readonly string[] = ['OK', 'ResourceDiscovered'];

/** Runs one rule for one Config event. Throws only for a malformed event or bad parameters. */
export async function runConfigRule<S extends z.ZodObject>(
  rawEvent: unknown,
  spec: ConfigRuleSpec<S>,
  deps: EngineDependencies,
): Promise<RunSummary> {
  const event = parseConfigRuleEvent(rawEvent);
  const messageType = event.invokingEvent.messageType;
  const log = deps.log;

  const parsed = parseRuleParameters(spec.parameters, event.ruleParameters);
  if (!parsed.ok) {
    log.error(parsed.message, { configRuleName: event.configRuleName, parameters: parsed.parameters });
    throw new InvalidRuleParametersError(parsed.message, parsed.parameters);
  }

  const reporter = new EvaluationReporter({
    config: deps.config,
    resultToken: event.resultToken,
    log,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.putEvaluationsMaxAttempts ? { maxAttempts: deps.putEvaluationsMaxAttempts } : {}),
  });
  const tally = new Tally(log);
  const orderingTimestamp = new Date(event.invokingEvent.notificationCreationTime);
  let complete = true;
  let staleResourcesCleared = 0;

  const report = async (result: ResourceResult, timestamp: Date): Promise<void> => {
    const { verdict } = result;
    if (verdict.outcome === 'not-judged') {
      tally.unjudged(result);
      return;
    }
    tally.judged(verdict.compliance);
    await reporter.add(
      makeEvaluation({
        resourceType: result.resourceType,
        resourceId: result.resourceId,
        compliance: verdict.compliance,
        annotation: verdict.annotation,
        orderingTimestamp: timestamp,
      }),
    );
  };

  if (event.invokingEvent.messageType === 'ScheduledNotification') {
    const sweep = await sweepRule(spec, parsed.value, {
      log,
      accountId: event.accountId,
      onResult: (result) => report(result, orderingTimestamp),
      shouldStop: () => deadlineNear(deps),
    });
    complete = sweep.complete;
    // Test mode stores nothing, so there is nothing stale to clear (and the rule may not exist).
    if (complete && event.resultToken !== TEST_MODE_RESULT_TOKEN) {
      staleResourcesCleared = await clearStaleResults(event, spec, sweep.seen, deps, (result) => report(result, orderingTimestamp));
    }
  } else {
    const item = await changedItem(event, deps);
    const result = item.ok
      ? await judgeChangedItem(event, item.value, spec, parsed.value)
      : { resourceType: item.resourceType, resourceId: item.resourceId, verdict: notJudged<EngineReason>(item.detail, 'CONFIGURATION_ITEM_UNAVAILABLE') };
    await report(result, item.ok ? new Date(item.value.configurationItemCaptureTime) : orderingTimestamp);
  }

  const delivery = await reporter.flush();
  const summary: RunSummary = {
    ruleName: event.configRuleName,
    messageType,
    counts: tally.counts,
    unjudgedResourceIds: tally.unjudgedIds,
    staleResourcesCleared,
    delivered: delivery.delivered,
    undeliveredResourceIds: delivery.undeliveredResourceIds,
    putEvaluationsCalls: delivery.putEvaluationsCalls,
    complete,
  };
  recordMetrics(deps.metrics, summary);
  log.info('Evaluation run finished', { ...summary, unjudgedResourceIds: summary.unjudgedResourceIds.slice(0, 50) });
  return summary;
}

export interface SweepOptions {
  readonly log: Log;
  readonly onResult: (result: ResourceResult) => Promise<void>;
  /** Asked before each batch; true stops the sweep (deadline). */
  readonly shouldStop?: () => boolean;
  /** Passed to the spec's sweep in its SweepContext. */
  readonly accountId?: string | undefined;
}

export interface SweepOutcome {
  readonly complete: boolean;
  /** `resourceType/resourceId` of every resource the sweep produced a result for. */
  readonly seen: ReadonlySet<string>;
  readonly batches: number;
  /** What stopped an incomplete sweep early, when it was an error rather than the deadline. */
  readonly error?: unknown;
}

/**
 * Drives a rule's sweep, batch by batch. Shared by the Lambda engine and the CLI. A failure of
 * a fact source (FactsUnavailableError) ends the sweep as incomplete (what was computed is kept)
 * and is logged; any other error is a bug and propagates.
 */
export async function sweepRule<S extends z.ZodObject>(
  spec: ConfigRuleSpec<S>,
  parameters: z.output<S>,
  { log, onResult, shouldStop, accountId }: SweepOptions,
): Promise<SweepOutcome> {
  const seen = new Set<string>();
  let batches = 0;
  try {
    for await (const batch of spec.sweep(parameters, { accountId, log })) {
      batches += 1;
      for (const result of batch) {
        seen.add(resultKey(result.resourceType, result.resourceId));
        await onResult(result);
      }
      if (shouldStop?.()) {
        log.warn('Sweep stopped before the deadline; results so far are delivered, the rest waits for the next run', {
          batches,
          resourcesJudged: seen.size,
        });
        return { complete: false, seen, batches };
      }
    }
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    log.error('Sweep stopped: a fact source failed; results so far are delivered', {
      error: describeError(error),
      batches,
      resourcesJudged: seen.size,
    });
    return { complete: false, seen, batches, error };
  }
  return { complete: true, seen, batches };
}

type ItemLookup =
  | { ok: true; value: ConfigurationItem }
  | { ok: false; resourceType: string; resourceId: string; detail: string };

async function changedItem(event: ConfigRuleEvent, deps: EngineDependencies): Promise<ItemLookup> {
  const invoking = event.invokingEvent;
  if (invoking.messageType === 'ConfigurationItemChangeNotification') return { ok: true, value: invoking.configurationItem };
  if (invoking.messageType !== 'OversizedConfigurationItemChangeNotification') throw new Error('unreachable');
  const summary = invoking.configurationItemSummary;
  // A deleted or unrecorded resource needs no history: its verdict is NOT_APPLICABLE either way.
  if (!CHANGE_APPLICABLE_STATUSES.includes(summary.configurationItemStatus) || event.eventLeftScope) {
    return { ok: true, value: { ...summary, configuration: null, tags: {} } };
  }
  try {
    return { ok: true, value: await fetchConfigurationItem(deps.config, summary) };
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    return { ok: false, resourceType: summary.resourceType, resourceId: summary.resourceId, detail: describeError(error) };
  }
}

async function judgeChangedItem<S extends z.ZodObject>(
  event: ConfigRuleEvent,
  item: ConfigurationItem,
  spec: ConfigRuleSpec<S>,
  parameters: z.output<S>,
): Promise<ResourceResult> {
  const subject = { resourceType: item.resourceType, resourceId: item.resourceId };
  if (event.eventLeftScope) {
    return { ...subject, verdict: notApplicable<EngineReason>('The resource left the scope of this rule.', 'LEFT_SCOPE') };
  }
  if (!CHANGE_APPLICABLE_STATUSES.includes(item.configurationItemStatus)) {
    return { ...subject, verdict: notApplicable<EngineReason>(`Configuration item status is ${item.configurationItemStatus}.`, 'NOT_RECORDED_OR_DELETED') };
  }
  if (!spec.changeResourceTypes.includes(item.resourceType) || !spec.judgeChange) {
    return { ...subject, verdict: notApplicable<EngineReason>(`${spec.name} does not judge ${item.resourceType}.`, 'RESOURCE_TYPE_NOT_JUDGED') };
  }
  try {
    return await spec.judgeChange(item, parameters);
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    return { ...subject, verdict: notJudged<EngineReason>(describeError(error), 'FACTS_UNAVAILABLE') };
  }
}

async function clearStaleResults<S extends z.ZodObject>(
  event: ConfigRuleEvent,
  spec: ConfigRuleSpec<S>,
  seen: ReadonlySet<string>,
  deps: EngineDependencies,
  report: (result: ResourceResult) => Promise<void>,
): Promise<number> {
  try {
    const stale = await findStaleResources(deps.config, event.configRuleName, spec.sweptResourceTypes, seen);
    for (const resource of stale) {
      await report({ ...resource, verdict: notApplicable<EngineReason>('The resource no longer exists.', 'RESOURCE_GONE') });
    }
    return stale.length;
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    deps.log.warn('Could not read the previous results to clear stale ones; they will be cleared next run', {
      error: describeError(error),
    });
    return 0;
  }
}

function deadlineNear(deps: EngineDependencies): boolean {
  if (!deps.remainingTimeMs) return false;
  return deps.remainingTimeMs() < (deps.deadlineMarginMs ?? 30_000);
}

class Tally {
  readonly counts: Record<ComplianceType, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  readonly unjudgedIds: string[] = [];

  constructor(private readonly log: Log) {}

  judged(compliance: ComplianceType): void {
    this.counts[compliance] += 1;
  }

  unjudged(result: ResourceResult): void {
    this.unjudgedIds.push(result.resourceId);
    if (result.verdict.outcome !== 'not-judged') return;
    this.log.warn('Resource not judged; nothing reported for it', {
      resourceType: result.resourceType,
      resourceId: result.resourceId,
      reasons: result.verdict.reasons,
      detail: result.verdict.detail,
    });
  }
}

function recordMetrics(metrics: MetricsRecorder, summary: RunSummary): void {
  metrics.addMetric('CompliantEvaluations', MetricUnit.Count, summary.counts.COMPLIANT);
  metrics.addMetric('NonCompliantEvaluations', MetricUnit.Count, summary.counts.NON_COMPLIANT);
  metrics.addMetric('NotApplicableEvaluations', MetricUnit.Count, summary.counts.NOT_APPLICABLE);
  metrics.addMetric('UnjudgedResources', MetricUnit.Count, summary.unjudgedResourceIds.length);
  metrics.addMetric('UndeliveredEvaluations', MetricUnit.Count, summary.undeliveredResourceIds.length);
}
