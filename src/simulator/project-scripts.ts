/**
 * Models of the scripts ena-guard's own runbooks run in `aws:executeScript` steps, registered
 * when the simulator is imported. Each stands for the Python in the runbooks and is tested
 * against it (test/runbooks/runbook-scripts.test.ts runs the Python with python3 against the
 * same TypeScript definitions these models call).
 */
import { runbookExemptionDecision } from '../../rules/exemption.js';
import { ScriptError } from './errors.js';
import { registerScriptModel, type ScriptModel } from './scripts.js';

function text(payload: Readonly<Record<string, unknown>>, key: string): string {
  const value = payload[key];
  if (typeof value !== 'string') throw new ScriptError(`KeyError: '${key}'`);
  return value;
}

function textList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  throw new ScriptError(`TagValues must be a list of strings, not ${JSON.stringify(value)}`);
}

/** `# ena-guard:script check-exemption`: refuses while the exemption tag holds, as the rules define it. */
export const checkExemptionScript: ScriptModel = (payload) => {
  const decision = runbookExemptionDecision(text(payload, 'ResourceId'), text(payload, 'TagKey'), textList(payload['TagValues']), text(payload, 'Today'));
  if (!decision.proceed) throw new ScriptError(decision.message);
  return { Note: decision.note };
};

/** ISO 8601 UTC to the second, the lock's time stamps (they compare as strings). */
export function lockStamp(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** `# ena-guard:script lock-times`: now, and LifetimeHours before now. */
export const lockTimesScript: ScriptModel = (payload, context) => {
  const hours = Number(payload['LifetimeHours']);
  if (!Number.isInteger(hours)) throw new ScriptError(`ValueError: invalid literal for int(): ${JSON.stringify(payload['LifetimeHours'])}`);
  const now = Math.floor(context.now.getTime() / 1000) * 1000;
  return { Now: lockStamp(new Date(now)), StaleBefore: lockStamp(new Date(now - hours * 3600_000)) };
};

registerScriptModel('check-exemption', checkExemptionScript);
registerScriptModel('lock-times', lockTimesScript);
