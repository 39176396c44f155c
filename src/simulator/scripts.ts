/**
 * Models of the scripts the project's runbooks run in `aws:executeScript` steps. The simulator
 * cannot run Python; each script the project owns carries a marker line, `# ena-guard:script
 * <name>`, and a TypeScript model registered under that name stands in for it: it gets the
 * step's `InputPayload` and returns what the script's handler returns (the step's `Payload`), or
 * throws a `ScriptError` where the script raises an exception. A script without a marker, or
 * whose marker has no model, is refused before the first step.
 *
 * The model must agree with the script it stands for; the project tests that separately (the
 * script run with python3 against the same TypeScript definitions).
 */
import type { AccountModel } from './account-model.js';
import { SimulatorError } from './errors.js';

/** What a script model sees besides its payload. */
export interface ScriptContext {
  readonly account: AccountModel;
  readonly executionId: string;
  readonly stepName: string;
  /** The simulated time at which the script runs. */
  readonly now: Date;
  /**
   * An API call, as the script's boto3 client would make it: through the call log and the fault
   * injector; an AWS error fails the step, as an uncaught `ClientError` would.
   */
  callAws(service: string, operation: string, input: Record<string, unknown>): Record<string, unknown>;
}

/** A script's model: `InputPayload` in, the handler's return value out. */
export type ScriptModel = (payload: Record<string, unknown>, context: ScriptContext) => Record<string, unknown>;

/** Script models by marker name. */
export type ScriptModels = Readonly<Record<string, ScriptModel>>;

const MARKER = /^# ena-guard:script (\S+)[ \t]*$/gm;
const NAME = /^[A-Za-z0-9_.-]+$/;

const registry = new Map<string, ScriptModel>();

/** The names a script's marker lines give, in order (normally exactly one). */
export function scriptMarkers(script: string): string[] {
  return [...script.matchAll(MARKER)].map((match) => match[1] as string);
}

/**
 * Registers the model of the scripts marked `# ena-guard:script <name>`. Registering the same
 * function again does nothing; another function under a taken name is refused (two models of one
 * script cannot both be right).
 */
export function registerScriptModel(name: string, model: ScriptModel): void {
  if (!NAME.test(name)) throw new SimulatorError(`Script model name ${JSON.stringify(name)}: use letters, digits, ., _ and -`);
  const existing = registry.get(name);
  if (existing !== undefined && existing !== model) throw new SimulatorError(`A different model of script ${name} is already registered`);
  registry.set(name, model);
}

/** Removes a registered model; true when there was one. */
export function unregisterScriptModel(name: string): boolean {
  return registry.delete(name);
}

/** The model registered under a name, if any. */
export function scriptModel(name: string): ScriptModel | undefined {
  return registry.get(name);
}

/** The names of the registered models, sorted. */
export function registeredScriptModels(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The model a step's script runs with: the run's own models first (`SimulateOptions.scriptModels`),
 * then the registry. Returns the reason when there is none, for the refusal.
 */
export function modelForScript(script: unknown, own: ScriptModels | undefined): { readonly name: string; readonly model: ScriptModel } | { readonly reason: string; readonly name?: string } {
  if (typeof script !== 'string') return { reason: 'it has no Script input (attachments are not modelled)' };
  const markers = scriptMarkers(script);
  if (markers.length === 0) return { reason: 'its Script has no marker line' };
  if (markers.length > 1) return { reason: `its Script has ${markers.length} marker lines (${markers.join(', ')})` };
  const name = markers[0] as string;
  const model = own?.[name] ?? registry.get(name);
  if (model === undefined) return { reason: `it is marked ${name}, and no model is registered under that name`, name };
  return { name, model };
}
