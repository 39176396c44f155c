/**
 * The reporter's batches in flight: at most `concurrency` PutEvaluations calls at once, every
 * evaluation delivered once, and flush waiting for all of them.
 */
import type { ConfigServiceClient} from '@aws-sdk/client-config-service';
import { PutEvaluationsCommand, type Evaluation } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { EvaluationReporter } from '../../src/engine/evaluation-reporter.js';
import { silentLog } from '../../src/engine/ports.js';

function evaluation(index: number): Evaluation {
  return { ComplianceResourceType: 'AWS::EC2::Instance', ComplianceResourceId: `i-${index.toString(16).padStart(17, '0')}`, ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date(0) };
}

/** A Config client whose PutEvaluations calls stay open until released, recording how many were open at once. */
function heldConfig() {
  const open: (() => void)[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const sent: string[] = [];
  const client = {
    send: (command: unknown) => {
      if (!(command instanceof PutEvaluationsCommand)) throw new Error('unexpected command');
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      sent.push(...(command.input.Evaluations ?? []).map((e) => e.ComplianceResourceId ?? ''));
      return new Promise((resolve) => {
        open.push(() => {
          inFlight -= 1;
          resolve({ FailedEvaluations: [] });
        });
      });
    },
  } as unknown as ConfigServiceClient;
  const releaseAll = async () => {
    while (open.length > 0) {
      open.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { client, open, sent, mostInFlight: () => mostInFlight, releaseAll };
}

describe('EvaluationReporter in flight', () => {
  it.each([1, 4])('keeps at most %i PutEvaluations calls in flight and delivers every evaluation once', async (concurrency) => {
    const config = heldConfig();
    const reporter = new EvaluationReporter({ config: config.client, resultToken: 'token', log: silentLog, concurrency });

    const adding = (async () => {
      for (let index = 0; index < 1000; index++) await reporter.add(evaluation(index));
      return reporter.flush();
    })();
    // Let the adds run until they wait for a free slot.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(config.open).toHaveLength(concurrency);
    const releasing = (async () => {
      while (config.sent.length < 1000 || config.open.length > 0) await config.releaseAll();
    })();
    const report = await adding;
    await releasing;

    expect(config.mostInFlight()).toBe(concurrency);
    expect(report).toMatchObject({ delivered: 1000, putEvaluationsCalls: 10, undeliveredResourceIds: [] });
    expect(new Set(config.sent).size).toBe(1000);
    expect(config.sent).toHaveLength(1000);
  });
});
