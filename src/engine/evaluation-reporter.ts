/**
 * Delivers evaluations to AWS Config: batches of at most 100 per PutEvaluations call, sent as
 * soon as a batch is full so a sweep never holds the whole fleet's results in memory.
 *
 * Throttling and 5xx errors are retried by the SDK client (adaptive retry). What the SDK cannot
 * see is the partial failure: PutEvaluations answers 200 with `FailedEvaluations` for items that
 * failed "because of a client or server error". Those are re-sent with backoff, a bounded number
 * of times, then logged with their resource ids. A batch that fails outright is logged and
 * counted, and the next batches are still sent: one error never loses the others.
 */
import { PutEvaluationsCommand, type ConfigServiceClient, type Evaluation } from '@aws-sdk/client-config-service';
import { describeError } from '../errors.js';
import { realSleep, type Log, type Sleep } from './ports.js';

/** PutEvaluations accepts 0–100 evaluations per call. */
export const PUT_EVALUATIONS_BATCH_SIZE = 100;

/** rdklib's and the RDK's convention: this token means "call PutEvaluations with TestMode". */
export const TEST_MODE_RESULT_TOKEN = 'TESTMODE';

export interface EvaluationReporterOptions {
  readonly config: ConfigServiceClient;
  readonly resultToken: string;
  readonly log: Log;
  /** Attempts per batch for evaluations listed in FailedEvaluations (first send included). */
  readonly maxAttempts?: number;
  /** Backoff before the n-th re-send is `baseDelayMs * 2^(n-1)`. */
  readonly baseDelayMs?: number;
  readonly sleep?: Sleep;
}

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
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: EvaluationReporterOptions) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Queues one evaluation; sends a batch when 100 are waiting. */
  async add(evaluation: Evaluation): Promise<void> {
    this.pending.push(evaluation);
    if (this.pending.length >= PUT_EVALUATIONS_BATCH_SIZE) await this.sendBatch();
  }

  /** Sends whatever is still waiting. Safe to call more than once. */
  async flush(): Promise<DeliveryReport> {
    while (this.pending.length > 0) await this.sendBatch();
    return this.report();
  }

  report(): DeliveryReport {
    return { delivered: this.delivered, undeliveredResourceIds: [...this.undelivered], putEvaluationsCalls: this.calls };
  }

  private async sendBatch(): Promise<void> {
    let batch = this.pending.splice(0, PUT_EVALUATIONS_BATCH_SIZE);
    for (let attempt = 1; batch.length > 0; attempt += 1) {
      if (attempt > 1) await this.sleep(this.baseDelayMs * 2 ** (attempt - 2));
      let failed: Evaluation[];
      try {
        failed = await this.put(batch);
      } catch (error) {
        // The SDK already retried throttling and 5xx; this batch is lost for this run.
        this.giveUp(batch, `PutEvaluations failed: ${describeError(error)}`);
        return;
      }
      this.delivered += batch.length - failed.length;
      if (failed.length === 0) return;
      if (attempt >= this.maxAttempts) {
        this.giveUp(failed, `PutEvaluations still reported them failed after ${attempt} attempts`);
        return;
      }
      this.options.log.warn('Re-sending evaluations that PutEvaluations reported failed', {
        attempt,
        failedCount: failed.length,
      });
      batch = failed;
    }
  }

  private async put(batch: Evaluation[]): Promise<Evaluation[]> {
    this.calls += 1;
    const testMode = this.options.resultToken === TEST_MODE_RESULT_TOKEN;
    const response = await this.options.config.send(
      new PutEvaluationsCommand({
        Evaluations: batch,
        ResultToken: this.options.resultToken,
        ...(testMode ? { TestMode: true } : {}),
      }),
    );
    const failedKeys = new Set((response.FailedEvaluations ?? []).map(evaluationKey));
    return batch.filter((evaluation) => failedKeys.has(evaluationKey(evaluation)));
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
