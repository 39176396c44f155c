/**
 * The invocation's deadline, as the engine sees it through `remainingTimeMs` (Lambda's
 * `getRemainingTimeInMillis`). Two thresholds, from the end of the invocation backwards:
 *
 * - the delivery reserve (default 5 s): with less left, nothing more is sent to AWS Config; a
 *   PutEvaluations still in flight is aborted and what it carried counts as undelivered. What is
 *   left is for the summary, the metrics and failing the invocation, which Lambda would lose if
 *   it timed out.
 * - the sweep margin (default 30 s): with less left, the sweep reads no further (a read still in
 *   flight is abandoned), stale clearing is skipped and its reads are cut off. What is left is
 *   for delivering what was computed: one PutEvaluations under sustained throttling gives up
 *   within about 8 s (src/aws/clients.ts).
 *
 * Without `remainingTimeMs` (CLI, benchmark, most tests) there is no deadline.
 */
export const DEFAULT_DEADLINE_MARGIN_MS = 30_000;
export const DEFAULT_DELIVERY_RESERVE_MS = 5_000;

export class Deadline {
  private readonly reserveMs: number;

  constructor(
    private readonly remainingTimeMs: (() => number) | undefined,
    readonly marginMs: number = DEFAULT_DEADLINE_MARGIN_MS,
    reserveMs: number = DEFAULT_DELIVERY_RESERVE_MS,
  ) {
    // Delivery never stops before the sweep does.
    this.reserveMs = Math.min(reserveMs, marginMs);
  }

  /** Milliseconds the sweep and stale clearing may still spend reading (Infinity without a deadline). */
  sweepTimeLeftMs(): number {
    return this.remainingTimeMs ? this.remainingTimeMs() - this.marginMs : Number.POSITIVE_INFINITY;
  }

  /** Milliseconds delivery may still spend (Infinity without a deadline). */
  deliveryTimeLeftMs(): number {
    return this.remainingTimeMs ? this.remainingTimeMs() - this.reserveMs : Number.POSITIVE_INFINITY;
  }

  /** Milliseconds the invocation has left, for logs. */
  remainingMs(): number | undefined {
    return this.remainingTimeMs?.();
  }
}

/**
 * Runs `call` with an AbortSignal that fires after `timeLeftMs` (none when it is infinite), for
 * SDK calls (`client.send(command, { abortSignal })`): the SDK aborts the request in flight and
 * any retry backoff. The timer is released as soon as the call settles.
 */
export async function withTimeLimit<T>(timeLeftMs: number, call: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (!Number.isFinite(timeLeftMs)) return call(undefined);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`the invocation's deadline is near (${Math.round(timeLeftMs)} ms budget)`)), Math.max(0, timeLeftMs));
  try {
    return await call(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for `promise` at most `timeLeftMs`; resolves to {@link TIMED_OUT} when time ran out first.
 * The promise itself is not cancelled (a read it stands for goes on in the background), but it is
 * observed, so a later rejection is not an unhandled one.
 */
export async function settleWithin<T>(promise: Promise<T>, timeLeftMs: number): Promise<T | typeof TIMED_OUT> {
  if (!Number.isFinite(timeLeftMs)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, timeLeftMs));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
