/**
 * Faults through the SDK's real stack: clients built by the project's factory (timeouts, adaptive
 * retry, 4 attempts) against a scripted local endpoint (test/support/fake-aws-endpoint.ts), run
 * through the Lambda handler with an instance rule, as deployed. Each run has a budget: its
 * `getRemainingTimeInMillis` counts down from the start of the run on the real clock.
 *
 * The assertions are on what the run did (how many requests each call made, which error, which
 * metric) and on its ending before its budget ran out, with seconds to spare. The client timeouts
 * are shortened (1 s) where a test is about retries, and left as deployed (20 s) where it is about
 * the engine's own deadline. The tests run concurrently: the file takes as long as its slowest.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, describe, it, vi } from 'vitest';
import { instanceEnabledRule } from '../../rules/instance-enabled.js';
import { DEFAULT_MAX_ATTEMPTS, createConfigServiceClient, createEc2Client, type ClientOptions } from '../../src/aws/clients.js';
import { bindInstanceRule } from '../../src/checks/instance-rule.js';
import { createConfigRuleHandler } from '../../src/engine/lambda-handler.js';
import type { RunSummary } from '../../src/engine/run-rule.js';
import { FactsUnavailableError, IncompleteEvaluationError, IncompleteSweepError } from '../../src/errors.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { configEvent } from '../support/config-events.js';
import { fixedClock } from '../support/instances.js';
import { fakeInstance, refusingEndpoint, startFakeAwsEndpoint, type Behaviour, type FakeAwsEndpoint } from '../support/fake-aws-endpoint.js';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
/** Hung attempts cost 1 s instead of 20 s; attempts and retry mode stay as deployed. */
const SHORT_TIMEOUTS: ClientOptions = { connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000 };
/** Compliant, non-compliant, and a type that cannot use ENA (NOT_APPLICABLE). */
const FLEET = [fakeInstance(1, 'm5.large', true), fakeInstance(2, 'r4.large', false), fakeInstance(3, 'c4.large', false)];

interface Budget {
  readonly budgetMs: number;
  readonly deadlineMarginMs: number;
  readonly deliveryReserveMs: number;
}
/** Room for a throttled-for-ever call (6–8 s) well inside the sweep's time. */
const ROOMY: Budget = { budgetMs: 20_000, deadlineMarginMs: 5_000, deliveryReserveMs: 2_000 };

// Closed once every test is done: the tests run concurrently.
const endpoints: FakeAwsEndpoint[] = [];

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

/** An endpoint that does `behaviour` for `operation` and answers everything else. */
async function endpointFaulting(operation: string, behaviour: Behaviour): Promise<FakeAwsEndpoint> {
  const endpoint = await startFakeAwsEndpoint({ instances: FLEET, script: (request) => (request.operation === operation ? behaviour : 'answer') });
  endpoints.push(endpoint);
  return endpoint;
}

const answeringEndpoint = () => endpointFaulting('', 'answer');

async function run({ ec2Url, configUrl, clients = SHORT_TIMEOUTS, budget = ROOMY }: { ec2Url: string; configUrl: string; clients?: ClientOptions; budget?: Budget }) {
  const common = { region: 'eu-west-1', credentials: CREDENTIALS, ...clients };
  const ec2 = createEc2Client({ ...common, env: { AWS_ENDPOINT_URL_EC2: ec2Url } });
  const config = createConfigServiceClient({ ...common, env: { AWS_ENDPOINT_URL_CONFIG_SERVICE: configUrl } });
  const metrics = new Metrics({ namespace: 'EnaGuard', serviceName: 'ena-guard' });
  const added = vi.spyOn(metrics, 'addMetric');
  const published = vi.spyOn(metrics, 'publishStoredMetrics');
  const logger = new Logger({ serviceName: 'ena-guard', logLevel: 'SILENT' });
  const spec = bindInstanceRule(instanceEnabledRule, { fleet: new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock), now: fixedClock });
  const handle = createConfigRuleHandler(spec, { config, metrics, logger, deadlineMarginMs: budget.deadlineMarginMs, deliveryReserveMs: budget.deliveryReserveMs });

  const started = Date.now();
  const context = { getRemainingTimeInMillis: () => budget.budgetMs - (Date.now() - started) };
  const outcome: { summary?: RunSummary; error?: unknown } = await handle(configEvent('periodic'), context).then(
    (summary) => ({ summary }),
    (error: unknown) => ({ error }),
  );
  return {
    ...outcome,
    elapsedMs: Date.now() - started,
    metric: (name: string) => added.mock.calls.filter((call) => call[0] === name).map((call) => call[2]),
    metricsPublished: published.mock.calls.length,
  };
}

