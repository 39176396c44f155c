/**
 * ena-guard command line. Machine output goes to stdout, diagnostics to stderr.
 *
 * Exit codes: 0 ran and everything judged is compliant (or `demo`); 1 bad usage or input
 * (message on stderr); 2 ran and found NON_COMPLIANT resources; 3 ran but some resources could
 * not be judged (and none was NON_COMPLIANT); 4 `simulate` ran and the simulated runbook did not
 * succeed.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allChecks } from '../checks/index.js';
import { silentLog, type Log } from '../engine/ports.js';
import { EnaGuardError, MissingSnapshotFileError, SnapshotError, describeError } from '../errors.js';
import { createAwsClients } from '../aws/clients.js';
import { awsSources, snapshotSources, type FactSources } from '../facts/sources.js';
import { countVerdicts, renderCsv, renderJson, renderTable, toRows } from './report.js';
import { parametersPerRule, runCheck, type RuleRun } from './run-checks.js';
import { renderSimulation, simulateRunbook } from './simulate.js';

export const EXIT = { ok: 0, usage: 1, nonCompliant: 2, notJudged: 3, simulationFailed: 4 } as const;

const USAGE = `Usage:
  ena-guard demo                                   evaluate the bundled demo fleet
  ena-guard check --snapshot DIR [options]         evaluate a folder of aws ec2 describe-* exports
  ena-guard check --live [--region R ...]          evaluate the account of the current credentials
  ena-guard simulate RUNBOOK --snapshot DIR --param InstanceId=i-...
                                                   run a runbook of automation-docs/ in the simulator

Options:
  --format table|json|csv   output format (default table)
  --param KEY=VALUE         a rule parameter, as in the Config rule's InputParameters (repeatable);
                            RULE.KEY=VALUE sets it for one rule only
  --verbose                 log progress to stderr`;

export const DEMO_FLEET = fileURLToPath(new URL('../../examples/demo-fleet', import.meta.url));
/** The remediation the demo previews: ENA on the reporting database, whose guest has a driver. */
const DEMO_RUNBOOK = 'EnaGuard-EnableEnaSupport';
const DEMO_RUNBOOK_PARAMETERS = { InstanceId: 'i-0a11c0ffee0000003' };

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
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        snapshot: { type: 'string' },
        live: { type: 'boolean', default: false },
        region: { type: 'string', multiple: true, default: [] },
        format: { type: 'string', default: 'table' },
        param: { type: 'string', multiple: true, default: [] },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    (values.help ? io.stdout : io.stderr)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!['table', 'json', 'csv'].includes(values.format)) {
    io.stderr(`--format must be table, json or csv (got ${values.format}).`);
    return EXIT.usage;
  }

  const snapshot = command === 'demo' ? DEMO_FLEET : values.snapshot;
  if (command !== 'demo' && command !== 'check' && command !== 'simulate') {
    io.stderr(`Unknown command ${command}.\n\n${USAGE}`);
    return EXIT.usage;
  }
  const live = command === 'check' && values.live;
  if (live && snapshot) {
    io.stderr('check takes either --snapshot DIR or --live, not both.');
    return EXIT.usage;
  }
  if (!snapshot && !live) {
    io.stderr(`${command} needs --snapshot DIR (a folder of aws ec2 describe-* JSON exports)${command === 'check' ? ' or --live' : ''}.`);
    return EXIT.usage;
  }

  const log: Log = values.verbose ? stderrLog(io) : silentLog;
  try {
    const parameters = parseParams(values.param);
    if (command === 'simulate') return await simulateCommand(positionals[1], snapshot ?? '', parameters, values.format, io);
    const regions = live ? (values.region.length > 0 ? values.region : [undefined]) : [];
    const runs = await collectRuns({ snapshot, regions, parameters, log, progress: io.progress ?? (() => {}), now: io.now ?? (() => new Date()) });
    const rows = toRows(runs);
    const render = { table: renderTable, json: renderJson, csv: renderCsv }[values.format as 'table' | 'json' | 'csv'];
    io.stdout(render(rows));
    if (command === 'demo' && values.format === 'table') io.stdout(`\n${renderSimulation(await simulateRunbook(DEMO_RUNBOOK, DEMO_FLEET, DEMO_RUNBOOK_PARAMETERS))}`);
    for (const run of runs.filter((candidate) => !candidate.complete)) {
      io.stderr(`${run.ruleName}: the sweep did not complete: ${describeError(run.error)}`);
    }
    return command === 'demo' ? EXIT.ok : exitCodeFor(rows, runs);
  } catch (error) {
    if (error instanceof EnaGuardError) {
      io.stderr(error.message);
      return EXIT.usage;
    }
    throw error;
  }
}

