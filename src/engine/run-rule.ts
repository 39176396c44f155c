/**
 * The Config protocol, once, for every rule: parse the event and the parameters, decide
 * applicability, fetch oversized items, judge one resource or sweep them all, deliver the
 * evaluations, clear stale results, and watch the Lambda's deadline (src/engine/deadline.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { z } from 'zod';
import { parseRuleParameters } from '../../rules/parameters.js';
import { notApplicable, notJudged, type ComplianceType } from '../../rules/verdict.js';
import { FactsUnavailableError, InvalidRuleParametersError, describeError } from '../errors.js';
import { parseConfigRuleEvent, type ConfigRuleEvent, type ConfigurationItem, type MessageType } from './config-event.js';
import { fetchConfigurationItem } from './configuration-history.js';
import { Deadline, TIMED_OUT, settleWithin, withTimeLimit } from './deadline.js';
import { makeEvaluation } from './evaluation.js';
import { EvaluationReporter, TEST_MODE_RESULT_TOKEN } from './evaluation-reporter.js';
import type { Log, MetricsRecorder, Sleep } from './ports.js';
import type { ConfigRuleSpec, EngineReason, ResourceResult } from './rule-spec.js';
import { readCurrentResults, resultKey, staleAmong, type EvaluatedResource } from './stale-results.js';

export interface EngineDependencies {
  readonly config: ConfigServiceClient;
  readonly log: Log;
  readonly metrics: MetricsRecorder;
  /** Milliseconds the invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs?: () => number;
  /** Stop sweeping, and skip stale clearing, when less than this is left, to deliver what was computed (default 30 s). */
  readonly deadlineMarginMs?: number;
  /** Stop delivering when less than this is left, to publish metrics and fail in time (default 5 s, at most the margin). */
  readonly deliveryReserveMs?: number;
  readonly sleep?: Sleep;
  /** Time one batch may spend re-sending what PutEvaluations reported failed (default 15 s). */
  readonly resendBudgetMs?: number;
}

/** How a periodic sweep ended, and how far it got. */
export interface SweepReport {
  /** `complete`: it ran to its end; `deadline`: it stopped because the deadline was near; `fact-source-failed`: a fact source failed. */
  readonly end: 'complete' | 'deadline' | 'fact-source-failed';
  /** Resources the sweep produced a result for, judged or not. */
  readonly resourcesSwept: number;
  /** Of those, the resources it judged (compliant, non-compliant or not applicable). */
  readonly resourcesJudged: number;
  /** The fact-source error that ended it (`end` is `fact-source-failed`). */
  readonly error?: unknown;
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
  /** Periodic runs only. */
  readonly sweep?: SweepReport;
}

const CHANGE_APPLICABLE_STATUSES: readonly string[] = ['OK', 'ResourceDiscovered'];

/**
 * PutEvaluations calls a sweep keeps in flight, so that delivery overlaps its reads: at 50 ms a
 * call, 100,000 evaluations take 50 s one at a time and 12.5 s four at a time (npm run bench).
 * AWS publishes no PutEvaluations rate; the SDK's adaptive retry slows down if Config throttles.
 */
export const PUT_EVALUATIONS_IN_FLIGHT = 4;

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

  const deadline = new Deadline(deps.remainingTimeMs, deps.deadlineMarginMs, deps.deliveryReserveMs);
  const reporter = new EvaluationReporter({
    config: deps.config,
    resultToken: event.resultToken,
    log,
    timeLeftMs: () => deadline.deliveryTimeLeftMs(),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.resendBudgetMs !== undefined ? { resendBudgetMs: deps.resendBudgetMs } : {}),
    concurrency: PUT_EVALUATIONS_IN_FLIGHT,
  });
  const tally = new Tally(log);
  const orderingTimestamp = new Date(event.invokingEvent.notificationCreationTime);
  let complete = true;
  let sweepReport: SweepReport | undefined;
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
    let judged = 0;
    // The rule's current results are read while the sweep runs, so that stale clearing costs no
    // time after it. Test mode stores nothing, so there is nothing stale to clear (and the rule
    // may not exist).
    const currentResults = event.resultToken === TEST_MODE_RESULT_TOKEN ? undefined : startReadingResults(event, spec, deps, deadline);
    const sweep = await sweepRule(spec, parsed.value, {
      log,
      accountId: event.accountId,
      onResult: (result) => {
        if (result.verdict.outcome !== 'not-judged') judged += 1;
        return report(result, orderingTimestamp);
      },
      timeLeftMs: () => deadline.sweepTimeLeftMs(),
    });
    complete = sweep.complete;
    sweepReport = {
      end: sweep.complete ? 'complete' : sweep.stoppedAtDeadline ? 'deadline' : 'fact-source-failed',
      resourcesSwept: sweep.seen.size,
      resourcesJudged: judged,
      ...(sweep.error !== undefined ? { error: sweep.error } : {}),
    };
    if (currentResults !== undefined) {
      if (complete) staleResourcesCleared = await clearStaleResults(currentResults, sweep.seen, deps, deadline, (result) => report(result, orderingTimestamp));
      else currentResults.cancel();
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
    ...(sweepReport ? { sweep: sweepReport } : {}),
  };
  recordMetrics(deps.metrics, summary);
  log.info('Evaluation run finished', {
    ...summary,
    unjudgedResourceIds: summary.unjudgedResourceIds.slice(0, 50),
    ...(sweepReport ? { sweep: { ...sweepReport, error: sweepReport.error === undefined ? undefined : describeError(sweepReport.error) } } : {}),
  });
  return summary;
}