const FAULTS = [
  ['never answers', 'hang'],
  ['throttles for ever', 'throttle'],
  ['answers 500', 'server-error'],
] as const;

describe.concurrent('a periodic run whose DescribeInstances fails', () => {
  it('ends before its deadline with IncompleteSweepError and IncompleteSweeps = 1 when the connection is refused', async ({ expect }) => {
    // Prepare
    const config = await answeringEndpoint();

    // Act
    const outcome = await run({ ec2Url: await refusingEndpoint(), configUrl: config.url });

    // Assess
    expect(outcome.error).toBeInstanceOf(IncompleteSweepError);
    expect(outcome.error).toMatchObject({ reason: 'fact-source-failed', cause: expect.any(FactsUnavailableError) });
    expect((outcome.error as Error).message).toContain('ECONNREFUSED');
    expect(outcome.metric('IncompleteSweeps')).toEqual([1]);
    expect(outcome.metric('ResourcesSwept')).toEqual([0]);
    expect(outcome.metricsPublished).toBe(1);
    expect(config.count('PutEvaluations')).toBe(0);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it.for(FAULTS)('ends before its deadline with IncompleteSweepError after the SDK\'s attempts, when it %s', async ([, behaviour], { expect }) => {
    // Prepare
    const ec2 = await endpointFaulting('DescribeInstances', behaviour);
    const config = await answeringEndpoint();

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url });

    // Assess: one retry layer, the SDK's; nothing judged, nothing sent, the failure loud.
    expect(ec2.count('DescribeInstances')).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(outcome.error).toBeInstanceOf(IncompleteSweepError);
    expect(outcome.error).toMatchObject({ reason: 'fact-source-failed', counts: { resourcesSwept: 0, resourcesJudged: 0, undelivered: 0 } });
    expect((outcome.error as Error).cause).toBeInstanceOf(FactsUnavailableError);
    expect(outcome.metric('IncompleteSweeps')).toEqual([1]);
    expect(outcome.metric('SweepsStoppedAtDeadline')).toEqual([0]);
    expect(outcome.metricsPublished).toBe(1);
    expect(config.count('PutEvaluations')).toBe(0);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it('fails with reason judged-nothing when every DescribeInstanceTypes is throttled for ever', async ({ expect }) => {
    // Prepare
    const ec2 = await endpointFaulting('DescribeInstanceTypes', 'throttle');
    const config = await answeringEndpoint();

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url });

    // Assess
    expect(ec2.count('DescribeInstanceTypes')).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(outcome.error).toMatchObject({ name: 'IncompleteSweepError', reason: 'judged-nothing', counts: { resourcesSwept: 3, resourcesJudged: 0 } });
    expect(outcome.metric('UnjudgedResources')).toEqual([3]);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it('stops at the margin while a DescribeInstances is still unanswered, with the timeouts as deployed', async ({ expect }) => {
    // Prepare: a 20 s request timeout, a 12 s budget: the sweep's time ends at 6 s, mid-request.
    const ec2 = await endpointFaulting('DescribeInstances', 'hang');
    const config = await answeringEndpoint();
    const budget = { budgetMs: 12_000, deadlineMarginMs: 6_000, deliveryReserveMs: 3_000 };

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url, clients: {}, budget });

    // Assess
    expect(ec2.count('DescribeInstances')).toBe(1);
    expect(outcome.error).toMatchObject({ name: 'IncompleteSweepError', reason: 'deadline' });
    expect(outcome.metric('SweepsStoppedAtDeadline')).toEqual([1]);
    expect(outcome.metric('IncompleteSweeps')).toEqual([1]);
    expect(outcome.metricsPublished).toBe(1);
    expect(outcome.elapsedMs).toBeLessThan(budget.budgetMs - budget.deliveryReserveMs);
  });
});

