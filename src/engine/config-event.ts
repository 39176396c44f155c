/**
 * The AWS Config custom-rule event, parsed at the edge.
 *
 * `@types/aws-lambda` has no type for it. Config sends `invokingEvent` and `ruleParameters` as
 * JSON strings; both are parsed here, so the rest of the code sees one normalised value. Shapes
 * follow the Config Developer Guide ("Example Events for AWS Config Rules") and aws-lambda-go's
 * events/config.go.
 */
import * as z from 'zod';
import { MalformedEventError } from '../errors.js';

export const CONFIGURATION_ITEM_STATUSES = [
  'OK',
  'ResourceDiscovered',
  'ResourceNotRecorded',
  'ResourceDeleted',
  'ResourceDeletedNotRecorded',
] as const;
export type ConfigurationItemStatus = (typeof CONFIGURATION_ITEM_STATUSES)[number];

/** One configuration item, whichever API delivered it (notification or history). */
export interface ConfigurationItem {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly configurationItemStatus: ConfigurationItemStatus;
  /** ISO-8601; the evaluation's OrderingTimestamp. */
  readonly configurationItemCaptureTime: string;
  /** The resource's recorded configuration; null for deleted resources. */
  readonly configuration: Readonly<Record<string, unknown>> | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly awsRegion?: string | undefined;
  readonly awsAccountId?: string | undefined;
}

const timestamp = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time');

export const configurationItemSchema = z.object({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  configurationItemStatus: z.enum(CONFIGURATION_ITEM_STATUSES),
  configurationItemCaptureTime: timestamp,
  configuration: z.record(z.string(), z.unknown()).nullable().optional().transform((value) => value ?? null),
  tags: z
    .record(z.string(), z.string().nullable())
    .nullable()
    .optional()
    .transform((tags) => Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [key, value ?? '']))),
  awsRegion: z.string().optional(),
  awsAccountId: z.string().optional(),
});

const configurationItemSummarySchema = z.object({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  configurationItemStatus: z.enum(CONFIGURATION_ITEM_STATUSES),
  configurationItemCaptureTime: timestamp,
});
export type ConfigurationItemSummary = z.output<typeof configurationItemSummarySchema>;

const invokingEventSchema = z.discriminatedUnion('messageType', [
  z.object({
    messageType: z.literal('ConfigurationItemChangeNotification'),
    configurationItem: configurationItemSchema,
    notificationCreationTime: timestamp,
  }),
  z.object({
    messageType: z.literal('OversizedConfigurationItemChangeNotification'),
    configurationItemSummary: configurationItemSummarySchema,
    notificationCreationTime: timestamp,
  }),
  z.object({
    messageType: z.literal('ScheduledNotification'),
    notificationCreationTime: timestamp,
  }),
]);
export type InvokingEvent = z.output<typeof invokingEventSchema>;
export type MessageType = InvokingEvent['messageType'];

const envelopeSchema = z.object({
  invokingEvent: z.string(),
  ruleParameters: z.string().optional(),
  resultToken: z.string().min(1),
  eventLeftScope: z.boolean().optional().default(false),
  configRuleName: z.string().min(1),
  configRuleArn: z.string().optional(),
  executionRoleArn: z.string().optional(),
  accountId: z.string().optional(),
  version: z.string().optional(),
});

export interface ConfigRuleEvent {
  readonly invokingEvent: InvokingEvent;
  /** Parsed JSON object; `{}` when Config sent none. Values are validated by the rule's schema. */
  readonly ruleParameters: Readonly<Record<string, unknown>>;
  readonly resultToken: string;
  readonly eventLeftScope: boolean;
  readonly configRuleName: string;
  readonly accountId: string | undefined;
}

/** Parses a raw Lambda event; throws {@link MalformedEventError} naming the first bad field. */
export function parseConfigRuleEvent(raw: unknown): ConfigRuleEvent {
  const envelope = parseOrThrow(envelopeSchema, raw, 'event');
  const invokingEvent = parseOrThrow(invokingEventSchema, parseJsonField(envelope.invokingEvent, 'invokingEvent'), 'invokingEvent');
  const ruleParameters =
    envelope.ruleParameters === undefined || envelope.ruleParameters.trim() === ''
      ? {}
      : parseOrThrow(
          z.record(z.string(), z.unknown()),
          parseJsonField(envelope.ruleParameters, 'ruleParameters'),
          'ruleParameters',
        );
  return {
    invokingEvent,
    ruleParameters,
    resultToken: envelope.resultToken,
    eventLeftScope: envelope.eventLeftScope,
    configRuleName: envelope.configRuleName,
    accountId: envelope.accountId,
  };
}

function parseJsonField(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError(`Malformed Config event: ${field} is not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
}

/** Parses with a zod schema and turns the first issue into one message that names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [where, ...(issue?.path ?? []).map(String)].join('.');
  throw new MalformedEventError(`Malformed Config event: ${path}: ${issue?.message ?? 'invalid'}.`, { cause: result.error });
}
