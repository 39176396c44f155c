/**
 * What a rule decides about one resource.
 *
 * A rule either judges the resource (one of the three compliance types AWS Config accepts from a
 * custom rule) or says it could not judge it. "Could not judge" is its own outcome so that a
 * missing fact can never turn into NON_COMPLIANT by accident: the engine logs it and reports
 * nothing for that resource.
 */
import { truncate } from './text.js';

/** The compliance types that PutEvaluations accepts from a custom rule (INSUFFICIENT_DATA is rejected). */
export const COMPLIANCE_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'] as const;
export type ComplianceType = (typeof COMPLIANCE_TYPES)[number];

/** AWS Config's limit on an evaluation's annotation. */
export const MAX_ANNOTATION_LENGTH = 256;

export interface Judged<Reason extends string = string> {
  readonly outcome: 'judged';
  readonly compliance: ComplianceType;
  /** Says what is wrong and what to do; the engine trims it to {@link MAX_ANNOTATION_LENGTH}. */
  readonly annotation: string;
  /** Machine-readable codes, stable across releases, for reports, alerts and tests. */
  readonly reasons: readonly Reason[];
}

export interface NotJudged<Reason extends string = string> {
  readonly outcome: 'not-judged';
  readonly reasons: readonly Reason[];
  /** Why the rule could not decide, for the logs. */
  readonly detail: string;
}

export type Verdict<Reason extends string = string> = Judged<Reason> | NotJudged<Reason>;

export function compliant<R extends string>(annotation: string, ...reasons: R[]): Judged<R> {
  return { outcome: 'judged', compliance: 'COMPLIANT', annotation, reasons };
}

export function nonCompliant<R extends string>(annotation: string, ...reasons: R[]): Judged<R> {
  return { outcome: 'judged', compliance: 'NON_COMPLIANT', annotation, reasons };
}

export function notApplicable<R extends string>(annotation: string, ...reasons: R[]): Judged<R> {
  return { outcome: 'judged', compliance: 'NOT_APPLICABLE', annotation, reasons };
}

export function judged<R extends string>(compliance: ComplianceType, annotation: string, ...reasons: R[]): Judged<R> {
  return { outcome: 'judged', compliance, annotation, reasons };
}

export function notJudged<R extends string>(detail: string, ...reasons: R[]): NotJudged<R> {
  return { outcome: 'not-judged', detail, reasons };
}

/** Trims an annotation to Config's limit, marking the cut with an ellipsis. */
export function fitAnnotation(annotation: string): string | undefined {
  const text = annotation.trim();
  return text.length === 0 ? undefined : truncate(text, MAX_ANNOTATION_LENGTH);
}
