/**
 * The engine turns a failed fact source into "not judged" or an incomplete sweep, and nothing
 * else: an error that is not a FactsUnavailableError is a bug, and must surface.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { sweepRule } from '../../src/engine/run-rule.js';
import type { ConfigRuleSpec, ResourceResult } from '../../src/engine/rule-spec.js';
import { FactsUnavailableError, SnapshotError } from '../../src/errors.js';
import { compliant } from '../../rules/verdict.js';
import { recordingLog } from '../support/recording-log.js';

const judgedResult: ResourceResult = { resourceType: 'AWS::EC2::Instance', resourceId: 'i-0123456789abcdef0', verdict: compliant('ok', 'OK') };

function specThatFailsWith(error: unknown): ConfigRuleSpec {
  return {
    name: 'test-rule',
    parameters: z.object({}),
    changeResourceTypes: [],
    sweptResourceTypes: ['AWS::EC2::Instance'],
    async *sweep() {
      yield [judgedResult];
      throw error;
    },
  };
}

describe('sweepRule and fact-source errors', () => {
  it.each([
    ['a FactsUnavailableError', new FactsUnavailableError('DescribeInstances failed: AccessDenied')],
    ['a SnapshotError (a fact source too)', new SnapshotError('describe-instances.json', 'is not valid JSON')],
  ])('ends the sweep as incomplete on %s, keeping what was judged', async (_name, error) => {
    const results: ResourceResult[] = [];

    const outcome = await sweepRule(specThatFailsWith(error), {}, { log: recordingLog(), onResult: async (result) => void results.push(result) });

    expect(outcome.complete).toBe(false);
    expect(outcome.error).toBe(error);
    expect(results).toEqual([judgedResult]);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'InstanceId')")],
    ['a plain Error', new Error('bug')],
  ])('lets %s from a rule or binder surface instead of calling it a fact-source failure', async (_name, error) => {
    const sweep = sweepRule(specThatFailsWith(error), {}, { log: recordingLog(), onResult: async () => {} });

    await expect(sweep).rejects.toBe(error);
  });
});
