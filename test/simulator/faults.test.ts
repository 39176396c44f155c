import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { Faults, loadDocument, simulate } from '../../src/simulator/index.js';
import { INSTANCE_ID, START, documentPath, singleInstanceAccount } from './fixtures.js';

describe('fault injection', () => {
  it('throttles one call with RequestLimitExceeded shaped like the SDK’s exception', () => {
    // Prepare
    const account = singleInstanceAccount({ faults: [Faults.throttle('ec2', 'DescribeInstances')] });

    // Act
    let error: unknown;
    try {
      account.call('ec2', 'DescribeInstances', { InstanceIds: [INSTANCE_ID] });
    } catch (caught) {
      error = caught;
    }
    const second = account.call('ec2', 'DescribeInstances', { InstanceIds: [INSTANCE_ID] });

    // Assess
    expect(error).toBeInstanceOf(EC2ServiceException);
    expect(error).toMatchObject({ name: 'RequestLimitExceeded', $retryable: { throttling: true }, $metadata: { httpStatusCode: 503 } });
    expect(second).toHaveProperty('Reservations');
  });

  it('strikes only the chosen attempt of calls naming the chosen resource', () => {
    // Prepare
    const account = singleInstanceAccount({ faults: [Faults.failOnce('ec2', 'CreateTags', 'InternalError', { resourceId: INSTANCE_ID, fromAttempt: 2 })] });
    const tag = (): unknown => account.call('ec2', 'CreateTags', { Resources: [INSTANCE_ID], Tags: [{ Key: 'k', Value: 'v' }] });

    // Act
    tag();
    account.call('ec2', 'CreateTags', { Resources: ['ami-0abcdef1234567890'], Tags: [{ Key: 'k', Value: 'v' }] });
    const secondOnInstance = (): unknown => tag();

    // Assess
    expect(secondOnInstance).toThrow(/Injected fault: InternalError/);
    expect(tag()).toBeDefined();
  });

  it('records every call with its input, outcome and simulated time', () => {
    // Prepare
    const account = singleInstanceAccount({ faults: [Faults.failAlways('ec2', 'StopInstances', 'OperationNotPermitted')] });

    // Act
    account.call('ec2', 'DescribeInstances', { InstanceIds: [INSTANCE_ID] });
    account.clock.advance(5_000);
    try {
      account.call('ec2', 'StopInstances', { InstanceIds: [INSTANCE_ID] });
    } catch {
      // expected
    }

    // Assess
    const calls = account.calls.calls();
    expect(calls.map((c) => [c.seq, c.operation, c.attempt])).toEqual([
      [1, 'DescribeInstances', 1],
      [2, 'StopInstances', 1],
    ]);
    expect(calls[1]).toMatchObject({ input: { InstanceIds: [INSTANCE_ID] }, resourceIds: [INSTANCE_ID], error: { code: 'OperationNotPermitted', injected: true } });
    expect(calls.map((c) => c.at.getTime() - START.getTime())).toEqual([0, 5_000]);
    expect(calls[0]?.output).toHaveProperty('Reservations');
  });

  it('walks every fault point of a runbook: each one fails the run, and the clean run succeeds', async () => {
    // Prepare
    const document = await loadDocument(documentPath('stop-start-instance.yaml'));
    const clean = singleInstanceAccount();
    const cleanResult = await simulate(document, { InstanceId: INSTANCE_ID }, { account: clean });
    const points = clean.calls.faultPoints();

    // Act
    const outcomes = [];
    for (const point of points) {
      const account = singleInstanceAccount({ faults: [Faults.atPoint(point)] });
      const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account });
      outcomes.push({ point: `${point.operation}#${point.attempt}`, status: result.status });
    }

    // Assess
    expect(cleanResult.status).toBe('Success');
    expect(points.length).toBeGreaterThan(5);
    expect(new Set(points.map((p) => p.operation))).toEqual(new Set(['StopInstances', 'DescribeInstances', 'StartInstances', 'DescribeInstanceStatus']));
    expect(outcomes.every((o) => o.status === 'Failed')).toBe(true);
  });

  it('rides out throttling when the throttling retry time limit allows it', async () => {
    // Prepare
    const document = await loadDocument(documentPath('retry.yaml'));
    const account = singleInstanceAccount({ faults: [Faults.throttle('ec2', 'DescribeInstances', { times: 3 })] });

    // Act
    const result = await simulate(document, { InstanceId: INSTANCE_ID }, { account, throttlingRetrySeconds: 60 });

    // Assess
    expect(result.status).toBe('Success');
    expect(result.trace[0]?.attempts).toBe(1);
    expect(account.calls.calls({ operation: 'DescribeInstances' })).toHaveLength(4);
    expect(result.endTime.getTime() - result.startTime.getTime()).toBe((1 + 2 + 4) * 1000);
  });
});
