/**
 * The step trace: what each step did, in simulated time. Tests assert on it; {@link formatTrace}
 * prints it for the CLI.
 */
import { renderAsText } from './render-text.js';

/** Final status of an automation, as SSM reports it. */
export type ExecutionStatus = 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
/** Status of one step. */
export type StepStatus = 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

/** What happened in one step. */
export interface StepTrace {
  readonly stepName: string;
  readonly action: string;
  /** Inputs after `{{ }}` substitution (the raw inputs when substitution itself failed). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly startTime: Date;
  readonly endTime: Date;
  readonly attempts: number;
  readonly status: StepStatus;
  readonly failureMessage?: string;
  /** The step control went to next; undefined when the automation ended here. */
  readonly nextStep?: string;
  /** The steps of a nested automation (aws:executeAutomation). */
  readonly children?: readonly StepTrace[];
}

function seconds(from: Date, to: Date): string {
  return `${Math.round((to.getTime() - from.getTime()) / 1000)}s`;
}

/**
 * One line per step (nested automations indented): offset from the start, duration, status,
 * step, action, attempts, outputs and failure message.
 */
export function formatTrace(trace: readonly StepTrace[], origin?: Date, indent = ''): string {
  const start = origin ?? trace[0]?.startTime ?? new Date(0);
  const lines: string[] = [];
  for (const step of trace) {
    const outputs = Object.entries(step.outputs).map(([k, v]) => `${k}=${renderAsText(v)}`).join(' ');
    const attempts = step.attempts > 1 ? ` attempts=${step.attempts}` : '';
    const failure = step.failureMessage === undefined ? '' : ` -- ${step.failureMessage}`;
    lines.push(
      `${indent}+${seconds(start, step.startTime).padStart(6)} ${seconds(step.startTime, step.endTime).padStart(6)} ${step.status.padEnd(9)} ${step.stepName} (${step.action})${attempts}${outputs ? ` ${outputs}` : ''}${failure}`,
    );
    if (step.children !== undefined && step.children.length > 0) lines.push(formatTrace(step.children, start, `${indent}    `));
  }
  return lines.join('\n');
}
