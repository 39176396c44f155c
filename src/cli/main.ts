/**
 * ena-guard command line, on commander. Machine output (the report) goes to stdout, or to the
 * file of `--output`; diagnostics go to stderr, one line each. Exit codes: src/cli/exit-codes.ts
 * (also in every command's help).
 *
 * `main` never exits the process: it returns the exit code, so tests drive it in-process, with
 * fakes for the AWS-facing modules through {@link CliDeps}.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { RULES } from '../../rules/registry.js';
import { silentLog, type Log } from '../engine/ports.js';
import { EnaGuardError, MissingSnapshotFileError, SnapshotError, describeError } from '../errors.js';
import { SNAPSHOT_FILES } from '../facts/snapshot-fleet-reader.js';
import { streamSnapshotArray } from '../facts/snapshot-array-stream.js';
import { snapshotSources } from '../facts/sources.js';
import * as z from 'zod';
import { readAggregator } from './aggregator.js';
import { colourEnabled } from './colour.js';
import { checkEstate, type EstateProgress, type TargetFailure } from './estate.js';
import { EXIT, FAIL_ON, exitCodeFor, exitCodesHelp, isAwsFailure, type ExitCode, type FailOn } from './exit-codes.js';
import { FINDINGS_SCHEMA_VERSION, countVerdicts, findingsOf, type Finding, type FindingsDocument, type RunRecord } from './findings.js';
import { OUTPUT_FORMATS, render, type OutputFormat } from './formats/index.js';
import { summaryLine } from './formats/table.js';
import { runAllChecks, type RuleRun } from './run-checks.js';
import { renderSimulation, simulateRunbook } from './simulate.js';
import { writeSnapshot } from './snapshot-writer.js';

export { EXIT } from './exit-codes.js';

export const DEMO_FLEET = fileURLToPath(new URL('../../examples/demo-fleet', import.meta.url));
/** The remediation the demo previews: ENA on the reporting database, whose guest has a driver. */
const DEMO_RUNBOOK = 'EnaGuard-EnableEnaSupport';
const DEMO_RUNBOOK_PARAMETERS = { InstanceId: 'i-0a11c0ffee0000003' };

/** The runbook that fixes each rule's NON_COMPLIANT findings, from the rule declarations. */
const RUNBOOKS: Readonly<Record<string, string>> = Object.fromEntries(RULES.flatMap((rule) => (rule.remediation ? [[rule.id, rule.remediation.document]] : [])));

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Progress for people, set only when stderr is a terminal (machine output stays clean). */
  readonly progress?: (text: string) => void;
  /**
   * The time of the run (default: the system clock): dates the facts, so exemption expiries are
   * compared with the day of the run, also for a snapshot exported earlier.
   */
  readonly now?: () => Date;
  /** NO_COLOR and FORCE_COLOR (default: none set). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (default false): the table is coloured only there. */
  readonly stdoutIsTTY?: boolean;
}

/** The modules that talk to AWS, replaceable in tests. */
export interface CliDeps {
  readonly checkEstate: typeof checkEstate;
  readonly writeSnapshot: typeof writeSnapshot;
  readonly readAggregator: typeof readAggregator;
}

const AWS_MODULES: CliDeps = { checkEstate, writeSnapshot, readAggregator };