async function simulateCommand(
  runbook: string | undefined,
  snapshot: string,
  parameters: Readonly<Record<string, string>>,
  format: string,
  io: CliIo,
): Promise<number> {
  if (!runbook) throw new EnaGuardError('simulate needs a runbook, e.g. ena-guard simulate EnaGuard-EnableEnaSupport --snapshot DIR --param InstanceId=i-...');
  const report = await simulateRunbook(runbook, snapshot, parameters);
  io.stdout(format === 'json' ? JSON.stringify({ ...report.result, changes: report.changes, assumptions: report.assumptions }, null, 2) : renderSimulation(report));
  return report.result.status === 'Success' ? EXIT.ok : EXIT.simulationFailed;
}

interface RunRequest {
  /** A snapshot folder, or undefined for a live account. */
  readonly snapshot: string | undefined;
  /** Live mode: the Regions to sweep (undefined = the SDK's default Region). */
  readonly regions: readonly (string | undefined)[];
  readonly parameters: Readonly<Record<string, string>>;
  readonly log: Log;
  readonly progress: (text: string) => void;
  readonly now: () => Date;
}

/** Runs every check over a snapshot, or over each Region of the live account. */
async function collectRuns({ snapshot, regions, parameters, log, progress, now }: RunRequest): Promise<RuleRun[]> {
  const runs: RuleRun[] = [];
  if (snapshot === undefined) {
    // One pass per Region, with the credentials and account of the environment (AWS_PROFILE...).
    for (const region of regions) {
      progress(`Checking ${region ?? 'the default Region'}...`);
      const sources = awsSources(createAwsClients(region ? { region } : {}), now);
      runs.push(...(await runAllChecks(sources, parameters, log, progress)).map((run) => ({ ...run, region: region ?? '' })));
    }
    return runs;
  }
  runs.push(...(await runAllChecks(snapshotSources(snapshot, now), parameters, log, progress)));
  // A broken snapshot file is bad input, not a partial result: say what is wrong and stop. A
  // missing file only stops the checks that need it, unless no check could run at all.
  const broken = runs.find((run) => run.error instanceof SnapshotError && !(run.error instanceof MissingSnapshotFileError));
  if (broken) throw broken.error;
  if (runs.every((run) => run.error !== undefined)) throw runs[0]?.error;
  return runs;
}

function exitCodeFor(rows: ReturnType<typeof toRows>, runs: readonly RuleRun[]): number {
  const counts = countVerdicts(rows);
  if (counts.NON_COMPLIANT > 0) return EXIT.nonCompliant;
  return counts.NOT_JUDGED > 0 || runs.some((run) => !run.complete) ? EXIT.notJudged : EXIT.ok;
}

export async function runAllChecks(
  sources: FactSources,
  parameters: Readonly<Record<string, string>>,
  log: Log,
  progress: (text: string) => void = () => {},
): Promise<RuleRun[]> {
  const specs = allChecks(sources);
  const perRule = parametersPerRule(specs, parameters);
  const runs: RuleRun[] = [];
  for (const spec of specs) {
    progress(`  ${spec.name}`);
    runs.push(await runCheck(spec, perRule.get(spec.name) ?? {}, log));
  }
  return runs;
}

function parseParams(pairs: readonly string[]): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new EnaGuardError(`--param must be KEY=VALUE (got ${JSON.stringify(pair)}).`);
    parameters[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return parameters;
}

function stderrLog(io: CliIo): Log {
  const write = (level: string) => (message: string, ...extra: Record<string, unknown>[]) =>
    io.stderr(`${level} ${message}${extra.length > 0 ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Runs the command on this process's arguments and streams, and sets its exit code (src/cli/bin.ts). */
export async function runFromProcess(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(`${text}\n`) } : {}),
  });
}