describe.concurrent('a periodic run whose PutEvaluations fails', () => {
  it('ends before its deadline with IncompleteEvaluationError and UndeliveredEvaluations when the connection is refused', async ({ expect }) => {
    // Prepare
    const ec2 = await answeringEndpoint();

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: await refusingEndpoint() });

    // Assess: the sweep was complete; its three evaluations were lost.
    expect(outcome.error).toBeInstanceOf(IncompleteEvaluationError);
    expect(outcome.error).toMatchObject({ undeliveredResourceIds: FLEET.map((instance) => instance.instanceId) });
    expect(outcome.metric('UndeliveredEvaluations')).toEqual([3]);
    expect(outcome.metric('IncompleteSweeps')).toEqual([0]);
    expect(outcome.metric('ResourcesSwept')).toEqual([3]);
    expect(outcome.metricsPublished).toBe(1);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it.for(FAULTS)('ends before its deadline with IncompleteEvaluationError after the SDK\'s attempts and no re-send, when it %s', async ([, behaviour], { expect }) => {
    // Prepare
    const ec2 = await answeringEndpoint();
    const config = await endpointFaulting('PutEvaluations', behaviour);

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url });

    // Assess: 4 requests, not 4 reporter tries × 8 SDK attempts.
    expect(config.count('PutEvaluations')).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(outcome.error).toBeInstanceOf(IncompleteEvaluationError);
    expect(outcome.metric('UndeliveredEvaluations')).toEqual([3]);
    expect(outcome.metric('IncompleteSweeps')).toEqual([0]);
    expect(outcome.metricsPublished).toBe(1);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it('re-sends only what PutEvaluations listed as failed, until the re-send budget is spent', async ({ expect }) => {
    // Prepare: every evaluation comes back in FailedEvaluations, for ever.
    const ec2 = await answeringEndpoint();
    const config = await endpointFaulting('PutEvaluations', 'fail-evaluations');

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url });

    // Assess: backoff 0.5 + 1 + 2 + 4 + 4 s = 11.5 s; 4 s more would pass the 15 s budget. A 200 is never retried by the SDK.
    expect(config.count('PutEvaluations')).toBe(6);
    expect(outcome.error).toBeInstanceOf(IncompleteEvaluationError);
    expect(outcome.metric('UndeliveredEvaluations')).toEqual([3]);
    expect(outcome.elapsedMs).toBeLessThan(ROOMY.budgetMs);
  });

  it('aborts a PutEvaluations still unanswered at the delivery reserve, with the timeouts as deployed', async ({ expect }) => {
    // Prepare: a 20 s request timeout, a 12 s budget: delivery must stop at 9 s, mid-request.
    const ec2 = await answeringEndpoint();
    const config = await endpointFaulting('PutEvaluations', 'hang');
    const budget = { budgetMs: 12_000, deadlineMarginMs: 6_000, deliveryReserveMs: 3_000 };

    // Act
    const outcome = await run({ ec2Url: ec2.url, configUrl: config.url, clients: {}, budget });

    // Assess
    expect(config.count('PutEvaluations')).toBe(1);
    expect(outcome.error).toBeInstanceOf(IncompleteEvaluationError);
    expect(outcome.metric('UndeliveredEvaluations')).toEqual([3]);
    expect(outcome.metricsPublished).toBe(1);
    expect(outcome.elapsedMs).toBeLessThan(budget.budgetMs);
  });
});
