/**
 * Live checks across an estate: the accounts (the current credentials' own, `--role-arn`, an
 * `--accounts` file, or `--organization`) times the Regions (`--region`, or `--all-regions`),
 * run with bounded concurrency; each account's id from STS; every failure attributed to its
 * account and Region.
 *
 * Credentials: the caller's are the profile's (`--profile`) or the SDK's default chain. `--role-arn`
 * assumes that role from them; `--accounts`/`--organization` assume
 * `arn:<partition>:iam::<id>:role/<--role-name>` (default {@link DEFAULT_ROLE_NAME}) in every listed
 * account but the caller's own, which is checked with the caller's credentials (the management
 * account has no OrganizationAccountAccessRole). `--external-id` goes with every AssumeRole.
 */
import { readFile } from 'node:fs/promises';
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { paginateListAccounts } from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import { parseRuleParameters } from '../../rules/parameters.js';
import { createAwsClients, createEc2Client, createOrganizationsClient, createStsClient } from '../aws/clients.js';
import {
  DEFAULT_ROLE_NAME,
  assumedRoleCredentials,
  callerCredentials,
  callerIdentity,
  credentialsProblem,
  roleArnFor,
  type CallerIdentity,
} from '../aws/credentials.js';
import type { Log } from '../engine/ports.js';
import { CredentialsError, EnaGuardError, InvalidRuleParametersError } from '../errors.js';
import { awsSources } from '../facts/sources.js';
import { isAwsFailure } from './exit-codes.js';
import { parametersPerRule, runAllChecks, type RuleRun } from './run-checks.js';
import { allChecks } from '../checks/index.js';

export { DEFAULT_ROLE_NAME } from '../aws/credentials.js';

/** Targets checked at once unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 4;

export interface EstateOptions {
  /** A named profile of the shared config/credentials files (`--profile`). */
  readonly profile?: string;
  /** A role to assume in the one account to check (`--role-arn`). With `--accounts`/`--organization` use `roleName`. */
  readonly roleArn?: string;
  /** The role's name (a path allowed: `ops/EnaGuardAudit`) to assume in each listed account (`--role-name`, default {@link DEFAULT_ROLE_NAME}). */
  readonly roleName?: string;
  /** A file listing account ids, one per line, `#` comments (`--accounts FILE`). */
  readonly accountsFile?: string;
  /** The external id the roles require (`--external-id`). */
  readonly externalId?: string;
  /** Accounts from AWS Organizations (`--organization`): the ACTIVE accounts of ListAccounts. */
  readonly organization?: boolean;
  /** Regions to check (`--region`, repeatable); empty: the profile's default Region. */
  readonly regions: readonly string[];
  /** Every Region enabled for the account (`--all-regions`, from EC2 DescribeRegions of the first account). */
  readonly allRegions?: boolean;
  /** Account × Region pairs checked at once (`--concurrency`, default {@link DEFAULT_CONCURRENCY}). */
  readonly concurrency: number;
  /** Rule parameters (`--param`), as for a snapshot. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly log: Log;
  /** Progress for people: one event per target and rule (the CLI draws it on a terminal only). */
  readonly progress?: (event: EstateProgress) => void;
  readonly now: () => Date;
  /** The caller's credentials (default: the profile's, or the SDK's default chain). */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Endpoint overrides are read from here (default: process.env), as src/aws/clients.ts does. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export type EstateProgress =
  /** `position` of `targets`: the n-th account and Region pair started, of how many. */
  | { readonly kind: 'target-started'; readonly accountId: string; readonly region: string; readonly position: number; readonly targets: number }
  | { readonly kind: 'rule-finished'; readonly accountId: string; readonly region: string; readonly rule: string; readonly results: number }
  | { readonly kind: 'target-failed'; readonly accountId: string; readonly region: string; readonly error: string };

export interface TargetFailure {
  readonly accountId: string;
  readonly region: string;
  readonly error: string;
}

export interface EstateOutcome {
  readonly runs: readonly (RuleRun & { readonly accountId: string; readonly region: string })[];
  /** Targets that could not be checked at all (role not assumable, Region disabled…). */
  readonly failures: readonly TargetFailure[];
}

/** One account to check and how to reach it. */
interface AccountPlan {
  /** The id as listed (the role ARN's for `--role-arn`): names failures before STS has answered. */
  readonly listedId: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** Whose credentials, for messages. */
  readonly who: string;
}

