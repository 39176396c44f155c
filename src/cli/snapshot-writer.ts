/**
 * `ena-guard snapshot --out DIR`: exports a live account in exactly the shapes the AWS CLI prints
 * (the files `check --snapshot` reads), inventory and associations included, so that live ->
 * snapshot -> offline gives identical findings. CONTRACT: the body is being written; the
 * signature is fixed.
 */
import { EnaGuardError } from '../errors.js';

export interface SnapshotOptions {
  readonly out: string;
  readonly profile?: string;
  readonly region?: string;
  readonly progress?: (text: string) => void;
}

/** @returns the files written, relative to `out`. @throws CredentialsError when AWS refuses the credentials. */
export async function writeSnapshot(options: SnapshotOptions): Promise<{ readonly files: readonly string[]; readonly accountId: string; readonly region: string }> {
  void options;
  throw new EnaGuardError('writeSnapshot: not built yet');
}
