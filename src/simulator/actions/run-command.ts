/**
 * `aws:runCommand`: SendCommand to at most 50 instances, then poll GetCommandInvocation until
 * every invocation ends. Outputs CommandId, Status, ResponseCode and Output (the first instance's
 * response code and standard output). The step fails unless every invocation succeeded.
 */
import { InvalidInputError, StepFailedError } from '../errors.js';
import { MAX_COMMAND_INSTANCES } from '../ssm-model.js';
import { renderAsText } from '../variables.js';
import { optionalString, requiredString, requiredStringList } from './inputs.js';
import { POLL_INTERVAL_SECONDS, type AutomationAction } from './types.js';

const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

interface InvocationView {
  readonly Status: string;
  readonly ResponseCode: number;
  readonly StandardOutputContent: string;
  readonly StandardErrorContent: string;
}

/** SendCommand takes every parameter as a list of strings. */
function commandParameters(value: unknown): Record<string, string[]> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError('Input Parameters must be a map');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(renderAsText) : [renderAsText(v)]]));
}

export const runCommand: AutomationAction = {
  name: 'aws:runCommand',
  run(inputs, context) {
    if (inputs['Targets'] !== undefined) throw new InvalidInputError('Input Targets is not modelled by the simulator: use InstanceIds');
    const instanceIds = requiredStringList(inputs, 'InstanceIds');
    if (instanceIds.length > MAX_COMMAND_INSTANCES) throw new InvalidInputError(`Input InstanceIds has ${instanceIds.length} instances; aws:runCommand takes at most ${MAX_COMMAND_INSTANCES}`);
    const request: Record<string, unknown> = { DocumentName: requiredString(inputs, 'DocumentName'), InstanceIds: instanceIds, Parameters: commandParameters(inputs['Parameters']) };
    const comment = optionalString(inputs, 'Comment');
    if (comment !== undefined) request['Comment'] = comment;
    if (typeof inputs['TimeoutSeconds'] === 'number') request['TimeoutSeconds'] = inputs['TimeoutSeconds'];
    const { Command: command } = context.callAws('ssm', 'SendCommand', request) as { Command: { CommandId: string } };
    const results = context.poll(`command ${command.CommandId} to finish on ${instanceIds.join(', ')}`, POLL_INTERVAL_SECONDS, () => {
      const views = instanceIds.map((instanceId) => context.callAws('ssm', 'GetCommandInvocation', { CommandId: command.CommandId, InstanceId: instanceId }) as unknown as InvocationView);
      return views.every((v) => TERMINAL.has(v.Status)) ? views : undefined;
    });
    const failed = results.map((r, i) => ({ ...r, instanceId: instanceIds[i] })).filter((r) => r.Status !== 'Success');
    const first = results[0] as InvocationView;
    if (failed.length > 0) {
      const detail = failed.map((f) => `${f.instanceId}: ${f.Status} (exit ${f.ResponseCode})${f.StandardErrorContent ? ` ${f.StandardErrorContent}` : ''}`).join('; ');
      throw new StepFailedError(`Command ${command.CommandId} (${String(request['DocumentName'])}) did not succeed on every instance: ${detail}`);
    }
    return { outputs: { CommandId: command.CommandId, Status: 'Success', ResponseCode: first.ResponseCode, Output: first.StandardOutputContent } };
  },
};