/** @throws CredentialsError when no credentials work at all (nothing could be checked). */
export async function checkEstate(options: EstateOptions): Promise<EstateOutcome> {
  const env = options.env ?? process.env;
  validateOptions(options);
  const listed = options.accountsFile ? parseAccountsFile(await readAccountsFile(options.accountsFile), options.accountsFile) : undefined;
  // The Region of the STS, Organizations and DescribeRegions calls. --all-regions needs a Region only
  // to ask from: without a default it asks us-east-1.
  const home =
    options.regions[0] ??
    (await defaultRegion(options.profile).catch((error: unknown) => {
      if (options.allRegions) return 'us-east-1';
      throw error;
    }));
  validateParameters(options.parameters, home, options.now);

  const source = options.credentials ?? callerCredentials(options.profile);
  const callerWho = options.profile ? `the credentials of profile ${options.profile}` : 'the default credentials';
  const caller = await callerIdentity(createStsClient({ region: home, credentials: source, env }), home, callerWho);

  const assume = (roleArn: string): AwsCredentialIdentityProvider =>
    assumedRoleCredentials({ roleArn, ...(options.externalId ? { externalId: options.externalId } : {}), source, region: home, env });
  let plans: AccountPlan[];
  if (options.roleArn) {
    plans = [{ listedId: accountOfArn(options.roleArn), credentials: assume(options.roleArn), who: `the role ${options.roleArn}` }];
  } else if (listed || options.organization) {
    const ids = listed ?? (await organizationAccounts(source, home, env, callerWho));
    const roleName = options.roleName ?? DEFAULT_ROLE_NAME;
    plans = ids.map((id) => {
      if (id === caller.accountId) return { listedId: id, credentials: source, who: callerWho };
      const roleArn = roleArnFor(caller.partition, id, roleName);
      return { listedId: id, credentials: assume(roleArn), who: `the role ${roleArn}` };
    });
  } else {
    plans = [{ listedId: caller.accountId, credentials: source, who: callerWho }];
  }
  if (plans.length === 0) throw new EnaGuardError(options.organization ? 'AWS Organizations lists no ACTIVE account.' : `${options.accountsFile} lists no account.`);

  // Every account's id comes from STS, asked once per account with that account's credentials.
  const identities = new Map<AccountPlan, Promise<CallerIdentity>>();
  const identityOf = (plan: AccountPlan): Promise<CallerIdentity> => {
    let identity = identities.get(plan);
    if (!identity) {
      identity = plan.credentials === source ? Promise.resolve(caller) : callerIdentity(createStsClient({ region: home, credentials: plan.credentials, env }), home, plan.who);
      identities.set(plan, identity);
    }
    return identity;
  };

  const regions = options.regions.length > 0 ? [...options.regions] : options.allRegions ? await enabledRegions(plans[0]!, home, env) : [home];
  const limit = pLimit(Math.max(1, Math.floor(options.concurrency)));
  const runs: EstateOutcome['runs'][number][] = [];
  const failures: TargetFailure[] = [];
  const progress = options.progress ?? (() => {});
  const targets = plans.flatMap((plan) => regions.map((region) => ({ plan, region })));

  let started = 0;
  await Promise.all(
    targets.map(({ plan, region }) =>
      limit(async () => {
        started += 1;
        progress({ kind: 'target-started', accountId: plan.listedId, region, position: started, targets: targets.length });
        const fail = (accountId: string, error: string) => {
          failures.push({ accountId, region, error });
          progress({ kind: 'target-failed', accountId, region, error });
        };
        let accountId: string;
        try {
          accountId = (await identityOf(plan)).accountId;
        } catch (error) {
          fail(plan.listedId, (error as Error).message);
          return;
        }
        const sources = awsSources(createAwsClients({ region, credentials: plan.credentials, env }), options.now);
        let targetRuns: RuleRun[];
        try {
          targetRuns = await runAllChecks(sources, options.parameters, options.log, {
            accountId,
            onRun: (run) => progress({ kind: 'rule-finished', accountId, region, rule: run.ruleName, results: run.results.length }),
          });
        } catch (error) {
          // Sweeps report their own failures; an ena-guard or AWS error thrown past them stops this
          // target only. Anything else is a bug, and must not pass for an unreachable target.
          if (!(error instanceof EnaGuardError) && !isAwsFailure(error)) throw error;
          fail(accountId, `${accountId} in ${region} could not be checked: ${(error as Error).message}`);
          return;
        }
        // Every sweep failed before judging anything: the Region (or the account in it) could not be
        // reached at all, e.g. a Region not enabled for the account. One failure, not four.
        if (targetRuns.every((run) => run.error !== undefined && run.results.length === 0)) {
          fail(accountId, `${accountId} in ${region} could not be checked: ${(targetRuns[0]?.error as Error | undefined)?.message ?? 'no check ran'}`);
          return;
        }
        runs.push(...targetRuns.map((run) => ({ ...run, accountId, region })));
      }),
    ),
  );

  if (runs.length === 0) throw new CredentialsError(nothingChecked(failures, targets.length));
  return { runs: sortRuns(runs, plans, regions), failures };
}

/**
 * Parses an `--accounts` file: one 12-digit account id per line; blank lines and `#` comments
 * (whole-line or trailing) are ignored; duplicates are kept once.
 * @throws EnaGuardError naming the first malformed line.
 */
export function parseAccountsFile(text: string, file: string): string[] {
  const ids: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const content = line.replace(/#.*/, '').trim();
    if (content === '') continue;
    if (!/^\d{12}$/.test(content)) throw new EnaGuardError(`${file}, line ${index + 1}: ${JSON.stringify(content)} is not a 12-digit AWS account id.`);
    if (!ids.includes(content)) ids.push(content);
  }
  return ids;
}

