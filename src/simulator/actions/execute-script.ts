/**
 * `aws:executeScript`: runs the TypeScript model of the step's script (scripts.ts) on the step's
 * `InputPayload`, in no simulated time (Unconfirmed: AWS takes a few seconds to start the script).
 * The declared outputs select from `{ Payload: <what the handler returned> }`
 * (`$.Payload.Note`); a `ScriptError` thrown by the model fails the step with its message, as an
 * exception raised by the script does. Payload and result go through JSON, as between the
 * Automation service and the script.
 */
import { InvalidInputError, StepFailedError, UnsupportedScriptError } from '../errors.js';
import { modelForScript } from '../scripts.js';
import { requiredString } from './inputs.js';
import type { AutomationAction } from './types.js';

/** The runtimes AWS documents for aws:executeScript. Unconfirmed: the list changes as AWS retires runtimes. */
const RUNTIMES = /^(python3\.(8|9|10|11)|PowerShell 7\.4|PowerShell Core 6\.0)$/;

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function throughJson(value: unknown, what: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (error) {
    throw new StepFailedError(`${what} cannot be serialized as JSON: ${(error as Error).message}`, { cause: error });
  }
}

export const executeScript: AutomationAction = {
  name: 'aws:executeScript',
  run(inputs, context) {
    const runtime = requiredString(inputs, 'Runtime');
    if (!RUNTIMES.test(runtime)) throw new InvalidInputError(`Input Runtime ${runtime} is not a runtime of aws:executeScript (python3.8 to python3.11, PowerShell 7.4)`);
    if (runtime.startsWith('python')) requiredString(inputs, 'Handler');
    const found = modelForScript(inputs['Script'], context.scriptModels);
    if (!('model' in found)) throw new UnsupportedScriptError(context.stepName, found.reason, found.name);
    const payload = inputs['InputPayload'] ?? {};
    if (!isMap(payload)) throw new InvalidInputError('Input InputPayload must be a map');
    const returned = found.model(throughJson(payload, 'InputPayload') as Record<string, unknown>, {
      account: context.account,
      executionId: context.executionId,
      stepName: context.stepName,
      now: context.account.clock.now(),
      callAws: (service, operation, input) => context.callAws(service, operation, input),
    });
    return { outputs: {}, response: { Payload: throughJson(returned, `The result of script ${found.name}`) } };
  },
};
