/**
 * Live checks across an estate: the accounts (the current credentials' own, `--role-arn`, an
 * `--accounts` file, or `--organization`) times the Regions (`--region`, or `--all-regions`),
 * run with bounded concurrency; each account's id from STS; every failure attributed to its
 * account and Region. CONTRACT: the body is being written; the signature is fixed.
 */
import type { Log } from '../engine/ports.js';
import { EnaGuardError } from '../errors.js';
import type { RuleRun } from './run-checks.js';

export interface EstateOptions {
  /** A named profile of the shared config/credentials files (`--profile`). */
  readonly profile?: string;
  /** A role to assume in the one account to check (`--role-arn`), or the role name/path pattern with `--accounts`/`--organization`. */
  readonly roleArn?: string;
  /** The role's name to assume in each listed account (`--role-name`, default OrganizationAccountAccessRole? decided by the implementation, stated in help). */
  readonly roleName?: string;
  /** A file listing account ids, one per line, `#` comments (`--accounts FILE`). */
  readonly accountsFile?: string;
  /** The external id the roles require (`--external-id`). */
  readonly externalId?: string;
  /** Accounts from AWS Organizations (`--organization`). */
  readonly organization?: boolean;
  /** Regions to check (`--region`, repeatable); empty: the profile's default Region. */
  readonly regions: readonly string[];
  /** Every Region enabled for the account (`--all-regions`, from EC2 DescribeRegions). */
  readonly allRegions?: boolean;
  /** Account × Region pairs checked at once (`--concurrency`, default 4). */
  readonly concurrency: number;
  /** Rule parameters (`--param`), as for a snapshot. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly log: Log;
  /** Progress for people: one event per target and rule (the CLI draws it on a terminal only). */
  readonly progress?: (event: EstateProgress) => void;
  readonly now: () => Date;
}

export type EstateProgress =
  | { readonly kind: 'target-started'; readonly accountId: string; readonly region: string }
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

/** @throws CredentialsError when no credentials work at all (nothing could be checked). */
export async function checkEstate(options: EstateOptions): Promise<EstateOutcome> {
  void options;
  throw new EnaGuardError('checkEstate: not built yet');
}
