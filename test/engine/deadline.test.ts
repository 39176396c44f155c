/**
 * The engine's deadline, in virtual time: the sweep stops reading at the margin even with a read
 * in flight, stale clearing is skipped or cut off at the margin, and delivery stops at the
 * reserve, aborting a PutEvaluations in flight and counting what it carried as undelivered.
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type PutEvaluationsCommandOutput,
} from '@aws-sdk/client-config-service';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { compliant } from '../../rules/verdict.js';
import { EvaluationReporter } from '../../src/engine/evaluation-reporter.js';
import { makeEvaluation } from '../../src/engine/evaluation.js';
import { runConfigRule, sweepRule } from '../../src/engine/run-rule.js';
import type { ConfigRuleSpec, ResourceResult } from '../../src/engine/rule-spec.js';
import { configEvent } from '../support/config-events.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';

const INSTANCE = 'i-0123456789abcdef0';
const judgedResult: ResourceResult = { resourceType: 'AWS::EC2::Instance', resourceId: INSTANCE, verdict: compliant('ok', 'OK') };

function specSweeping(sweep: () => AsyncGenerator<readonly ResourceResult[]>): ConfigRuleSpec {
  return { name: 'ena-instance-enabled', parameters: z.object({}), changeResourceTypes: [], sweptResourceTypes: ['AWS::EC2::Instance'], sweep };
}

/** A never-settling promise, as a call that is never answered looks from the caller. */
const never = () => new Promise<never>(() => {});

/** The AbortError the SDK raises when a call's abortSignal fires. */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))));
}

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/** A real client (the paginators check its class) whose send is scripted. */
function configClient(send: Send) {
  const client = new ConfigServiceClient({ region: 'eu-west-1' });
  const spy = vi.spyOn(client, 'send').mockImplementation(send as never);
  return { client, calls: () => spy.mock.calls.map((call) => ({ command: call[0] as unknown, options: call[1] as { abortSignal?: AbortSignal } | undefined })) };
}

const answered: Send = async (command) => (command instanceof PutEvaluationsCommand ? { FailedEvaluations: [] } : { EvaluationResults: [] });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the sweep at the deadline', () => {
  it('abandons a batch still being read when the sweep runs out of time, keeping the batches before it', async () => {
    // Prepare: one batch, then a read that never ends; 5 s of sweeping time.
    const results: ResourceResult[] = [];
    const log = recordingLog();
    const stopAt = Date.now() + 5_000;
    const spec = specSweeping(async function* () {
      yield [judgedResult];
      yield await never();
    });

    // Act
    let settled = false;
    const outcome = sweepRule(spec, {}, { log, onResult: async (result) => void results.push(result), timeLeftMs: () => stopAt - Date.now() }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4_999);
    const settledBeforeTime = settled;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(settledBeforeTime).toBe(false);
    expect(await outcome).toMatchObject({ complete: false, stoppedAtDeadline: true, batches: 1 });
    expect(results).toEqual([judgedResult]);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('while reading a batch'), extra: { batches: 1, resourcesSwept: 1 } }));
  });
});

