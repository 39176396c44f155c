/**
 * The two EventBridge events owners are told about, parsed at the edge (DOMAIN.md §5):
 * `Config Rules Compliance Change` (source aws.config) and `EC2 Automation Execution
 * Status-change Notification` (source aws.ssm). Neither carries the resource's tags, and the
 * automation event does not even name the resource: both are completed later. Each keeps its
 * EventBridge `id`, the same in every delivery of the event, which keys its idempotency record.
 */
import * as z from 'zod';

const complianceChange = z.object({
  id: z.string().min(1),
  source: z.literal('aws.config'),
  'detail-type': z.literal('Config Rules Compliance Change'),
  time: z.string(),
  region: z.string(),
  account: z.string(),
  detail: z.object({
    configRuleName: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    awsRegion: z.string().optional(),
    awsAccountId: z.string().optional(),
    newEvaluationResult: z.object({ complianceType: z.string(), annotation: z.string().optional() }).loose(),
    oldEvaluationResult: z.object({ complianceType: z.string() }).loose().optional(),
  }).loose(),
});

const automationStatusChange = z.object({
  id: z.string().min(1),
  source: z.literal('aws.ssm'),
  'detail-type': z.literal('EC2 Automation Execution Status-change Notification'),
  time: z.string(),
  region: z.string(),
  account: z.string(),
  detail: z.object({
    ExecutionId: z.string(),
    Definition: z.string(),
    Status: z.string(),
  }).loose(),
});

export const alertSourceEventSchema = z.union([complianceChange, automationStatusChange]);

/** A compliance change of one resource. */
export interface ComplianceAlert {
  readonly kind: 'compliance';
  /** The EventBridge event id. */
  readonly eventId: string;
  readonly ruleName: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly region: string;
  readonly accountId: string;
  readonly newCompliance: string;
  readonly oldCompliance: string | undefined;
  readonly annotation: string | undefined;
  readonly time: string;
}

/** The end of a remediation runbook's execution; the resource is found from its parameters. */
export interface RemediationAlert {
  readonly kind: 'remediation';
  /** The EventBridge event id. */
  readonly eventId: string;
  readonly runbook: string;
  readonly executionId: string;
  readonly status: string;
  readonly region: string;
  readonly accountId: string;
  readonly time: string;
}

export type AlertEvent = ComplianceAlert | RemediationAlert;

/** Parses one EventBridge event; throws a zod error naming the first bad field. */
export function parseAlertEvent(raw: unknown): AlertEvent {
  const event = alertSourceEventSchema.parse(raw);
  if (event.source === 'aws.config') {
    const { detail } = event;
    return {
      kind: 'compliance',
      eventId: event.id,
      ruleName: detail.configRuleName,
      resourceType: detail.resourceType,
      resourceId: detail.resourceId,
      region: detail.awsRegion ?? event.region,
      accountId: detail.awsAccountId ?? event.account,
      newCompliance: detail.newEvaluationResult.complianceType,
      oldCompliance: detail.oldEvaluationResult?.complianceType,
      annotation: detail.newEvaluationResult.annotation,
      time: event.time,
    };
  }
  return {
    kind: 'remediation',
    eventId: event.id,
    runbook: event.detail.Definition,
    executionId: event.detail.ExecutionId,
    status: event.detail.Status,
    region: event.region,
    accountId: event.account,
    time: event.time,
  };
}
