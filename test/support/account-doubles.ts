/**
 * What the account model never does by itself, for the runbook safety tests: EC2 answers that
 * change between two reads (a status check that passes and then fails, a host whose system check
 * fails). Each double rewrites the model's answers to one operation; the model's own state, and
 * the call log the tests read, stay as the model left them.
 */
import type { InstanceStatus } from '@aws-sdk/client-ec2';
import type { AccountModel } from '../../src/simulator/index.js';

type Output = Record<string, unknown>;

/** Rewrites every answer to `operation` (after faults and the call log, before the runbook reads it). */
export function rewriteAnswers(account: AccountModel, operation: string, rewrite: (output: Output, input: Output) => Output): void {
  const call = account.call.bind(account);
  account.call = (service: string, name: string, input: Output = {}): object => {
    const output = call(service, name, input) as Output;
    return name === operation ? rewrite(output, input) : output;
  };
}

type Check = 'InstanceStatus' | 'SystemStatus';

/** DescribeInstanceStatus output with one check of the chosen instances reported as `status`. */
function withCheck(output: Output, check: Check, status: string, applies: (instanceId: string) => boolean): Output {
  const statuses = (output['InstanceStatuses'] as InstanceStatus[] | undefined) ?? [];
  return {
    ...output,
    InstanceStatuses: statuses.map((entry) =>
      applies(entry.InstanceId ?? '') ? { ...entry, [check]: { Status: status, Details: [{ Name: 'reachability', Status: status === 'impaired' ? 'failed' : status }] } } : entry,
    ),
  };
}

/**
 * Once `armed()` (e.g. after a start), the instance passes both status checks and then, at the
 * very next read, fails its instance check once (a guest that comes up and loses its network right
 * after, as a driver that crashes under load does); from the read after that on, EC2's own answers
 * again.
 */
export function instanceCheckFailsOnceAfterPassing(account: AccountModel, instanceId: string, armed: () => boolean = () => true): void {
  let phase: 'before' | 'passed' | 'done' = 'before';
  rewriteAnswers(account, 'DescribeInstanceStatus', (output) => {
    const own = ((output['InstanceStatuses'] as InstanceStatus[] | undefined) ?? []).find((entry) => entry.InstanceId === instanceId);
    if (own === undefined) return output;
    if (phase === 'passed') {
      phase = 'done';
      return withCheck(output, 'InstanceStatus', 'impaired', (id) => id === instanceId);
    }
    if (phase === 'before' && armed() && own.InstanceStatus?.Status === 'ok' && own.SystemStatus?.Status === 'ok') phase = 'passed';
    return output;
  });
}

/** From `from()` on, the system status check of the chosen instances reads impaired (a failing host). */
export function systemCheckImpaired(account: AccountModel, applies: (instanceId: string) => boolean, from: () => boolean = () => true): void {
  rewriteAnswers(account, 'DescribeInstanceStatus', (output) => (from() ? withCheck(output, 'SystemStatus', 'impaired', applies) : output));
}
