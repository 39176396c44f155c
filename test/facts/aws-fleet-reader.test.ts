import { DescribeInstancesCommand, EC2Client, type Reservation } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS, createAwsClients, createEc2Client, createSnsClient } from '../../src/aws/clients.js';
import { FactsUnavailableError } from '../../src/errors.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';
import { fakeEc2 } from '../support/ec2-query-server.js';
import { startFakeAwsEndpoint } from '../support/fake-aws-endpoint.js';
import { fixedClock, sdkInstance } from '../support/instances.js';

function pagesOf(sizes: number[]): Reservation[][] {
  let next = 0;
  return sizes.map((size) =>
    Array.from({ length: size }, () => {
      const index = next++;
      return { ReservationId: `r-${index}`, OwnerId: '123456789012', Instances: [sdkInstance(index, { EnaSupport: index % 2 === 0 })] };
    }),
  );
}

function readerOver(handler: ReturnType<typeof fakeEc2>['handler'], maxAttempts = 4) {
  const ec2 = new EC2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
    retryMode: 'adaptive',
    maxAttempts,
    requestHandler: handler as never,
  });
  return new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2), fixedClock);
}

async function collect(reader: AwsFleetReader) {
  const ids: string[] = [];
  for await (const page of reader.instancePages()) ids.push(...page.map((instance) => instance.instanceId));
  return ids;
}

describe('AwsFleetReader over the SDK\'s real middleware', () => {
  it('retries a throttled page with the same token and filter, and loses no instance', async () => {
    const fake = fakeEc2(pagesOf([1000, 1000, 500]), {
      when: (request) => request.params.get('NextToken') === 'page-2',
      status: 503,
      code: 'RequestLimitExceeded',
    });

    const ids = await collect(readerOver(fake.handler));

    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    const pageTwo = fake.requests.filter((request) => request.params.get('NextToken') === 'page-2');
    expect(pageTwo).toHaveLength(2);
    for (const request of fake.requests) {
      expect(request.params.get('MaxResults')).toBe('1000');
      expect(request.params.get('Filter.1.Name')).toBe('instance-state-name');
      expect(request.params.get('Filter.1.Value.5')).toBe('stopped');
    }
  });

  it('keeps the fields rules need from the XML', async () => {
    const fake = fakeEc2(pagesOf([2]));

    const pages = [];
    for await (const page of readerOver(fake.handler).instancePages()) pages.push(...page);

    expect(pages[0]).toMatchObject({ instanceId: sdkInstance(0).InstanceId, instanceType: 'm5.large', state: 'running', enaSupport: true, rootDeviceType: 'ebs', tags: { Name: 'node-0' } });
    expect(pages[1]).toMatchObject({ enaSupport: false });
  });

  it('raises FactsUnavailableError naming the call when throttling outlasts the retries', async () => {
    const fake = fakeEc2(pagesOf([10]), { when: () => true, status: 503, code: 'RequestLimitExceeded', times: 10 });

    await expect(collect(readerOver(fake.handler, 2))).rejects.toThrow(FactsUnavailableError);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('createAwsClients', () => {
  it('points each client at its AWS_ENDPOINT_URL_<SERVICE>, falling back to AWS_ENDPOINT_URL', async () => {
    const clients = createAwsClients({
      region: 'eu-west-1',
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:5001' },
    });

    const ec2 = await clients.ec2.config.endpoint?.();
    const config = await clients.config.config.endpoint?.();
    expect(`${ec2?.hostname}:${ec2?.port}`).toBe('127.0.0.1:5001');
    expect(`${config?.hostname}:${config?.port}`).toBe('127.0.0.1:5000');
    expect(await clients.ssm.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  });

  it('builds the SNS client apart, with its own AWS_ENDPOINT_URL_SNS override', async () => {
    const sns = createSnsClient({ region: 'eu-west-1', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:5002' } });

    const endpoint = await sns.config.endpoint?.();
    expect(`${endpoint?.hostname}:${endpoint?.port}`).toBe('127.0.0.1:5002');
    expect(await sns.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  });

  it('gives every client 4 adaptive attempts unless told otherwise', async () => {
    // Prepare
    const clients = createAwsClients({ region: 'eu-west-1', env: {} });

    // Act
    const attempts = await Promise.all([clients.ec2.config.maxAttempts(), clients.config.config.maxAttempts(), clients.ssm.config.maxAttempts()]);

    // Assess
    expect(attempts).toEqual([DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS]);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(4);
    expect(await createAwsClients({ region: 'eu-west-1', env: {}, maxAttempts: 2 }).ec2.config.maxAttempts()).toBe(2);
  });

  it('ends an attempt that gets no answer at the request timeout, and retries it as the SDK\'s attempts allow', async () => {
    // Prepare: an endpoint that reads every request and never answers.
    const endpoint = await startFakeAwsEndpoint({ script: () => 'hang' });
    const ec2 = createEc2Client({
      region: 'eu-west-1',
      env: { AWS_ENDPOINT_URL_EC2: endpoint.url },
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
      requestTimeoutMs: 200,
      maxAttempts: 2,
    });

    // Act
    const outcome = ec2.send(new DescribeInstancesCommand({})).finally(() => endpoint.close());

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(endpoint.count('DescribeInstances')).toBe(2);
  });

  it('leaves endpoints to the SDK when no override is set', () => {
    const clients = createAwsClients({ region: 'eu-west-1', env: {} });

    expect(clients.ec2.config.endpoint).toBeUndefined();
  });
});
