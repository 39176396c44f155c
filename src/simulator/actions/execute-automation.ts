/**
 * `aws:executeAutomation`: runs another Automation document (from the documents folder or the
 * registered known documents) in the same account and simulated time. Outputs ExecutionId, Status
 * and Output (the nested run's outputs; unconfirmed: AWS does not document Output's exact shape,
 * we give the map of `<step>.<output>` to value).
 */
import { ChildAutomationFailedError, InvalidInputError } from '../errors.js';
import { requiredString } from './inputs.js';
import type { AutomationAction } from './types.js';

export const executeAutomation: AutomationAction = {
  name: 'aws:executeAutomation',
  async run(inputs, context) {
    const documentName = requiredString(inputs, 'DocumentName');
    const runtime = inputs['RuntimeParameters'] ?? {};
    if (runtime === null || typeof runtime !== 'object' || Array.isArray(runtime)) throw new InvalidInputError('Input RuntimeParameters must be a map');
    const child = await context.runChildAutomation(documentName, runtime as Record<string, unknown>);
    if (child.status !== 'Success') throw new ChildAutomationFailedError(documentName, child);
    return { outputs: { ExecutionId: child.executionId, Status: child.status, Output: child.outputs }, child };
  },
};
