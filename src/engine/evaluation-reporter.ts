/**
 * Delivers evaluations to AWS Config: batches of at most 100 per PutEvaluations call, sent as
 * soon as a batch is full so a sweep never holds the whole fleet's results in memory. Up to
 * `concurrency` batches are in flight at once, so that delivery overlaps the sweep's reads; a
 * full batch waits only when that many are already in flight.
 *
 * Retries live in one layer each, never multiplied:
 * - Throttling, 5xx, timeouts and refused connections are retried by the SDK client (adaptive,
 *   4 attempts: src/aws/clients.ts). A call the SDK gave up on is not sent again here: its batch
 *   is logged with its resource ids and counted undelivered, and the next batches are still sent.
 * - What the SDK cannot see is the partial failure: PutEvaluations answers 200 with
 *   `FailedEvaluations` for items that failed "because of a client or server error". Only those
 *   entries are re-sent, with exponential backoff, for as long as the batch's re-send budget
 *   (default 15 s) and the invocation's deadline allow, then logged and counted undelivered.
 *
 * Near the deadline (`timeLeftMs` reaches 0) nothing more is sent: a call in flight is aborted,
 * and every evaluation not yet delivered is counted undelivered, so that the run can still
 * publish its metrics and fail the invocation before Lambda stops it.
 */
import { PutEvaluationsCommand, type ConfigServiceClient, type Evaluation } from '@aws-sdk/client-config-service';
import { describeError } from '../errors.js';
import { withTimeLimit } from './deadline.js';
import { realSleep, type Log, type Sleep } from './ports.js';

/** PutEvaluations accepts 0–100 evaluations per call. */
export const PUT_EVALUATIONS_BATCH_SIZE = 100;

/** rdklib's and the RDK's convention: this token means "call PutEvaluations with TestMode". */
export const TEST_MODE_RESULT_TOKEN = 'TESTMODE';

export interface EvaluationReporterOptions {
  readonly config: ConfigServiceClient;
  readonly resultToken: string;
  readonly log: Log;
  /** Milliseconds delivery may still spend; at 0 it stops (default: no deadline). */
  readonly timeLeftMs?: () => number;
  /** Time one batch may spend re-sending FailedEvaluations: calls and backoff together (default 15 s). */
  readonly resendBudgetMs?: number;
  /** Backoff before the n-th re-send is `baseDelayMs * 2^(n-1)`, at most 4 s. */
  readonly baseDelayMs?: number;
  readonly sleep?: Sleep;
  /** PutEvaluations calls in flight at once (default 1). */
  readonly concurrency?: number;
}

const MAX_RESEND_DELAY_MS = 4_000;

export interface DeliveryReport {
  readonly delivered: number;
  readonly undeliveredResourceIds: readonly string[];
  readonly putEvaluationsCalls: number;
}

export class EvaluationReporter {
  private readonly pending: Evaluation[] = [];
  private delivered = 0;
  private calls = 0;
  private readonly undelivered: string[] = [];
  private readonly resendBudgetMs: number;
  private readonly baseDelayMs: number;
  private readonly sleep: Sleep;
  private readonly timeLeftMs: () => number;
  private readonly concurrency: number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: EvaluationReporterOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.resendBudgetMs = options.resendBudgetMs ?? 15_000;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.sleep = options.sleep ?? realSleep;
    this.timeLeftMs = options.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
  }

  /** Queues one evaluation; starts sending a batch when 100 are waiting. */
  async add(evaluation: Evaluation): Promise<void> {
    this.pending.push(evaluation);
    if (this.pending.length >= PUT_EVALUATIONS_BATCH_SIZE) await this.dispatch();
  }

  /** Sends whatever is still waiting, and waits for every batch in flight. Safe to call more than once. */
  async flush(): Promise<DeliveryReport> {
    while (this.pending.length > 0) await this.dispatch();
    await Promise.all(this.inFlight);
    return this.report();
  }

  /** Starts sending the next batch, first waiting for a free slot when `concurrency` batches are in flight. */
  private async dispatch(): Promise<void> {
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    const sending = this.sendBatch(this.pending.splice(0, PUT_EVALUATIONS_BATCH_SIZE)).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  report(): DeliveryReport {
    return { delivered: this.delivered, undeliveredResourceIds: [...this.undelivered], putEvaluationsCalls: this.calls };
  }

  /** Sends one batch and re-sends what PutEvaluations reports failed; never throws (a lost batch is counted undelivered). */
  private async sendBatch(first: Evaluation[]): Promise<void> {
    let batch = first;
    // Time this batch has spent: its calls as measured, its backoff as slept (so that an
    // injected sleep makes the budget deterministic in tests).
    let spentMs = 0;
    for (let resends = 0; ; resends += 1) {
      const timeLeft = this.timeLeftMs();
      if (timeLeft <= 0) {
        this.giveUpAtDeadline(batch, 'not sent');
        return;
      }
      const started = performance.now();
      let failed: Evaluation[];
      try {
        failed = await withTimeLimit(timeLeft, (abortSignal) => this.put(batch, abortSignal));
      } catch (error) {
        if (this.timeLeftMs() <= 0) this.giveUpAtDeadline(batch, `PutEvaluations cut off (${describeError(error)})`);
        // The SDK already retried throttling, 5xx and timeouts; this batch is lost for this run.
        else this.giveUp(batch, `PutEvaluations failed: ${describeError(error)}`);
        return;
      }
      spentMs += performance.now() - started;
      this.delivered += batch.length - failed.length;
      if (failed.length === 0) return;
      const delayMs = Math.min(this.baseDelayMs * 2 ** resends, MAX_RESEND_DELAY_MS);
      if (spentMs + delayMs > this.resendBudgetMs) {
        this.giveUp(failed, `PutEvaluations still reported them failed after ${resends + 1} sends in ${Math.round(spentMs)} ms`);
        return;
      }
      if (this.timeLeftMs() - delayMs <= 0) {
        this.giveUpAtDeadline(failed, `reported failed by PutEvaluations, no time left to re-send`);
        return;
      }
      this.options.log.warn('Re-sending evaluations that PutEvaluations reported failed', { resend: resends + 1, failedCount: failed.length, delayMs });
      await this.sleep(delayMs);
      spentMs += delayMs;
      batch = failed;
    }
  }

  private async put(batch: Evaluation[], abortSignal: AbortSignal | undefined): Promise<Evaluation[]> {
    this.calls += 1;
    const testMode = this.options.resultToken === TEST_MODE_RESULT_TOKEN;
    const response = await this.options.config.send(
      new PutEvaluationsCommand({
        Evaluations: batch,
        ResultToken: this.options.resultToken,
        ...(testMode ? { TestMode: true } : {}),
      }),
      abortSignal ? { abortSignal } : {},
    );
    const failedKeys = new Set((response.FailedEvaluations ?? []).map(evaluationKey));
    return batch.filter((evaluation) => failedKeys.has(evaluationKey(evaluation)));
  }

  private giveUpAtDeadline(batch: readonly Evaluation[], what: string): void {
    this.giveUp(batch, `the invocation's deadline is near: ${what}`);
  }

  private giveUp(batch: readonly Evaluation[], why: string): void {
    const resourceIds = batch.map((evaluation) => evaluation.ComplianceResourceId ?? '?');
    this.undelivered.push(...resourceIds);
    this.options.log.error(`Evaluations not delivered: ${why}`, { undeliveredCount: resourceIds.length, resourceIds });
  }
}

function evaluationKey(evaluation: Evaluation): string {
  return `${evaluation.ComplianceResourceType ?? ''}/${evaluation.ComplianceResourceId ?? ''}`;
}
