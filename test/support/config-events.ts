/** Loads the Config event fixtures (exact shapes Config sends: invokingEvent and ruleParameters as JSON strings). */
import { readFileSync } from 'node:fs';
import type { ConfigurationItem } from '@aws-sdk/client-config-service';

const directory = new URL('../fixtures/config-events/', import.meta.url);

export type ConfigEventFixture =
  | 'change-non-compliant'
  | 'change-compliant'
  | 'change-deleted'
  | 'change-not-recorded'
  | 'change-left-scope'
  | 'change-testmode'
  | 'change-no-rule-parameters'
  | 'change-malformed-invoking-event'
  | 'change-bad-parameter'
  | 'oversized'
  /** AWS::EC2::Image: the configuration's shape is assumed (src/checks/image-configuration-item.ts). */
  | 'change-image'
  | 'change-launch-template'
  | 'periodic';

export function configEvent(name: ConfigEventFixture): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, directory), 'utf8')) as Record<string, unknown>;
}

/** The GetResourceConfigHistory item for the oversized fixture, with the SDK's Date fields. */
export function historyItem(): ConfigurationItem {
  const raw = JSON.parse(readFileSync(new URL('history-item-oversized.json', directory), 'utf8')) as Record<string, unknown>;
  return {
    ...raw,
    configurationItemCaptureTime: new Date(raw.configurationItemCaptureTime as string),
    resourceCreationTime: new Date(raw.resourceCreationTime as string),
  } as ConfigurationItem;
}
