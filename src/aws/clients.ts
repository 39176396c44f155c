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
const SERVICE_ENV_SUFFIX = { ec2: 'EC2', config: 'CONFIG_SERVICE', ssm: 'SSM' } as const;

export function endpointFor(service: keyof typeof SERVICE_ENV_SUFFIX, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const specific = env[`AWS_ENDPOINT_URL_${SERVICE_ENV_SUFFIX[service]}`];
  return specific && specific.length > 0 ? specific : env.AWS_ENDPOINT_URL || undefined;
}

export function createAwsClients(options: ClientOptions = {}): AwsClients {
  const env = options.env ?? process.env;
  const common = {
    ...(options.region ? { region: options.region } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
  } as const;
  const withEndpoint = (service: keyof typeof SERVICE_ENV_SUFFIX) => {
    const endpoint = endpointFor(service, env);
    return endpoint ? { ...common, endpoint } : common;
  };
  return {
    ec2: new EC2Client(withEndpoint('ec2')),
    config: new ConfigServiceClient(withEndpoint('config')),
    ssm: new SSMClient(withEndpoint('ssm')),
  };
}
