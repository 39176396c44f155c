/**
 * The one place SDK clients are built: Region, endpoint override and adaptive retry. Everything
 * else receives its clients as arguments.
 *
 * Endpoints follow the SDK's own convention, read here explicitly so that the behaviour is the
 * same for every client and visible in one place: `AWS_ENDPOINT_URL_<SERVICE>` (e.g.
 * `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL_CONFIG_SERVICE`) wins over `AWS_ENDPOINT_URL`.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly config: ConfigServiceClient;
  readonly ssm: SSMClient;
}

export interface ClientOptions {
  readonly region?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SDK attempts per call, including the first (default 8: sweeps meet throttling at scale). */
  readonly maxAttempts?: number;
}

/** Environment suffixes of each client, as the SDK's service ids spell them. */
const SERVICE_ENV_SUFFIX = { ec2: 'EC2', config: 'CONFIG_SERVICE', ssm: 'SSM', sns: 'SNS' } as const;

export function endpointFor(service: keyof typeof SERVICE_ENV_SUFFIX, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const specific = env[`AWS_ENDPOINT_URL_${SERVICE_ENV_SUFFIX[service]}`];
  return specific && specific.length > 0 ? specific : env.AWS_ENDPOINT_URL || undefined;
}

/** Region, adaptive retry and the endpoint override of one service. */
function clientConfig(service: keyof typeof SERVICE_ENV_SUFFIX, options: ClientOptions) {
  const endpoint = endpointFor(service, options.env ?? process.env);
  return {
    ...(options.region ? { region: options.region } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
    ...(endpoint ? { endpoint } : {}),
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

export function createSnsClient(options: ClientOptions = {}): SNSClient {
  return new SNSClient(clientConfig('sns', options));
}

/** EC2, Config and SSM together, for the CLI and the alerts, which use all three. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  return { ec2: createEc2Client(options), config: createConfigServiceClient(options), ssm: createSsmClient(options) };
}
