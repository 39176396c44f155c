/**
 * The one place SDK clients are built: Region, endpoint override, timeouts and adaptive retry.
 * Everything else receives its clients as arguments.
 *
 * Endpoints follow the SDK's own convention, read here explicitly so that the behaviour is the
 * same for every client and visible in one place: `AWS_ENDPOINT_URL_<SERVICE>` (e.g.
 * `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL_CONFIG_SERVICE`) wins over `AWS_ENDPOINT_URL`.
 *
 * Every call is bounded. Left to its defaults, the SDK's Node handler has no connection or
 * request timeout: a peer that accepts and never answers holds a call (and the Lambda) until the
 * function times out, losing its metrics and everything not yet delivered.
 * - Connection timeout 3 s: TCP and TLS to a regional endpoint take milliseconds from Lambda;
 *   3 s still survives one lost SYN (Linux retransmits after 1 s), yet four attempts of a
 *   connection that cannot be made cost at most 12 s.
 * - Request timeout 20 s, both until the response starts and as the socket's idle limit while it
 *   streams (the handler throws a TimeoutError, which the SDK retries): the slowest call the rules
 *   make, a 1,000-instance DescribeInstances page, answers in a few seconds; 20 s is several times
 *   that, and four hung attempts (80 s) still end inside the functions' 300 s. Near the deadline
 *   the engine stops waiting sooner: it aborts PutEvaluations and stale-result reads, and
 *   abandons a sweep's read (src/engine/deadline.ts).
 *
 * Failed calls are retried in this layer only: adaptive mode (client-side rate limiting once
 * throttled) with 4 attempts retries throttling, 5xx, timeouts and refused connections. With the
 * SDK's backoff for throttling (full jitter on 1 s, 2 s, 4 s; the rate limiter's 0.5 sends/s once
 * throttled) a call throttled for ever gives up within about 8 s (measured 4.0–6.6 s), where 8
 * attempts took up to about 72 s (measured 21–61 s). The engine never sends again a call the SDK
 * gave up on; it re-sends only what PutEvaluations answered as `FailedEvaluations`
 * (src/engine/evaluation-reporter.ts), within a time budget and the invocation's deadline.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly config: ConfigServiceClient;
  readonly ssm: SSMClient;
}

/** SDK attempts per call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

export interface ClientOptions {
  readonly region?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SDK attempts per call, including the first (default {@link DEFAULT_MAX_ATTEMPTS}). */
  readonly maxAttempts?: number;
  /** Longest wait for a connection, per attempt (default {@link DEFAULT_CONNECTION_TIMEOUT_MS}). */
  readonly connectionTimeoutMs?: number;
  /** Longest wait for a response to start, and longest socket silence, per attempt (default {@link DEFAULT_REQUEST_TIMEOUT_MS}). */
  readonly requestTimeoutMs?: number;
  /**
   * Credentials or a credential provider (a profile's, an assumed role's: src/aws/credentials.ts);
   * default: the SDK's provider chain.
   */
  readonly credentials?: EC2ClientConfig['credentials'];
  /** A named profile of the shared config files: its Region (when `region` is not given) and, without `credentials`, its credentials. */
  readonly profile?: string;
}

/** Environment suffixes of each client, as the SDK's service ids spell them. */
const SERVICE_ENV_SUFFIX = {
  ec2: 'EC2',
  config: 'CONFIG_SERVICE',
  ssm: 'SSM',
  sns: 'SNS',
  dynamodb: 'DYNAMODB',
  s3: 'S3',
  sts: 'STS',
  organizations: 'ORGANIZATIONS',
} as const;

export function endpointFor(service: keyof typeof SERVICE_ENV_SUFFIX, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const specific = env[`AWS_ENDPOINT_URL_${SERVICE_ENV_SUFFIX[service]}`];
  return specific && specific.length > 0 ? specific : env.AWS_ENDPOINT_URL || undefined;
}

/** Region, endpoint override, timeouts and adaptive retry of one service. */
function clientConfig(service: keyof typeof SERVICE_ENV_SUFFIX, options: ClientOptions) {
  const endpoint = endpointFor(service, options.env ?? process.env);
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout,
      // Without it a request timeout is only logged as a warning.
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeout,
    }),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  } as const;
}

// One factory per client, so that a bundle holds only the clients its code builds: a rule
// function that reads no inventory never bundles the SSM client (a bundle test checks it).

export function createEc2Client(options: ClientOptions = {}): EC2Client {
  return new EC2Client(clientConfig('ec2', options));
}

export function createConfigServiceClient(options: ClientOptions = {}): ConfigServiceClient {
  return new ConfigServiceClient(clientConfig('config', options));
}

export function createSsmClient(options: ClientOptions = {}): SSMClient {
  return new SSMClient(clientConfig('ssm', options));
}

/** The owner alerts' idempotency table (Powertools' persistence layer calls it). */
export function createDynamoDbClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig('dynamodb', options));
}

/** The stack's state bucket (the stale-result ledger) and the inventory data sync. */
export function createS3Client(options: ClientOptions = {}): S3Client {
  const config = clientConfig('s3', options);
  // An endpoint override is a local emulator: bucket names go in the path, not in a host name it cannot resolve.
  return new S3Client({ ...config, ...('endpoint' in config ? { forcePathStyle: true } : {}) });
}

export function createSnsClient(options: ClientOptions = {}): SNSClient {
  return new SNSClient(clientConfig('sns', options));
}

/** The CLI's account lookups: GetCallerIdentity (every account's id) and AssumeRole. */
export function createStsClient(options: ClientOptions = {}): STSClient {
  return new STSClient(clientConfig('sts', options));
}

/** The CLI's `--organization`: ListAccounts. */
export function createOrganizationsClient(options: ClientOptions = {}): OrganizationsClient {
  return new OrganizationsClient(clientConfig('organizations', options));
}

/** EC2, Config and SSM together, for the CLI and the alerts, which use all three. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  return { ec2: createEc2Client(options), config: createConfigServiceClient(options), ssm: createSsmClient(options) };
}