function validateOptions(options: EstateOptions): void {
  const sources = [options.roleArn && '--role-arn', options.accountsFile && '--accounts', options.organization && '--organization'].filter(Boolean);
  if (sources.length > 1) {
    throw new EnaGuardError(`${sources.join(' and ')} cannot be combined: give one way to choose the accounts (with --accounts or --organization, --role-name names the role to assume).`);
  }
  if (options.roleName && !options.accountsFile && !options.organization) throw new EnaGuardError('--role-name goes with --accounts or --organization (for one role, use --role-arn).');
  if (options.roleArn) accountOfArn(options.roleArn);
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new EnaGuardError(`--concurrency must be a whole number of at least 1 (got ${options.concurrency}).`);
}

/** Refuses unknown `--param` keys and bad values before any AWS call, rather than once per target. */
function validateParameters(parameters: Readonly<Record<string, string>>, region: string, now: () => Date): void {
  // Binding makes no call: the clients are only built here.
  const specs = allChecks(awsSources(createAwsClients({ region }), now));
  const perRule = parametersPerRule(specs, parameters);
  for (const spec of specs) {
    const parsed = parseRuleParameters(spec.parameters, perRule.get(spec.name) ?? {});
    if (!parsed.ok) throw new InvalidRuleParametersError(`${spec.name}: ${parsed.message}`, parsed.parameters);
  }
}

async function readAccountsFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new EnaGuardError(`--accounts ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  }
}

/** The Region of the profile (or AWS_REGION / the default profile), as the SDK resolves it. */
export async function defaultRegion(profile?: string): Promise<string> {
  try {
    const region = await createStsClient(profile ? { profile } : {}).config.region();
    if (region) return region;
  } catch {
    // no Region configured anywhere: said below
  }
  throw new EnaGuardError(`No Region to check: pass --region, or set a region in ${profile ? `profile ${profile}` : 'AWS_REGION or the default profile'}.`);
}

/** The ACTIVE accounts of the organization, in ListAccounts' order. */
async function organizationAccounts(credentials: AwsCredentialIdentityProvider, region: string, env: Readonly<Record<string, string | undefined>>, who: string): Promise<string[]> {
  const client = createOrganizationsClient({ region, credentials, env });
  const ids: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        const state = (account as { State?: string }).State;
        if (account.Id && account.Status === 'ACTIVE' && (state === undefined || state === 'ACTIVE')) ids.push(account.Id);
      }
    }
  } catch (error) {
    throw new CredentialsError(`${credentialsProblem(error, who, region).replace(/\.$/, '')} (Organizations ListAccounts; --organization needs the management account or a delegated administrator).`, { cause: error });
  }
  return ids;
}

/** `--all-regions`: the Regions enabled for the first account (opted in, or needing no opt-in). */
async function enabledRegions(plan: AccountPlan, region: string, env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const ec2: EC2Client = createEc2Client({ region, credentials: plan.credentials, env });
  try {
    // DescribeRegions is not paginated: one answer lists every Region (without AllRegions, the enabled ones).
    const { Regions: found = [] } = await ec2.send(new DescribeRegionsCommand({}));
    return found
      .filter((entry) => entry.OptInStatus === undefined || entry.OptInStatus === 'opt-in-not-required' || entry.OptInStatus === 'opted-in')
      .flatMap((entry) => (entry.RegionName ? [entry.RegionName] : []))
      .sort();
  } catch (error) {
    throw new CredentialsError(`${credentialsProblem(error, plan.who, region).replace(/\.$/, '')} (EC2 DescribeRegions, for --all-regions).`, { cause: error });
  }
}

function accountOfArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new EnaGuardError(`--role-arn ${arn} is not a role ARN (arn:aws:iam::123456789012:role/NAME).`);
  return account;
}

/** The one sentence when no target could be checked. */
function nothingChecked(failures: readonly TargetFailure[], targets: number): string {
  const first = failures[0];
  if (!first) return 'Nothing could be checked.';
  const message = first.error.replace(/\.$/, '');
  if (targets === 1) return `${message}.`;
  const same = failures.every((failure) => failure.error === first.error);
  return same
    ? `None of the ${targets} account and Region pairs could be checked: ${message}.`
    : `None of the ${targets} account and Region pairs could be checked; the first, ${first.accountId} in ${first.region}: ${message}.`;
}

/** Targets finish in any order; reports list them as the accounts and Regions were given. */
function sortRuns<R extends { readonly accountId: string; readonly region: string }>(runs: R[], plans: readonly AccountPlan[], regions: readonly string[]): R[] {
  const accountOrder = (id: string) => {
    const index = plans.findIndex((plan) => plan.listedId === id);
    return index === -1 ? plans.length : index;
  };
  const indexed = runs.map((run, index) => ({ run, index }));
  indexed.sort((a, b) => accountOrder(a.run.accountId) - accountOrder(b.run.accountId) || regions.indexOf(a.run.region) - regions.indexOf(b.run.region) || a.index - b.index);
  return indexed.map(({ run }) => run);
}
