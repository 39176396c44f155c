/**
 * `aws:changeInstanceState`: start, stop or terminate instances and wait for the state, or with
 * `CheckStateOnly` only wait (poll) for it. `running` also waits for BOTH status checks (instance
 * and system) to be `ok`, as AWS documents; an instance whose checks stay `impaired` therefore
 * makes the step time out.
 */
import type { Instance, InstanceStatus, Reservation } from '@aws-sdk/client-ec2';
import { InvalidInputError, StepFailedError } from '../errors.js';
import { optionalBoolean, requiredString, requiredStringList } from './inputs.js';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS, type ActionContext, type AutomationAction } from './types.js';

const DESIRED_STATES = ['running', 'stopped', 'terminated'] as const;
type DesiredState = (typeof DESIRED_STATES)[number];

const CHANGE_API: Readonly<Record<DesiredState, string>> = { running: 'StartInstances', stopped: 'StopInstances', terminated: 'TerminateInstances' };

function instancesNow(context: ActionContext, instanceIds: readonly string[]): Instance[] {
  const output = context.callAws('ec2', 'DescribeInstances', { InstanceIds: [...instanceIds] }) as { Reservations?: Reservation[] };
  return (output.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

function checksPassed(context: ActionContext, instanceIds: readonly string[]): boolean {
  const output = context.callAws('ec2', 'DescribeInstanceStatus', { InstanceIds: [...instanceIds], IncludeAllInstances: true }) as { InstanceStatuses?: InstanceStatus[] };
  const statuses = output.InstanceStatuses ?? [];
  return instanceIds.every((id) => {
    const status = statuses.find((s) => s.InstanceId === id);
    return status?.InstanceStatus?.Status === 'ok' && status.SystemStatus?.Status === 'ok';
  });
}

export const changeInstanceState: AutomationAction = {
  name: 'aws:changeInstanceState',
  defaultTimeoutSeconds: DEFAULT_WAIT_TIMEOUT_SECONDS,
  run(inputs, context) {
    const instanceIds = requiredStringList(inputs, 'InstanceIds');
    const desired = requiredString(inputs, 'DesiredState');
    if (!(DESIRED_STATES as readonly string[]).includes(desired)) throw new InvalidInputError(`Input DesiredState must be one of ${DESIRED_STATES.join(', ')}, not ${desired}`);
    const desiredState = desired as DesiredState;
    const checkOnly = optionalBoolean(inputs, 'CheckStateOnly') ?? false;
    if (!checkOnly) {
      const input: Record<string, unknown> = { InstanceIds: [...instanceIds] };
      const force = optionalBoolean(inputs, 'Force');
      if (desiredState === 'stopped' && force !== undefined) input['Force'] = force;
      context.callAws('ec2', CHANGE_API[desiredState], input);
    }
    context.poll(`instances ${instanceIds.join(', ')} to be ${desiredState}${desiredState === 'running' ? ' with both status checks ok' : ''}`, POLL_INTERVAL_SECONDS, () => {
      const instances = instancesNow(context, instanceIds);
      const lost = instances.find((i) => i.State?.Name === 'terminated' && desiredState !== 'terminated');
      if (lost !== undefined) throw new StepFailedError(`Instance ${lost.InstanceId} is terminated; it can never become ${desiredState}`);
      if (!instances.every((i) => i.State?.Name === desiredState)) return undefined;
      if (desiredState === 'running' && !checksPassed(context, instanceIds)) return undefined;
      return true;
    });
    return { outputs: {} };
  },
};
