/**
 * The stale-result ledger: which resources may still hold a COMPLIANT or NON_COMPLIANT result of a
 * rule, kept where a sweep reads it back in two calls, so that clearing stale results does not
 * cost a GetComplianceDetailsByConfigRule call per 100 results (docs/fleet-scale.md).
 *
 * The invariant every writer keeps: the record plus the marks cover every resource holding such a
 * result. A sweep writes a record of what it saw (and the stale results it could not clear); a
 * change evaluation writes a mark before it delivers a result, because a sweep may never see that
 * resource. Whenever a writer cannot keep the invariant, the record is discarded, and the next
 * sweep reads Config's own results instead, as it does before the first record exists.
 */
import { resourceOfKey, resultKey, type EvaluatedResource } from './stale-results.js';

/** What a sweep reads back: the last record and the marks written since. */
export interface LedgerContents {
  /** Resources that may hold a COMPLIANT or NON_COMPLIANT result. */
  readonly resources: readonly EvaluatedResource[];
  /** The marks read, deleted once a new record includes them. */
  readonly marks: readonly string[];
}

/** One rule's ledger. Every method throws FactsUnavailableError when the store fails. */
export interface ResultLedger {
  /** The record and marks, or undefined when there is no record to trust (first sweep, or discarded). */
  read(abortSignal?: AbortSignal): Promise<LedgerContents | undefined>;
  /** Written by a change evaluation before it delivers a COMPLIANT or NON_COMPLIANT result. */
  mark(resource: EvaluatedResource): Promise<void>;
  /** Replaces the record, then deletes the marks it now includes. */
  write(resources: readonly EvaluatedResource[], consumedMarks: readonly string[]): Promise<void>;
  /** Deletes the record: the next sweep reads Config's results. */
  discard(): Promise<void>;
}

/** Opens the ledger of a rule by its deployed name (the event's `configRuleName`). */
export type ResultLedgerFactory = (configRuleName: string) => ResultLedger;

/**
 * The record a sweep leaves: what held a result before, plus what it saw, less the stale results
 * it delivered NOT_APPLICABLE for. Not-judged resources stay (they keep their old result), and so
 * do stale results whose NOT_APPLICABLE was not delivered.
 */
export function nextRecord(
  previous: readonly EvaluatedResource[],
  seen: ReadonlySet<string>,
  clearedStale: ReadonlySet<string>,
): EvaluatedResource[] {
  const next = new Map([...seen].map((key) => [key, resourceOfKey(key)]));
  for (const resource of previous) {
    const key = resultKey(resource.resourceType, resource.resourceId);
    if (!clearedStale.has(key)) next.set(key, resource);
  }
  return [...next.values()];
}
