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
import { FactsUnavailableError, InvalidRuleParametersError, LedgerUnavailableError, describeError } from '../errors.js';
import { parseConfigRuleEvent, type ConfigRuleEvent, type ConfigurationItem, type MessageType } from './config-event.js';
import { fetchConfigurationItem } from './configuration-history.js';
import { Deadline, TIMED_OUT, settleWithin, withTimeLimit } from './deadline.js';
import { makeEvaluation } from './evaluation.js';
import { EvaluationReporter, TEST_MODE_RESULT_TOKEN } from './evaluation-reporter.js';
import type { Log, MetricsRecorder, Sleep } from './ports.js';
import type { ConfigRuleSpec, EngineReason, ResourceResult } from './rule-spec.js';
import { nextRecord, type LedgerContents, type ResultLedger, type ResultLedgerFactory } from './result-ledger.js';
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
  /**
   * The stale-result ledger (src/engine/result-ledger.ts). Without one, every complete sweep reads
   * the rule's results from Config (a call per 100 results).
   */
  readonly ledger?: ResultLedgerFactory;
}

/**
 * What became of the stale-result ledger in a run: `written` (a new record, or a mark for a change
 * evaluation), `discarded` (the record could not be kept true, so it was deleted and the next
 * sweep reads Config's results), `failed` (not even that: a stale result may survive the next
 * sweep; the StaleLedgerFailures metric alarms), `unused` (no ledger, test mode, or nothing to mark).
 */
