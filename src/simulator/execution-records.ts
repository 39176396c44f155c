/**
 * How SSM shows a simulated execution: runtime parameters and outputs as lists of strings, steps
 * as the SDK's `StepExecution`. Pure conversions; the interpreter records them in the SSM model.
 */
import type { StepExecution } from '@aws-sdk/client-ssm';
import type { StepDefinition } from './document.js';
import { renderAsText } from './render-text.js';
import type { StepTrace } from './trace.js';

/** A value as SSM lists it: a list keeps its items (each as text), anything else is one item. */
export function asStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(renderAsText) : [renderAsText(value)];
}

/** Parameters or outputs, every value as a list of strings. */
export function asStringLists(values: Readonly<Record<string, unknown>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, asStringList(value)]));
}

/**
 * The steps that ran, as GetAutomationExecution's `StepExecutions`. Unconfirmed: AWS writes each
 * input as JSON text; the step's own settings come from its definition when it has one.
 */
export function stepExecutions(trace: readonly StepTrace[], definitions: ReadonlyMap<string, StepDefinition>): StepExecution[] {
  return trace.map((step) => {
    const definition = definitions.get(step.stepName);
    return {
      StepName: step.stepName,
      Action: step.action,
      ExecutionStartTime: step.startTime,
      ExecutionEndTime: step.endTime,
      StepStatus: step.status,
      Inputs: Object.fromEntries(Object.entries(step.inputs).map(([name, value]) => [name, JSON.stringify(value)])),
      Outputs: asStringLists(step.outputs),
      FailureMessage: step.failureMessage,
      NextStep: step.nextStep,
      MaxAttempts: definition?.maxAttempts,
      TimeoutSeconds: definition?.timeoutSeconds,
      OnFailure: definition?.onFailure,
      IsEnd: definition?.isEnd,
      IsCritical: definition?.isCritical,
    };
  });
}
