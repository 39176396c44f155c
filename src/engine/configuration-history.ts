/**
 * Oversized change notifications carry only a summary: the full configuration item is read with
 * GetResourceConfigHistory (laterTime = capture time, limit 1) and normalised to the notification
 * shape. The history API names things differently (`accountId` vs `awsAccountId`,
 * `configurationStateMd5Hash`, …) and returns `configuration` as a JSON string.
 */
import {
  GetResourceConfigHistoryCommand,
  type ConfigServiceClient,
  type ConfigurationItem as HistoryItem,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { FactsUnavailableError, describeError } from '../errors.js';
import { configurationItemSchema, type ConfigurationItem, type ConfigurationItemSummary } from './config-event.js';

export async function fetchConfigurationItem(
  config: ConfigServiceClient,
  summary: ConfigurationItemSummary,
): Promise<ConfigurationItem> {
  let items: HistoryItem[];
  try {
    const response = await config.send(
      new GetResourceConfigHistoryCommand({
        resourceType: summary.resourceType as ResourceType,
        resourceId: summary.resourceId,
        laterTime: new Date(summary.configurationItemCaptureTime),
        limit: 1,
      }),
    );
    items = response.configurationItems ?? [];
  } catch (error) {
    throw new FactsUnavailableError(
      `Could not read the configuration history of ${summary.resourceId}: ${describeError(error)}`,
      { cause: error },
    );
  }
  const item = items[0];
  if (!item) {
    throw new FactsUnavailableError(`GetResourceConfigHistory returned no item for ${summary.resourceId}.`);
  }
  return normaliseHistoryItem(item);
}

/** Maps a history-API item onto the notification's configuration-item shape. */
export function normaliseHistoryItem(item: HistoryItem): ConfigurationItem {
  let configuration: unknown = null;
  if (item.configuration) {
    try {
      configuration = JSON.parse(item.configuration);
    } catch (error) {
      throw new FactsUnavailableError(`Configuration of ${item.resourceId ?? '?'} in the history is not JSON.`, { cause: error });
    }
  }
  const parsed = configurationItemSchema.safeParse({
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    configurationItemStatus: item.configurationItemStatus,
    configurationItemCaptureTime: item.configurationItemCaptureTime?.toISOString(),
    configuration,
    tags: item.tags ?? {},
    awsRegion: item.awsRegion,
    awsAccountId: item.accountId,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FactsUnavailableError(
      `History item of ${item.resourceId ?? '?'} is incomplete: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}