/** Runs one command line; returns its exit code (src/cli/exit-codes.ts). */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = AWS_MODULES): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, deps, (result) => {
    code = result;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isAwsFailure(error)) {
      // Our own errors say what happened; the SDK's are clearer with their name (ExpiredTokenException: ...).
      io.stderr(`error: ${error instanceof EnaGuardError ? error.message : describeError(error)}`);
      return EXIT.aws;
    }
    if (error instanceof EnaGuardError) {
      io.stderr(`error: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** The version in package.json: beside dist/ when installed or built, two folders up from src/cli/ under tsx. */
function toolVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === 'ena-guard' && typeof manifest.version === 'string') return manifest.version;
  } catch {
    // A bundle copied out of its package: say so rather than fail.
  }
  return '0.0.0-unknown';
}

// ---------------------------------------------------------------------------------------------
// The command tree

function buildProgram(io: CliIo, deps: CliDeps, done: (code: ExitCode) => void): Command {
  const program = new Command('ena-guard')
    .description('Keep an AWS fleet on the Elastic Network Adapter: check instances, AMIs and launch templates, and preview the fixes.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.stdout(text.replace(/\n$/, '')),
      writeErr: (text) => io.stderr(text.replace(/\n$/, '')),
      outputError: (text, write) => write(text),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', `\n${exitCodesHelp()}`);

  const context = (command: Command) => ({ io, deps, command });

  program
    .command('demo')
    .description('evaluate the bundled demo fleet and preview one remediation (always exits 0 when it runs)')
    .addOption(formatOption())
    .addOption(paramOption())
    .addOption(new Option('--verbose', 'log progress to stderr'))
    .addOption(new Option('--no-color', 'never colour the table'))
    .addHelpText('after', `\n${exitCodesHelp([EXIT.ok, EXIT.usage])}`)
    .action(async (options: ReportOptions, command: Command) => done(await demoCommand(options, context(command))));

  const check = program
    .command('check')
    .description('evaluate a snapshot folder (aws ec2 describe-* exports) or live accounts')
    .addOption(new Option('--snapshot <dir>', 'a folder of AWS CLI JSON exports (see `ena-guard snapshot`)').conflicts(['live', ...LIVE_ONLY]))
    .addOption(new Option('--live', 'check live accounts with the current AWS credentials'))
    .addOption(new Option('--profile <name>', 'a profile of the shared AWS config and credentials files').helpGroup(LIVE))
    .addOption(new Option('--role-arn <arn>', 'a role to assume in the account to check').helpGroup(LIVE))
    .addOption(new Option('--role-name <name>', 'the role to assume in each account of --accounts or --organization').helpGroup(LIVE))
    .addOption(new Option('--accounts <file>', 'a file of account ids, one per line (# starts a comment)').conflicts('organization').helpGroup(LIVE))
    .addOption(new Option('--external-id <id>', 'the external id the roles require').helpGroup(LIVE))
    .addOption(new Option('--organization', 'every account of the AWS Organizations organization').helpGroup(LIVE))
    .addOption(repeatable(new Option('--region <region>', 'a Region to check (repeatable; default: the profile\'s Region)').conflicts('allRegions').helpGroup(LIVE)))
    .addOption(new Option('--all-regions', 'every Region enabled for each account').helpGroup(LIVE))
    .addOption(new Option('--concurrency <n>', 'account and Region pairs checked at once, 1 to 32').argParser(integerFrom(1, 32)).default(4).helpGroup(LIVE));
  addReportOptions(check)
    .addOption(paramOption())
    .addOption(new Option('--verbose', 'log progress to stderr'))
    .addHelpText('after', `\n${exitCodesHelp([EXIT.ok, EXIT.usage, EXIT.nonCompliant, EXIT.incomplete, EXIT.aws])}`)
    .action(async (options: CheckOptions, command: Command) => done(await checkCommand(options, context(command))));

  program
    .command('snapshot')
    .description('export a live account to a folder that `check --snapshot` reads (the files the AWS CLI would write)')
    .requiredOption('--out <dir>', 'the folder to write')
    .option('--profile <name>', 'a profile of the shared AWS config and credentials files')
    .option('--region <region>', "the Region to export (default: the profile's Region)")
    .addHelpText('after', `\n${exitCodesHelp([EXIT.ok, EXIT.usage, EXIT.aws])}`)
    .action(async (options: SnapshotCommandOptions) => done(await snapshotCommand(options, io, deps)));

  const report = program
    .command('report')
    .description("read an organization's ena-guard results from an AWS Config aggregator (no re-scan)")
    .requiredOption('--aggregator <name>', 'the configuration aggregator')
    .option('--profile <name>', 'a profile of the shared AWS config and credentials files')
    .option('--region <region>', "the aggregator's Region (default: the profile's Region)")
    .option('--name-prefix <prefix>', 'the prefix of the deployed rule names (default: none)');
  addReportOptions(report)
    .addHelpText('after', `\n${exitCodesHelp([EXIT.ok, EXIT.usage, EXIT.nonCompliant, EXIT.incomplete, EXIT.aws])}`)
    .action(async (options: ReportCommandOptions, command: Command) => done(await reportCommand(options, context(command))));

  program
    .command('simulate')
    .description('run a runbook of automation-docs/ against a snapshot, in the simulator (nothing in AWS is called)')
    .usage('RUNBOOK --snapshot <dir> [--param KEY=VALUE...] [options]')
    .argument('[runbook]', 'a runbook name (EnaGuard-EnableEnaSupport) or a file')
    .requiredOption('--snapshot <dir>', 'the snapshot folder the simulated account is built from')
    .addOption(paramOption('a runbook parameter, KEY=VALUE (repeatable)'))
    .addOption(repeatable(new Option('--fault <spec>', 'a fault to inject: STEP, SERVICE:Api, SERVICE:Api=ErrorCode or SERVICE:Api#N=ErrorCode (repeatable)')))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', `\n${exitCodesHelp([EXIT.ok, EXIT.usage, EXIT.simulationFailed])}`)
    .action(async (runbook: string | undefined, options: SimulateOptions, command: Command) => done(await simulateCommand(runbook, options, context(command))));

  return program;
}

/** Flags that only mean something with `--live`: refused with `--snapshot` instead of ignored. */
const LIVE_ONLY = ['profile', 'roleArn', 'roleName', 'accounts', 'externalId', 'organization', 'region', 'allRegions', 'concurrency'];
const LIVE = 'Live options:';

interface ReportOptions {
  readonly format: OutputFormat;
  readonly param?: readonly string[];
  readonly output?: string;
  readonly failOn?: FailOn;
  readonly verbose?: boolean;
  readonly color: boolean;
}

interface CheckOptions extends ReportOptions {
  readonly snapshot?: string;
  readonly live?: boolean;
  readonly profile?: string;
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly accounts?: string;
  readonly externalId?: string;
  readonly organization?: boolean;
  readonly region?: readonly string[];
  readonly allRegions?: boolean;
  readonly concurrency: number;
}

interface SnapshotCommandOptions {
  readonly out: string;
  readonly profile?: string;
  readonly region?: string;
}

interface ReportCommandOptions extends ReportOptions {
  readonly aggregator: string;
  readonly profile?: string;
  readonly region?: string;
  readonly namePrefix?: string;
}

interface SimulateOptions {
  readonly snapshot: string;
  readonly param?: readonly string[];
  readonly fault?: readonly string[];
  readonly format: 'table' | 'json';
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('table');
}

function addReportOptions(command: Command): Command {
  return command
    .addOption(formatOption())
    .addOption(new Option('--output <file>', 'write the report to a file; stdout then gets only the summary line'))
    .addOption(new Option('--fail-on <what>', 'what fails the run: any (findings or an incomplete run), non-compliant (findings only), none').choices(FAIL_ON).default('any'))
    .addOption(new Option('--no-color', 'never colour the table (also NO_COLOR=1)'));
}

function paramOption(description = 'a rule parameter, as in the Config rule\'s InputParameters; RULE.KEY=VALUE for one rule (repeatable)'): Option {
  return new Option('--param <key=value>', description).argParser((value: string, previous: string[] | undefined) => {
    if (value.indexOf('=') <= 0) throw new InvalidArgumentError('Expected KEY=VALUE.');
    return [...(previous ?? []), value];
  });
}

function repeatable(option: Option): Option {
  return option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

function integerFrom(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new InvalidArgumentError(`Expected an integer from ${min} to ${max}.`);
    return number;
  };
}

/** A usage error found after parsing: printed like commander's own (one line on stderr, exit 1). */
function usageError(command: Command, message: string): never {
  return command.error(`error: ${message}`, { exitCode: EXIT.usage, code: 'ena-guard.usage' });
}

function parseParams(pairs: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

// ---------------------------------------------------------------------------------------------
// The commands

interface Context {
  readonly io: CliIo;
  readonly deps: CliDeps;
  readonly command: Command;
}

async function demoCommand(options: ReportOptions, { io }: Context): Promise<ExitCode> {
  const now = io.now ?? (() => new Date());
  const document = await snapshotDocument(DEMO_FLEET, parseParams(options.param), now, logFor(options, io), io);
  await emit(document, [], { ...options, failOn: 'none' }, io);
  if (options.format === 'table') io.stdout(`\n${renderSimulation(await simulateRunbook(DEMO_RUNBOOK, DEMO_FLEET, DEMO_RUNBOOK_PARAMETERS))}`);
  return EXIT.ok;
}

async function checkCommand(options: CheckOptions, { io, deps, command }: Context): Promise<ExitCode> {
  if (!options.snapshot && !options.live) return usageError(command, 'check needs --snapshot DIR (a folder of aws ec2 describe-* JSON exports) or --live');
  const now = io.now ?? (() => new Date());
  const parameters = parseParams(options.param);
  const log = logFor(options, io);
  if (options.snapshot) return emit(await snapshotDocument(options.snapshot, parameters, now, log, io), [], options, io);

  const generatedAt = now();
  const outcome = await deps.checkEstate({
    profile: options.profile,
    roleArn: options.roleArn,
    roleName: options.roleName,
    accountsFile: options.accounts,
    externalId: options.externalId,
    organization: options.organization,
    regions: options.region ?? [],
    allRegions: options.allRegions,
    concurrency: options.concurrency,
    parameters,
    log,
    ...(io.progress ? { progress: (event: EstateProgress) => io.progress?.(describeProgress(event)) } : {}),
    now,
  });
  if (outcome.runs.length === 0 && outcome.failures.length > 0) {
    for (const line of failureLines(outcome.failures)) io.stderr(line);
    io.stderr('error: no account and Region could be checked');
    return EXIT.aws;
  }
  const failedRuns = outcome.failures.flatMap((failure) =>
    RULES.map((rule): RunRecord => ({ rule: rule.id, accountId: failure.accountId, region: failure.region, complete: false, error: failure.error })),
  );
  const document = documentOf(outcome.runs, { kind: 'live' }, generatedAt, failedRuns);
  return emit(document, outcome.failures, options, io);
}

async function snapshotCommand(options: SnapshotCommandOptions, io: CliIo, deps: CliDeps): Promise<ExitCode> {
  const written = await deps.writeSnapshot({
    out: options.out,
    profile: options.profile,
    region: options.region,
    ...(io.progress ? { progress: io.progress } : {}),
  });
  io.stdout(`Wrote ${written.files.length} files to ${options.out} (account ${written.accountId}, ${written.region}).`);
  return EXIT.ok;
}

async function reportCommand(options: ReportCommandOptions, { io, deps }: Context): Promise<ExitCode> {
  const generatedAt = (io.now ?? (() => new Date()))();
  const { findings, runs } = await deps.readAggregator({ name: options.aggregator, profile: options.profile, region: options.region, namePrefix: options.namePrefix });
  return emit(documentFrom(findings, runs, { kind: 'aggregator', name: options.aggregator }, generatedAt), [], options, io);
}

async function simulateCommand(runbook: string | undefined, options: SimulateOptions, { io, command }: Context): Promise<ExitCode> {
  if (!runbook) return usageError(command, 'simulate needs a runbook, e.g. ena-guard simulate EnaGuard-EnableEnaSupport --snapshot DIR --param InstanceId=i-...');
  const report = await simulateRunbook(runbook, options.snapshot, parseParams(options.param), { faults: options.fault ?? [] });
  io.stdout(options.format === 'json' ? JSON.stringify({ ...report.result, changes: report.changes, assumptions: report.assumptions, faults: report.faults }, null, 2) : renderSimulation(report));
  return report.result.status === 'Success' ? EXIT.ok : EXIT.simulationFailed;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/**
 * Runs every check over a snapshot folder. A broken snapshot file is bad input, not a partial
 * result: it is thrown (exit 1, the file named). A missing file only stops the checks that need
 * it, unless no check could run at all.
 */
async function snapshotDocument(directory: string, parameters: Readonly<Record<string, string>>, now: () => Date, log: Log, io: CliIo): Promise<FindingsDocument> {
  const generatedAt = now();
  const runs = await runAllChecks(snapshotSources(directory, now), parameters, log, { onStart: (rule) => io.progress?.(`  ${rule}`) });
  const broken = runs.find((run) => run.error instanceof SnapshotError && !(run.error instanceof MissingSnapshotFileError));
  if (broken) throw broken.error;
  if (runs.every((run) => run.error !== undefined)) throw runs[0]?.error;
  const { accountId, region } = await snapshotLocation(directory);
  return documentOf(
    runs.map((run) => ({ ...run, accountId, region })),
    { kind: 'snapshot', path: directory },
    generatedAt,
  );
}

const StopReading = Symbol('enough read');
const firstReservation = {
  key: 'Reservations',
  element: z.looseObject({
    OwnerId: z.string().optional(),
    Instances: z.array(z.looseObject({ Placement: z.looseObject({ AvailabilityZone: z.string().optional() }).optional() })).optional(),
  }),
};

/**
 * The Region of an Availability Zone name: `eu-west-1a`, `us-gov-west-1b`, the Local Zone
 * `us-west-2-lax-1a` and the Wavelength Zone `us-east-1-wl1-bos-wlz-1` all begin with their parent
 * Region's code. '' for anything else.
 */
export function regionOfZone(zone: string | undefined): string {
  return /^([a-z]{2}(?:-[a-z]+)+-\d+)(?:[a-z]$|-)/.exec(zone ?? '')?.[1] ?? '';
}

/**
 * Where a snapshot was taken: the OwnerId of its first reservation and the Region of that
 * reservation's instances (AWS CLI exports carry both), else ''.
 */
async function snapshotLocation(directory: string): Promise<{ accountId: string; region: string }> {
  let location = { accountId: '', region: '' };
  try {
    await streamSnapshotArray(directory, SNAPSHOT_FILES.instances, firstReservation, (reservation) => {
      location = { accountId: reservation.OwnerId ?? '', region: regionOfZone(reservation.Instances?.[0]?.Placement?.AvailabilityZone) };
      // The first reservation answers: stop parsing what may be a very large file.
      throw StopReading;
    });
  } catch (error) {
    if (error !== StopReading) return { accountId: '', region: '' };
  }
  return location;
}

// ---------------------------------------------------------------------------------------------
// The report

type LocatedRun = RuleRun & { readonly accountId: string; readonly region: string };

function documentOf(runs: readonly LocatedRun[], source: FindingsDocument['source'], generatedAt: Date, extraRuns: readonly RunRecord[] = []): FindingsDocument {
  const records = runs.map((run): RunRecord => ({
    rule: run.ruleName,
    accountId: run.accountId,
    region: run.region,
    complete: run.complete,
    ...(run.complete ? {} : { error: describeError(run.error) }),
  }));
  return documentFrom(findingsOf(runs, RUNBOOKS), [...records, ...extraRuns], source, generatedAt);
}

function documentFrom(findings: readonly Finding[], runs: readonly RunRecord[], source: FindingsDocument['source'], generatedAt: Date): FindingsDocument {
  return {
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: 'ena-guard', version: toolVersion() },
    generatedAt: generatedAt.toISOString(),
    source,
    summary: countVerdicts(findings),
    runs,
    findings,
  };
}

/**
 * Writes the report (stdout, or `--output`), one stderr line for each check that did not complete
 * or could not judge something, and returns the exit code.
 */
async function emit(document: FindingsDocument, failures: readonly TargetFailure[], options: ReportOptions, io: CliIo): Promise<ExitCode> {
  const toFile = options.output !== undefined;
  const colour = !toFile && colourEnabled({ flag: options.color, env: io.env ?? {}, isTTY: io.stdoutIsTTY ?? false });
  const text = render(document, options.format, { colour });
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, `${text}\n`);
    } catch (error) {
      throw new EnaGuardError(`--output ${options.output}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`, { cause: error });
    }
    io.stdout(`${summaryLine(document)} (report written to ${options.output})`);
  } else {
    io.stdout(text);
  }
  const problems = [...failureLines(failures), ...problemLines(document, failures)];
  for (const line of problems) io.stderr(line);
  const failOn = options.failOn ?? 'any';
  const code = exitCodeFor({ nonCompliant: document.summary.NON_COMPLIANT, incomplete: problems.length > 0 }, failOn);
  if (problems.length > 0 && code === EXIT.ok && failOn !== 'none') io.stderr(`warning: the run is incomplete (see above); --fail-on ${failOn} exits 0 for it`);
  return code;
}

function failureLines(failures: readonly TargetFailure[]): string[] {
  return failures.map((failure) => `${failure.accountId || 'unknown account'} ${failure.region || 'default Region'}: could not be checked: ${failure.error}`);
}

/**
 * One line per check (per account and Region) that did not complete or left resources not
 * judged, with why: the most common reason, and how many resources it concerns.
 */
export function problemLines(document: Pick<FindingsDocument, 'runs' | 'findings' | 'source'>, failures: readonly TargetFailure[] = []): string[] {
  const keyOf = (item: { rule: string; accountId: string; region: string }) => `${item.rule}\u0000${item.accountId}\u0000${item.region}`;
  const failed = new Set(failures.map((failure) => `${failure.accountId}\u0000${failure.region}`));
  const groups = new Map<string, { total: number; unjudged: Finding[] }>();
  for (const finding of document.findings) {
    const group = groups.get(keyOf(finding)) ?? { total: 0, unjudged: [] };
    group.total += 1;
    if (finding.verdict === 'NOT_JUDGED') group.unjudged.push(finding);
    groups.set(keyOf(finding), group);
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  // A snapshot is one account and Region: its lines name the rule alone.
  const located = (item: { rule: string; accountId: string; region: string }) =>
    item.region && document.source.kind !== 'snapshot' ? `${item.rule} (${item.accountId || 'unknown account'} ${item.region})` : item.rule;
  for (const run of document.runs) {
    const key = keyOf(run);
    if (seen.has(key) || failed.has(`${run.accountId}\u0000${run.region}`)) continue;
    seen.add(key);
    const group = groups.get(key);
    const unjudged = group && group.unjudged.length > 0 ? unjudgedText(group.unjudged, group.total) : '';
    if (!run.complete) lines.push(`${located(run)}: did not complete: ${run.error ?? 'unknown reason'}${unjudged ? `; ${unjudged}` : ''}`);
    else if (unjudged) lines.push(`${located(run)}: ${unjudged}`);
  }
  // Findings of a rule the runs do not list (an aggregator that returns no run record).
  for (const [key, group] of groups) {
    if (seen.has(key) || group.unjudged.length === 0) continue;
    lines.push(`${located(group.unjudged[0]!)}: ${unjudgedText(group.unjudged, group.total)}`);
  }
  return lines;
}

function unjudgedText(unjudged: readonly Finding[], total: number): string {
  const byReason = new Map<string, Finding[]>();
  for (const finding of unjudged) byReason.set(finding.annotation, [...(byReason.get(finding.annotation) ?? []), finding]);
  const [reason, concerned] = [...byReason].sort((a, b) => b[1].length - a[1].length)[0]!;
  const count = `${unjudged.length} of ${total} ${total === 1 ? 'resource' : 'resources'} not judged`;
  if (concerned.length === unjudged.length) return `${count}: ${reason}${unjudged.length === 1 ? ` (${concerned[0]!.resourceId})` : ''}`;
  return `${count}, e.g. ${concerned[0]!.resourceId}: ${reason} (${byReason.size} different reasons; see the report)`;
}

function describeProgress(event: EstateProgress): string {
  const target = `${event.accountId} ${event.region}`;
  switch (event.kind) {
    case 'target-started':
      return `[${event.position}/${event.targets}] Checking ${target}...`;
    case 'rule-finished':
      return `  ${target} ${event.rule}: ${event.results} results`;
    case 'target-failed':
      return `  ${target}: failed: ${event.error}`;
  }
}

function logFor(options: { readonly verbose?: boolean }, io: CliIo): Log {
  if (!options.verbose) return silentLog;
  const write = (level: string) => (message: string, ...extra: Record<string, unknown>[]) =>
    io.stderr(`${level} ${message}${extra.length > 0 ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Runs the command on this process's arguments and streams, and sets its exit code (src/cli/bin.ts). */
/** @param run the command (main; a test passes one that fails). */
export async function runFromProcess(run: typeof main = main): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(`${text}\n`),
      stderr: (text) => process.stderr.write(`${text}\n`),
      ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`${text}\n`) } : {}),
      env: process.env,
      stdoutIsTTY: process.stdout.isTTY === true,
    });
  } catch (error) {
    // main() answers every expected failure with its code; what reaches here is a bug.
    process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}