describe('stale clearing at the deadline', () => {
  it('is skipped, with a warning, when a complete sweep leaves less than the margin', async () => {
    // Prepare: the sweep's last step takes 280 s of a 300 s invocation.
    let elapsed = 0;
    const spec = specSweeping(async function* () {
      yield [judgedResult];
      elapsed += 280_000;
    });
    // The rule holds a result of an instance the sweep did not see.
    const withStaleResult: Send = async (command) =>
      command instanceof PutEvaluationsCommand
        ? { FailedEvaluations: [] }
        : { EvaluationResults: [{ EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-instance-enabled', ResourceType: 'AWS::EC2::Instance', ResourceId: 'i-0deadbeef00000000' } }, ComplianceType: 'NON_COMPLIANT' }] };
    const { client, calls } = configClient(withStaleResult);
    const log = recordingLog();

    // Act
    const summary = await runConfigRule(configEvent('periodic'), spec, { config: client, log, metrics: recordingMetrics(), remainingTimeMs: () => 300_000 - elapsed, deadlineMarginMs: 30_000 });

    // Assess
    expect(summary).toMatchObject({ complete: true, staleResourcesCleared: 0, delivered: 1 });
    // The results were read while the sweep ran; with less than the margin left they are not compared.
    const sent = calls().flatMap((call) => (call.command instanceof PutEvaluationsCommand ? (call.command.input.Evaluations ?? []) : []));
    expect(sent.map((evaluation) => evaluation.ComplianceResourceId)).not.toContain('i-0deadbeef00000000');
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('Stale results not cleared: the deadline is near') }));
  });

  it('has its reads cut off at the margin, and still delivers what the sweep computed', async () => {
    // Prepare: 31 s left, a 30 s margin: 1 s to read the rule's results, which never come.
    const started = Date.now();
    const spec = specSweeping(async function* () {
      yield [judgedResult];
    });
    const { client, calls } = configClient(async (command, options) => (command instanceof GetComplianceDetailsByConfigRuleCommand ? untilAborted(options?.abortSignal) : answered(command)));
    const log = recordingLog();

    // Act
    const run = runConfigRule(configEvent('periodic'), spec, {
      config: client,
      log,
      metrics: recordingMetrics(),
      remainingTimeMs: () => 31_000 - (Date.now() - started),
      deadlineMarginMs: 30_000,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    const summary = await run;

    // Assess
    expect(summary).toMatchObject({ complete: true, staleResourcesCleared: 0, delivered: 1 });
    const sent = calls().flatMap((call) => (call.command instanceof PutEvaluationsCommand ? (call.command.input.Evaluations ?? []) : []));
    expect(sent.map((evaluation) => evaluation.ComplianceResourceId)).not.toContain('i-0deadbeef00000000');
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('Could not read the previous results') }));
  });
});

describe('delivery at the deadline', () => {
  it('aborts a PutEvaluations still in flight at the delivery reserve and counts what it carried as undelivered', async () => {
    // Prepare: 40 s left, a 5 s reserve: delivery may take 35 s; PutEvaluations never answers.
    const started = Date.now();
    const spec = specSweeping(async function* () {
      yield [judgedResult];
    });
    const { client, calls } = configClient(async (command, options) => (command instanceof PutEvaluationsCommand ? untilAborted(options?.abortSignal) : answered(command)));
    const log = recordingLog();
    const metrics = recordingMetrics();

    // Act
    let settled = false;
    const run = runConfigRule(configEvent('periodic'), spec, {
      config: client,
      log,
      metrics,
      remainingTimeMs: () => 40_000 - (Date.now() - started),
      deadlineMarginMs: 30_000,
      deliveryReserveMs: 5_000,
    }).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(34_999);
    const settledBeforeReserve = settled;
    await vi.advanceTimersByTimeAsync(1);
    const summary = await run;

    // Assess
    expect(settledBeforeReserve).toBe(false);
    expect(summary).toMatchObject({ delivered: 0, undeliveredResourceIds: [INSTANCE] });
    expect(calls().find((call) => call.command instanceof PutEvaluationsCommand)?.options?.abortSignal?.aborted).toBe(true);
    expect(metrics.values.get('UndeliveredEvaluations')).toBe(1);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining("deadline is near: PutEvaluations cut off") }));
  });

  it('sends nothing once the delivery time is used up, and counts every evaluation undelivered', async () => {
    // Prepare
    const { client, calls } = configClient(async () => ({ FailedEvaluations: [] }) satisfies Partial<PutEvaluationsCommandOutput>);
    const log = recordingLog();
    const reporter = new EvaluationReporter({ config: client, resultToken: 'token', log, timeLeftMs: () => 0 });
    const evaluation = makeEvaluation({ resourceType: 'AWS::EC2::Instance', resourceId: INSTANCE, compliance: 'COMPLIANT', annotation: 'ok', orderingTimestamp: new Date() });

    // Act
    await reporter.add(evaluation);
    const report = await reporter.flush();

    // Assess
    expect(calls()).toHaveLength(0);
    expect(report).toEqual({ delivered: 0, undeliveredResourceIds: [INSTANCE], putEvaluationsCalls: 0 });
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('deadline is near: not sent') }));
  });
});
