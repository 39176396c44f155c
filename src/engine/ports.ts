/**
 * Narrow interfaces the engine needs from its surroundings, so that tests pass recording fakes
 * and the Lambda passes Powertools' Logger and Metrics (which satisfy them as they are).
 */
import type { MetricUnit } from '@aws-lambda-powertools/metrics';

export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface MetricsRecorder {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

/** A logger that drops everything, for the CLI and for tests that do not look at logs. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export const noMetrics: MetricsRecorder = { addMetric() {} };

/** Waits; injected so that tests of retries and backoff run instantly. */
export type Sleep = (milliseconds: number) => Promise<void>;

export const realSleep: Sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));
