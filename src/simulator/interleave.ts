/**
 * Replaying an exact interleaving of executions that share one account (one clock, one set of
 * models, one call log): "run A until it has completed step stopInstance, then run B to its end,
 * then finish A". Executions interleave between steps, never inside one: a step that waits moves
 * the shared clock while the others stand still, as if they were all between two steps then.
 */
import type { AccountModel } from './account-model.js';
import type { AutomationDocument } from './document.js';
import { SimulatorError } from './errors.js';
import { startExecution, type Execution, type SimulateOptions, type SimulationResult } from './interpreter.js';

/** One execution of the interleaving: its document, parameters and options (less the account). */
export interface InterleavedRun {
  readonly document: AutomationDocument;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly options?: Omit<SimulateOptions, 'account'>;
}

/**
 * How far one entry of the schedule advances its run: until it has completed (the next run of)
 * a step, until the named step is the next to run (without running it), a number of steps, or
 * to its end.
 */
export type Until = { readonly afterStep: string } | { readonly beforeStep: string } | { readonly steps: number } | 'end';

/** One entry of the schedule: which run advances, and how far (default: to its end). */
export interface ScheduleEntry {
  readonly run: string;
  readonly until?: Until;
}

export interface InterleavedResult {
  /** Each run's outcome, by its name in `runs`. */
  readonly results: Readonly<Record<string, SimulationResult>>;
  /** Every step run, in the order it ran, with the run it belongs to. */
  readonly order: readonly { readonly run: string; readonly stepName: string; readonly executionId: string }[];
}

function describeUntil(until: Until): string {
  if (until === 'end') return 'to its end';
  if ('afterStep' in until) return `until it has completed step ${until.afterStep}`;
  if ('beforeStep' in until) return `until step ${until.beforeStep} is next`;
  return `for ${until.steps} steps`;
}

function checkStepName(name: string, run: string, document: AutomationDocument): void {
  if (!document.content.mainSteps.some((step) => step.name === name)) throw new SimulatorError(`Schedule: run ${run} (${document.name}) has no step ${name}`);
}

/**
 * Runs the schedule, entry by entry. A run starts (gets its execution id and start time, and
 * shows `InProgress` in the account's SSM model) at its first entry. Refuses (throws a
 * {@link SimulatorError}) a schedule that names an unknown run or step, that asks a run for more
 * than it has left, or that leaves a run unfinished or never started.
 */
export async function simulateInterleaved(account: AccountModel, runs: Readonly<Record<string, InterleavedRun>>, schedule: readonly ScheduleEntry[]): Promise<InterleavedResult> {
  for (const entry of schedule) {
    const run = runs[entry.run];
    if (run === undefined) throw new SimulatorError(`Schedule: no run named ${entry.run} (runs: ${Object.keys(runs).join(', ')})`);
    const until = entry.until ?? 'end';
    if (until !== 'end' && 'afterStep' in until) checkStepName(until.afterStep, entry.run, run.document);
    if (until !== 'end' && 'beforeStep' in until) checkStepName(until.beforeStep, entry.run, run.document);
  }
  const executions = new Map<string, Execution>();
  const order: { run: string; stepName: string; executionId: string }[] = [];
  for (const [position, entry] of schedule.entries()) {
    const run = runs[entry.run] as InterleavedRun;
    let execution = executions.get(entry.run);
    if (execution === undefined) {
      execution = await startExecution(run.document, run.parameters ?? {}, { ...run.options, account });
      executions.set(entry.run, execution);
    }
    const until = entry.until ?? 'end';
    const refuse = (): never => {
      throw new SimulatorError(`Schedule entry ${position + 1}: run ${entry.run} ended before it could run ${describeUntil(until)}`);
    };
    const advance = async (): Promise<string> => {
      const step = (await (execution as Execution).step()) ?? refuse();
      order.push({ run: entry.run, stepName: step.stepName, executionId: (execution as Execution).executionId });
      return step.stepName;
    };
    if (until === 'end') {
      while (!execution.done) await advance();
    } else if ('afterStep' in until) {
      while ((await advance()) !== until.afterStep);
    } else if ('beforeStep' in until) {
      while (execution.nextStepName !== until.beforeStep) await advance();
    } else {
      for (let i = 0; i < until.steps; i++) await advance();
    }
  }
  const results: Record<string, SimulationResult> = {};
  for (const name of Object.keys(runs)) {
    const execution = executions.get(name);
    if (execution === undefined) throw new SimulatorError(`Schedule: run ${name} never runs (give it an entry)`);
    if (!execution.done) throw new SimulatorError(`Schedule: run ${name} has not ended when the schedule ends (its next step is ${execution.nextStepName ?? '(none)'}); end the schedule with { run: '${name}' }`);
    results[name] = execution.result();
  }
  return { results, order };
}
