/**
 * The one place where PutEvaluations payloads are built: the compliance type is checked, the
 * annotation trimmed to Config's 256 characters (or omitted when empty, since "" is invalid), and
 * the ordering timestamp set by the caller from the CI capture time or the notification time.
 */
import type { Evaluation } from '@aws-sdk/client-config-service';
import { COMPLIANCE_TYPES, fitAnnotation, type ComplianceType } from '../../rules/verdict.js';
import { EnaGuardError } from '../errors.js';

export interface EvaluationInput {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly compliance: ComplianceType;
  readonly annotation?: string | undefined;
  readonly orderingTimestamp: Date;
}

export function makeEvaluation({ resourceType, resourceId, compliance, annotation, orderingTimestamp }: EvaluationInput): Evaluation {
  if (!COMPLIANCE_TYPES.includes(compliance)) {
    throw new EnaGuardError(`Compliance type ${String(compliance)} cannot be reported by a custom rule.`);
  }
  if (Number.isNaN(orderingTimestamp.getTime())) {
    throw new EnaGuardError(`Evaluation of ${resourceId} has an invalid ordering timestamp.`);
  }
  const trimmed = annotation === undefined ? undefined : fitAnnotation(annotation);
  return {
    ComplianceResourceType: resourceType,
    ComplianceResourceId: resourceId,
    ComplianceType: compliance,
    OrderingTimestamp: orderingTimestamp,
    ...(trimmed === undefined ? {} : { Annotation: trimmed }),
  };
}