export type LedgerOutcome = 'written' | 'discarded' | 'failed' | 'unused';

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
  /** Where the previous results came from: the ledger, Config's own results, or nowhere (change events, test mode, unreadable). */
  readonly previousResultsFrom?: 'ledger' | 'config';
  readonly ledger: LedgerOutcome;
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
  // Test mode stores nothing, so there is nothing stale to clear or to record (and the rule may not exist).
  const testMode = event.resultToken === TEST_MODE_RESULT_TOKEN;
  const ledger = testMode ? undefined : deps.ledger?.(event.configRuleName);
  let ledgerOutcome: LedgerOutcome = 'unused';
  let complete = true;
  let sweepReport: SweepReport | undefined;
  let staleResourcesCleared = 0;
  let previousResultsFrom: 'ledger' | 'config' | undefined;
  /** After the flush: writes the ledger's next record, knowing which evaluations were not delivered. */
  let keepLedger: ((undelivered: ReadonlySet<string>) => Promise<LedgerOutcome>) | undefined;

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
    // The ledger's record is taken (read, then deleted) before anything is delivered, so that a run
    // that dies before writing the next one leaves no record to trust. The previous results are
    // then read while the sweep runs, so that stale clearing costs no time after it.
    const taken = ledger ? await takeLedger(ledger, log) : undefined;
    const previous = testMode ? undefined : startReadingResults(event, spec, deps, deadline, taken?.contents);
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
    let prior: readonly EvaluatedResource[] | undefined;
    let stale: readonly EvaluatedResource[] = [];
    if (previous !== undefined) {
      if (complete) {
        const read = await awaitPreviousResults(previous, deps, deadline);
        prior = read?.current;
        if (read) {
          previousResultsFrom = read.from;
          stale = staleAmong(read.current, sweep.seen);
          for (const resource of stale) {
            await report({ ...resource, verdict: notApplicable<EngineReason>('The resource no longer exists or is outside this rule\'s scope.', 'RESOURCE_GONE') }, orderingTimestamp);
          }
          staleResourcesCleared = stale.length;
        }
      } else {
        // An incomplete sweep clears nothing; previous results already read still go into the next record.
        prior = previous.settled?.ok ? previous.settled.current : undefined;
        if (prior === undefined) previous.cancel();
      }
    }
    if (ledger && taken) {
      keepLedger = (undelivered) => {
        const cleared = new Set(stale.filter((resource) => !undelivered.has(resource.resourceId)).map((resource) => resultKey(resource.resourceType, resource.resourceId)));
        return writeLedger(ledger, taken, prior === undefined ? undefined : nextRecord(prior, sweep.seen, cleared), log);
      };
    }
  } else {
    const item = await changedItem(event, deps);
    const result = item.ok
      ? await judgeChangedItem(event, item.value, spec, parsed.value)
      : { resourceType: item.resourceType, resourceId: item.resourceId, verdict: notJudged<EngineReason>(item.detail, 'CONFIGURATION_ITEM_UNAVAILABLE') };
    if (ledger && result.verdict.outcome === 'judged' && result.verdict.compliance !== 'NOT_APPLICABLE') ledgerOutcome = await markReported(ledger, result, log);
    await report(result, item.ok ? new Date(item.value.configurationItemCaptureTime) : orderingTimestamp);
  }

  const delivery = await reporter.flush();
  if (keepLedger) ledgerOutcome = await keepLedger(new Set(delivery.undeliveredResourceIds));
  const summary: RunSummary = {
    ruleName: event.configRuleName,
    messageType,
    counts: tally.counts,
    unjudgedResourceIds: tally.unjudgedIds,
    staleResourcesCleared,
    ...(previousResultsFrom ? { previousResultsFrom } : {}),
    ledger: ledgerOutcome,
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

/** The resources holding a result before the sweep, and where that was read. */
interface PreviousResults {
  readonly current: readonly EvaluatedResource[];
  readonly from: 'ledger' | 'config';
}

/** The rule's previous results, being read; `settled` once read; `cancel` stops the reads (a sweep that ended incomplete). */
interface ResultsBeingRead {
  readonly outcome: Promise<({ readonly ok: true } & PreviousResults) | { readonly ok: false; readonly error: unknown }>;
  readonly settled: ({ readonly ok: true } & PreviousResults) | { readonly ok: false; readonly error: unknown } | undefined;
  cancel(): void;
}

/**
 * From the ledger's record when there is one (already read), else from Config: a call per 100
 * results, never past the sweep's own time (the margin is kept for delivering what the sweep computed).
 */
function startReadingResults<S extends z.ZodObject>(
  event: ConfigRuleEvent,
  spec: ConfigRuleSpec<S>,
  deps: EngineDependencies,
  deadline: Deadline,
  fromLedger: LedgerContents | undefined,
): ResultsBeingRead {
  const cancelled = new AbortController();
  const outcome = fromLedger
    ? Promise.resolve({ ok: true as const, current: fromLedger.resources.filter((resource) => spec.sweptResourceTypes.includes(resource.resourceType)), from: 'ledger' as const })
    : withTimeLimit(deadline.sweepTimeLeftMs(), (deadlineSignal) =>
        readCurrentResults(deps.config, event.configRuleName, spec.sweptResourceTypes, deadlineSignal ? AbortSignal.any([deadlineSignal, cancelled.signal]) : cancelled.signal),
      ).then(
        (current) => ({ ok: true as const, current, from: 'config' as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
  const reading: { -readonly [K in keyof ResultsBeingRead]: ResultsBeingRead[K] } = {
    outcome,
    settled: undefined,
    cancel: () => cancelled.abort(new Error('the sweep ended incomplete: its results are not compared')),
  };
  void outcome.then((settled) => {
    reading.settled = settled;
  });
  return reading;
}

/** The previous results once read, or undefined (logged) when they could not be read in time. */
async function awaitPreviousResults(reading: ResultsBeingRead, deps: EngineDependencies, deadline: Deadline): Promise<PreviousResults | undefined> {
  const timeLeft = deadline.sweepTimeLeftMs();
  const outcome = timeLeft <= 0 ? TIMED_OUT : await settleWithin(reading.outcome, timeLeft);
  if (outcome === TIMED_OUT) {
    reading.cancel();
    deps.log.warn('Stale results not cleared: the deadline is near; the next complete sweep clears them', { remainingMs: deadline.remainingMs() });
    return undefined;
  }
  if (!outcome.ok) {
    if (!(outcome.error instanceof FactsUnavailableError)) throw outcome.error;
    deps.log.warn('Could not read the previous results to clear stale ones; they will be cleared next run', { error: describeError(outcome.error) });
    return undefined;
  }
  return outcome;
}

/** The ledger as the sweep found it: its contents (undefined: none to trust) and whether its record is still stored. */
interface TakenLedger {
  readonly contents: LedgerContents | undefined;
  readonly recordLeft: boolean;
}

/**
 * Reads the record and the marks, then deletes the record: from here until the sweep writes the
 * next one there is none, so a run that ends early (a crash, a timeout) sends the next sweep to
 * Config's results rather than to a record that misses what this run delivered.
 */
async function takeLedger(ledger: ResultLedger, log: Log): Promise<TakenLedger> {
  let contents: LedgerContents | undefined;
  try {
    contents = await ledger.read();
  } catch (error) {
    if (!(error instanceof LedgerUnavailableError)) throw error;
    log.warn('Stale-result ledger unreadable: the previous results are read from Config', { error: describeError(error) });
  }
  if (contents === undefined) log.info('No stale-result ledger record to trust: the previous results are read from Config');
  try {
    await ledger.discard();
    return { contents, recordLeft: false };
  } catch (error) {
    if (!(error instanceof LedgerUnavailableError)) throw error;
    log.warn('Could not delete the stale-result ledger record before the sweep; it is overwritten or deleted after it', { error: describeError(error) });
    return { contents, recordLeft: true };
  }
}

/** Writes the next record; when it cannot, makes sure no outdated record is left to trust. */
async function writeLedger(ledger: ResultLedger, taken: TakenLedger, record: EvaluatedResource[] | undefined, log: Log): Promise<LedgerOutcome> {
  if (record !== undefined) {
    try {
      await ledger.write(record, taken.contents?.marks ?? []);
      return 'written';
    } catch (error) {
      if (!(error instanceof LedgerUnavailableError)) throw error;
      log.warn('Could not write the stale-result ledger: the next sweep reads the previous results from Config', { error: describeError(error) });
    }
  }
  if (!taken.recordLeft) return 'discarded';
  try {
    await ledger.discard();
    return 'discarded';
  } catch (error) {
    if (!(error instanceof LedgerUnavailableError)) throw error;
    log.error('The stale-result ledger holds an outdated record that could not be deleted: a stale result may survive the next sweep', { error: describeError(error) });
    return 'failed';
  }
}

/** A change evaluation marks its resource before delivering; a failed mark is logged and counted, the verdict still delivered. */
async function markReported(ledger: ResultLedger, result: ResourceResult, log: Log): Promise<LedgerOutcome> {
  try {
    await ledger.mark({ resourceType: result.resourceType, resourceId: result.resourceId });
    return 'written';
  } catch (error) {
    if (!(error instanceof LedgerUnavailableError)) throw error;
    log.error('Could not mark the resource in the stale-result ledger: should it disappear unseen, its result may outlive it', {
      resourceId: result.resourceId,
      error: describeError(error),
    });
    return 'failed';
  }
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
  // 0 on every run, so that the alarm on the sum sees each one.
  metrics.addMetric('StaleLedgerFailures', MetricUnit.Count, summary.ledger === 'failed' ? 1 : 0);
  // Sweeps only: a change event is not a sweep, and a 0 would hide how far the sweeps get.
  if (summary.sweep) metrics.addMetric('ResourcesSwept', MetricUnit.Count, summary.sweep.resourcesSwept);
}
