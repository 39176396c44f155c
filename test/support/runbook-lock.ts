/**
 * What every run of a locking runbook (EnaGuard-EnableEnaSupport, EnaGuard-UpdateEnaDriver) must
 * show about its lock and exemption steps, for the runbook tests: the run takes the instance's
 * lock first and, whatever happens, ends in `releaseLock` with the lock table empty (or ends in
 * `refuseLocked`, having never held it). Step sequences are compared without these bookkeeping
 * steps, so that each test states the behaviour it is about.
 */
import { expect } from 'vitest';
import { RUNBOOK_LOCK_TABLE, type AccountModel, type SimulationResult } from '../../src/simulator/index.js';

/** The steps before the runbook's own first step, in the order a run without contention takes them. */
export const LOCK_PRELUDE = ['readLockTimes', 'acquireLock', 'readExemptionTag', 'checkExemption'] as const;
/** Steps a run takes only when the lock is held by another execution. */
const CONTENTION = new Set(['readLockHolder', 'readLockHolderStatus', 'checkLockHolderEnded', 'takeOverStaleLock']);

/** The steps the run took, without the lock's and the exemption's bookkeeping. */
export function runbookSteps(result: SimulationResult): string[] {
  const bookkeeping = new Set<string>([...LOCK_PRELUDE, ...CONTENTION, 'releaseLock']);
  return result.trace.map((step) => step.stepName).filter((name) => !bookkeeping.has(name));
}

/** The lock items left in the account's lock table. */
export function heldLocks(account: AccountModel): string[] {
  return account.dynamodb.items(RUNBOOK_LOCK_TABLE.TableName).map((item) => String((item['LockId'] as { S?: string } | undefined)?.S));
}

/** The run released what it took: it ended in releaseLock (or was refused the lock), and no lock is left. */
export function expectLockReleased(account: AccountModel, result: SimulationResult): void {
  const last = result.trace.at(-1)?.stepName;
  expect(['releaseLock', 'refuseLocked'], `the run ended in ${last}, not through releaseLock`).toContain(last);
  if (last === 'releaseLock') expect(result.trace.at(-1)?.status, 'releaseLock failed').toBe('Success');
  expect(heldLocks(account), 'a lock was left behind').toEqual([]);
}

/** The failure message of one step of the run (its last run), as the trace shows it. */
export function stepFailure(result: SimulationResult, stepName: string): string | undefined {
  return result.trace.filter((step) => step.stepName === stepName).at(-1)?.failureMessage;
}
