/** The actions the simulator models, by name. Any other action is refused before the first step. */
import { approve } from './approve.js';
import { branch } from './branch.js';
import { changeInstanceState } from './change-instance-state.js';
import { createImage } from './create-image.js';
import { executeAutomation } from './execute-automation.js';
import { executeAwsApi } from './execute-aws-api.js';
import { executeScript } from './execute-script.js';
import { assertAwsResourceProperty, waitForAwsResourceProperty } from './resource-property.js';
import { runCommand } from './run-command.js';
import { sleep } from './sleep.js';
import type { AutomationAction } from './types.js';

export const SUPPORTED_ACTIONS: ReadonlyMap<string, AutomationAction> = new Map(
  [executeAwsApi, waitForAwsResourceProperty, assertAwsResourceProperty, branch, changeInstanceState, createImage, runCommand, sleep, approve, executeAutomation, executeScript].map((a) => [a.name, a]),
);

export type { ActionContext, ActionOutcome, AutomationAction, ChildAutomationRun } from './types.js';