export interface SweepOptions {
  readonly log: Log;
  readonly onResult: (result: ResourceResult) => Promise<void>;
  /**
   * Milliseconds the sweep may still spend (the deadline less the delivery margin). Asked before
   * each batch; at 0 the sweep stops, and a batch still being read when it runs out is abandoned.
   */
  readonly timeLeftMs?: () => number;
  /** Passed to the spec's sweep in its SweepContext. */
  readonly accountId?: string | undefined;
}

export interface SweepOutcome {
  readonly complete: boolean;
  /** `resourceType/resourceId` of every resource the sweep produced a result for. */
  readonly seen: ReadonlySet<string>;
  readonly batches: number;
  /** True when the deadline stopped the sweep. */
  readonly stoppedAtDeadline: boolean;
  /** What stopped an incomplete sweep early, when it was an error rather than the deadline. */
  readonly error?: unknown;
}

/**
 * Drives a rule's sweep, batch by batch. Shared by the Lambda engine and the CLI. A failure of
 * a fact source (FactsUnavailableError) ends the sweep as incomplete (what was computed is kept)
 * and is logged; any other error is a bug and propagates. When `timeLeftMs` runs out the sweep
 * stops too, even while a read is in flight: a call stuck in its retries must not take the
 * time meant for delivering what was already computed.
 */
export async function sweepRule<S extends z.ZodObject>(
  spec: ConfigRuleSpec<S>,
  parameters: z.output<S>,
  { log, onResult, timeLeftMs, accountId }: SweepOptions,
): Promise<SweepOutcome> {
  const seen = new Set<string>();
  let batches = 0;
  const stopAtDeadline = (when: string): SweepOutcome => {
    log.warn(`Sweep stopped ${when}: the deadline is near. Results so far are delivered, the rest waits for the next run`, {
      batches,
      resourcesSwept: seen.size,
    });
    return { complete: false, stoppedAtDeadline: true, seen, batches };
  };
  const iterator = spec.sweep(parameters, { accountId, log })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const timeLeft = timeLeftMs?.() ?? Number.POSITIVE_INFINITY;
      if (timeLeft <= 0) return stopAtDeadline('before its next batch');
      const next = await settleWithin(iterator.next(), timeLeft);
      if (next === TIMED_OUT) {
        // The read goes on in the background; ending the iterator lets it finish quietly.
        iterator.return?.().catch(() => undefined);
        return stopAtDeadline('while reading a batch');
      }
      if (next.done) break;
      batches += 1;
      for (const result of next.value) {
        seen.add(resultKey(result.resourceType, result.resourceId));
        await onResult(result);
      }
    }
  } catch (error) {
    if (!(error instanceof FactsUnavailableError)) throw error;
    log.error('Sweep stopped: a fact source failed; results so far are delivered', {
      error: describeError(error),
      batches,
      resourcesSwept: seen.size,
    });
    return { complete: false, stoppedAtDeadline: false, seen, batches, error };
  }
  return { complete: true, stoppedAtDeadline: false, seen, batches };
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

/** The rule's current results, being read; `cancel` stops the reads (a sweep that ended incomplete). */
interface ResultsBeingRead {
  readonly outcome: Promise<{ readonly ok: true; readonly current: EvaluatedResource[] } | { readonly ok: false; readonly error: unknown }>;
  cancel(): void;
}

function startReadingResults<S extends z.ZodObject>(event: ConfigRuleEvent, spec: ConfigRuleSpec<S>, deps: EngineDependencies, deadline: Deadline): ResultsBeingRead {
  const cancelled = new AbortController();
  // Reading takes a call per 100 results, and never past the sweep's own time: the margin is kept
  // for delivering what the sweep computed.
  const outcome = withTimeLimit(deadline.sweepTimeLeftMs(), (deadlineSignal) =>
    readCurrentResults(deps.config, event.configRuleName, spec.sweptResourceTypes, deadlineSignal ? AbortSignal.any([deadlineSignal, cancelled.signal]) : cancelled.signal),
  ).then(
    (current) => ({ ok: true as const, current }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, cancel: () => cancelled.abort(new Error('the sweep ended incomplete: its results are not compared')) };
}

async function clearStaleResults(
  reading: ResultsBeingRead,
  seen: ReadonlySet<string>,
  deps: EngineDependencies,
  deadline: Deadline,
  report: (result: ResourceResult) => Promise<void>,
): Promise<number> {
  const timeLeft = deadline.sweepTimeLeftMs();
  const outcome = timeLeft <= 0 ? TIMED_OUT : await settleWithin(reading.outcome, timeLeft);
  if (outcome === TIMED_OUT) {
    reading.cancel();
    deps.log.warn('Stale results not cleared: the deadline is near; the next complete sweep clears them', { remainingMs: deadline.remainingMs() });
    return 0;
  }
  if (!outcome.ok) {
    if (!(outcome.error instanceof FactsUnavailableError)) throw outcome.error;
    deps.log.warn('Could not read the previous results to clear stale ones; they will be cleared next run', { error: describeError(outcome.error) });
    return 0;
  }
  const stale = staleAmong(outcome.current, seen);
  for (const resource of stale) {
    await report({ ...resource, verdict: notApplicable<EngineReason>('The resource no longer exists or is outside this rule\'s scope.', 'RESOURCE_GONE') });
  }
  return stale.length;
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
  // 0 on change events too, so that an alarm on the sum sees every run.
  metrics.addMetric('IncompleteSweeps', MetricUnit.Count, summary.sweep && summary.sweep.end !== 'complete' ? 1 : 0);
  metrics.addMetric('SweepsStoppedAtDeadline', MetricUnit.Count, summary.sweep?.end === 'deadline' ? 1 : 0);
  // Sweeps only: a change event is not a sweep, and a 0 would hide how far the sweeps get.
  if (summary.sweep) metrics.addMetric('ResourcesSwept', MetricUnit.Count, summary.sweep.resourcesSwept);
}
