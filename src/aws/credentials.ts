/**
 * Credentials for the CLI's live commands: the caller's own (a named profile, or the SDK's default
 * chain: environment, shared files, SSO, container or instance role), and roles assumed from them
 * in other accounts. Built from the SDK's own providers, which cache and refresh; nothing here
 * holds a secret.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError } from '../errors.js';
import { endpointFor } from './clients.js';

/** The role `--accounts` and `--organization` assume in each account unless told otherwise: the one AWS Organizations creates in every account it creates. */
export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';

/** Names the sessions in the accounts' CloudTrail. */
export const ROLE_SESSION_NAME = 'ena-guard-cli';

/** The caller's own credentials: the profile's when one is named, else the SDK's default chain (which reads AWS_PROFILE). */
export function callerCredentials(profile?: string): AwsCredentialIdentityProvider {
  return profile ? fromIni({ profile }) : fromNodeProviderChain();
}

export interface AssumeRoleRequest {
  readonly roleArn: string;
  readonly externalId?: string;
  /** The credentials that assume the role. */
  readonly source: AwsCredentialIdentityProvider;
  /** The Region of the STS endpoint that is asked. */
  readonly region: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A role's temporary credentials, assumed on first use, shared by every client of the account, and assumed again before they expire. */
export function assumedRoleCredentials(request: AssumeRoleRequest): AwsCredentialIdentityProvider {
  const endpoint = endpointFor('sts', request.env ?? process.env);
  return shared(fromTemporaryCredentials({
    params: {
      RoleArn: request.roleArn,
      RoleSessionName: ROLE_SESSION_NAME,
      ...(request.externalId ? { ExternalId: request.externalId } : {}),
    },
    masterCredentials: request.source,
    clientConfig: { region: request.region, ...(endpoint ? { endpoint } : {}) },
  }));
}

/** Credentials are assumed again this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One AssumeRole for all the clients of an account: each SDK client caches credentials for
 * itself only, so without this every client of every Region would call AssumeRole (and an
 * organization's sweep would meet STS's throttling). A failure is not kept: the next call tries again.
 */
function shared(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: ReturnType<AwsCredentialIdentityProvider> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  return async () => {
    if (current === undefined || Date.now() > expiresAt - REFRESH_MARGIN_MS) {
      const pending = provider();
      current = pending;
      expiresAt = Number.POSITIVE_INFINITY;
      pending.then(
        (identity) => {
          expiresAt = identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
        },
        () => {
          if (current === pending) current = undefined;
        },
      );
    }
    return current;
  };
}

/** `arn:<partition>:iam::<account>:role/<name>`; the name may carry a path (`ops/EnaGuardAudit`). */
export function roleArnFor(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName.replace(/^\/+/, '')}`;
}

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`...). */
export function partitionOf(arn: string): string {
  const partition = arn.split(':')[1];
  return partition && partition.length > 0 ? partition : 'aws';
}

export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly partition: string;
}

/**
 * Asks STS whose credentials these are: the one call that proves they work, and the source of
 * every account id ena-guard reports.
 * @param who says whose credentials, for the message ("the credentials of profile audit").
 * @throws CredentialsError with one sentence naming who, the Region and AWS's own words.
 */
export async function callerIdentity(sts: STSClient, region: string, who: string): Promise<CallerIdentity> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account || !identity.Arn) throw new Error('STS returned no account');
    return { accountId: identity.Account, arn: identity.Arn, partition: partitionOf(identity.Arn) };
  } catch (error) {
    throw new CredentialsError(credentialsProblem(error, who, region), { cause: error });
  }
}

/** One sentence for a credentials failure, without the SDK's class names. */
export function credentialsProblem(error: unknown, who: string, region: string): string {
  const { name = '', message = String(error) } = error as { name?: string; message?: string };
  const words = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `No AWS credentials were found for ${who} (asked for STS in ${region}): set AWS_PROFILE or pass --profile, or sign in (aws sso login). ${words}.`;
  }
  return `AWS refused ${who} in ${region}: ${words}${name && !/Error$/.test(name) && !words.includes(name) ? ` (${name})` : ''}.`;
}
