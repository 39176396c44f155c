/**
 * The CLI's exit codes: one table, from which the `EXIT` constants, every command's help and the
 * README's table are taken, and the one function that turns what a run found into a code. CI
 * gates branch on these numbers, so a code never changes meaning.
 */
import { CredentialsError, SnapshotError } from '../errors.js';

export const EXIT_CODES = [
  { code: 0, key: 'ok', meaning: 'ran, with nothing to fail on: every check complete and every resource COMPLIANT or NOT_APPLICABLE (or only what --fail-on lets pass); simulate: the runbook succeeded' },
  { code: 1, key: 'usage', meaning: 'usage or input error (a bad flag or value, an unreadable snapshot file): one message on stderr' },
  { code: 2, key: 'nonCompliant', meaning: 'ran and found NON_COMPLIANT resources' },
  { code: 3, key: 'incomplete', meaning: 'ran but incomplete: a check or a target could not run, or resources were not judged (and none NON_COMPLIANT)' },
  { code: 4, key: 'simulationFailed', meaning: 'simulate: the simulated runbook did not succeed (refused or failed)' },
  { code: 5, key: 'aws', meaning: 'credentials or AWS error: no usable credentials, AWS refused them, or no target could be reached' },
  // EX_SOFTWARE of sysexits.h: far from the codes a gate branches on, so a crash never reads as a finding.
  { code: 70, key: 'internal', meaning: 'internal error: a bug in ena-guard (the stack trace is on stderr); please report it' },
] as const;

type ExitEntry = (typeof EXIT_CODES)[number];
export type ExitCode = ExitEntry['code'];

/** The codes by name: `EXIT.nonCompliant` is 2. */
export const EXIT = Object.fromEntries(EXIT_CODES.map((entry) => [entry.key, entry.code])) as { readonly [E in ExitEntry as E['key']]: E['code'] };

/** What `--fail-on` accepts; `any` is the default. */
export const FAIL_ON = ['any', 'non-compliant', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** What a finished run found, as far as its exit code is concerned. */
export interface RunOutcome {
  readonly nonCompliant: number;
  /** A check or a target did not complete, or a resource was not judged. */
  readonly incomplete: boolean;
}

/**
 * The exit code of a run that ran. `--fail-on any` fails on findings (2) and on an incomplete run
 * (3); `non-compliant` only on findings; `none` never.
 */
export function exitCodeFor(outcome: RunOutcome, failOn: FailOn = 'any'): ExitCode {
  if (failOn === 'none') return EXIT.ok;
  if (outcome.nonCompliant > 0) return EXIT.nonCompliant;
  return outcome.incomplete && failOn === 'any' ? EXIT.incomplete : EXIT.ok;
}

/** Network failures that mean AWS could not be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error that ended a command is AWS's (exit 5): our CredentialsError, the SDK's
 * credential-provider failure, a service exception (the SDK marks them with `$metadata` and
 * `$fault`, which is how its own `ServiceException.isInstance` tells them), an endpoint that
 * cannot be reached, or an error caused by one of these (a fact source that wraps the SDK's
 * error). A snapshot error is bad input, whatever its cause.
 */
export function isAwsFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || error instanceof SnapshotError || depth > 8) return false;
  if (error instanceof CredentialsError) return true;
  const candidate = error as { name?: unknown; code?: unknown; $metadata?: unknown; $fault?: unknown; cause?: unknown };
  if (candidate.name === 'CredentialsProviderError' || candidate.name === 'TimeoutError') return true;
  if (typeof candidate.$metadata === 'object' && (candidate.$fault === 'client' || candidate.$fault === 'server')) return true;
  if (typeof candidate.code === 'string' && UNREACHABLE.has(candidate.code)) return true;
  return isAwsFailure(candidate.cause, depth + 1);
}

/**
 * The exit-code table for `--help`, generated from {@link EXIT_CODES}: the codes a command can
 * return, wrapped to commander's 80 columns.
 */
export function exitCodesHelp(codes: readonly ExitCode[] = EXIT_CODES.map((entry) => entry.code)): string {
  const lines = EXIT_CODES.filter((entry) => codes.includes(entry.code)).flatMap((entry) => wrap(entry.meaning, 80 - 5).map((line, index) => `${index === 0 ? `  ${entry.code}  ` : '     '}${line}`));
  return ['Exit codes:', ...lines].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The exit-code table as Markdown (README's CLI section). */
export function exitCodesMarkdown(): string {
  return ['| Code | Meaning |', '| ---: | --- |', ...EXIT_CODES.map((entry) => `| ${entry.code} | ${entry.meaning} |`)].join('\n');
}
