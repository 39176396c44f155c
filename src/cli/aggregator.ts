/**
 * `ena-guard report --aggregator NAME`: an organization's ena-guard results read back from an AWS
 * Config aggregator (GetAggregateComplianceDetailsByConfigRule), as findings: no re-scan.
 * CONTRACT: the body is being written; the signature is fixed.
 */
import { EnaGuardError } from '../errors.js';
import type { Finding, RunRecord } from './findings.js';

export interface AggregatorOptions {
  readonly name: string;
  readonly profile?: string;
  readonly region?: string;
  /** Deployed rule names to read (default: every rule id, with `namePrefix` before it). */
  readonly namePrefix?: string;
}

/** @throws CredentialsError when AWS refuses the credentials. */
export async function readAggregator(options: AggregatorOptions): Promise<{ readonly findings: readonly Finding[]; readonly runs: readonly RunRecord[] }> {
  void options;
  throw new EnaGuardError('readAggregator: not built yet');
}
