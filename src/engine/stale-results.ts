/**
 * Periodic results that outlive their resource. Config keeps the last evaluation of a resource
 * that a sweep no longer sees (a terminated instance, a deleted template); left alone it would
 * stay NON_COMPLIANT forever. The rule's current results are read with
 * GetComplianceDetailsByConfigRule (as rdklib does), while the sweep runs, and after a complete
 * sweep every resource it did not see is reported NOT_APPLICABLE.
 */
import { paginateGetComplianceDetailsByConfigRule, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import { FactsUnavailableError, describeError } from '../errors.js';

export interface EvaluatedResource {
  readonly resourceType: string;
  readonly resourceId: string;
}

/** GetComplianceDetailsByConfigRule's largest page. */
const RESULTS_PER_PAGE = 100;

/**
 * Every resource of `resourceTypes` that currently holds a COMPLIANT or NON_COMPLIANT result of
 * the rule. `abortSignal` cuts the reads off (the invocation's deadline, or a sweep that ended
 * incomplete).
 * @throws FactsUnavailableError when the rule's results cannot be read, or were cut off.
 */
export async function readCurrentResults(
  config: ConfigServiceClient,
  configRuleName: string,
  resourceTypes: readonly string[],
  abortSignal?: AbortSignal,
): Promise<EvaluatedResource[]> {
  const current: EvaluatedResource[] = [];
  const pages = paginateGetComplianceDetailsByConfigRule(
    { client: config, pageSize: RESULTS_PER_PAGE },
    { ConfigRuleName: configRuleName, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'] },
    ...(abortSignal ? [{ abortSignal }] : []),
  );
  try {
    for await (const page of pages) {
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        const resourceType = qualifier?.ResourceType;
        const resourceId = qualifier?.ResourceId;
        if (resourceType && resourceId && resourceTypes.includes(resourceType)) current.push({ resourceType, resourceId });
      }
    }
  } catch (error) {
    throw new FactsUnavailableError(`GetComplianceDetailsByConfigRule failed: ${describeError(error)}`, { cause: error });
  }
  return current;
}

/** Of the resources holding a result, those the sweep did not see. */
export function staleAmong(current: readonly EvaluatedResource[], seen: ReadonlySet<string>): EvaluatedResource[] {
  return current.filter((resource) => !seen.has(resultKey(resource.resourceType, resource.resourceId)));
}

export function resultKey(resourceType: string, resourceId: string): string {
  return `${resourceType}/${resourceId}`;
}

/** The resource of a {@link resultKey}: resource types never contain a slash (`AWS::EC2::Instance`). */
export function resourceOfKey(key: string): EvaluatedResource {
  const slash = key.indexOf('/');
  return { resourceType: key.slice(0, slash), resourceId: key.slice(slash + 1) };
}
