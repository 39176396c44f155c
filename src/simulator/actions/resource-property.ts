/**
 * `aws:waitForAwsResourceProperty` and `aws:assertAwsResourceProperty`: call an API and compare
 * the value at `PropertySelector` with `DesiredValues`.
 */
import { InvalidInputError, StepFailedError } from '../errors.js';
import { renderAsText, select } from '../variables.js';
import { apiParameters, requiredString } from './inputs.js';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS, type ActionContext, type AutomationAction } from './types.js';

const OWN_INPUTS = ['Service', 'Api', 'PropertySelector', 'DesiredValues'];

interface PropertyCheck {
  readonly matches: boolean;
  readonly actual: unknown;
  readonly desired: readonly string[];
  readonly selector: string;
}

/**
 * When the selector yields several values (a wildcard), every one must be desired. Unconfirmed:
 * AWS does not document the multi-value case.
 */
function checkProperty(inputs: Readonly<Record<string, unknown>>, context: ActionContext): PropertyCheck {
  const selector = requiredString(inputs, 'PropertySelector');
  const desiredInput = inputs['DesiredValues'];
  if (!Array.isArray(desiredInput) || desiredInput.length === 0) throw new InvalidInputError('Input DesiredValues is required and must be a non-empty list');
  const desired = desiredInput.map(renderAsText);
  const response = context.callAws(requiredString(inputs, 'Service'), requiredString(inputs, 'Api'), apiParameters(inputs, OWN_INPUTS));
  const actual = select(response, selector);
  const values = Array.isArray(actual) ? actual : [actual];
  const matches = actual !== undefined && values.length > 0 && values.every((v) => desired.includes(renderAsText(v)));
  return { matches, actual, desired, selector };
}

export const waitForAwsResourceProperty: AutomationAction = {
  name: 'aws:waitForAwsResourceProperty',
  defaultTimeoutSeconds: DEFAULT_WAIT_TIMEOUT_SECONDS,
  run(inputs, context) {
    let last: PropertyCheck | undefined;
    context.poll(`${String(inputs['PropertySelector'])} to be one of ${JSON.stringify(inputs['DesiredValues'])}`, POLL_INTERVAL_SECONDS, () => {
      last = checkProperty(inputs, context);
      return last.matches ? true : undefined;
    });
    return { outputs: {}, response: last?.actual };
  },
};

export const assertAwsResourceProperty: AutomationAction = {
  name: 'aws:assertAwsResourceProperty',
  run(inputs, context) {
    const check = checkProperty(inputs, context);
    if (!check.matches) {
      throw new StepFailedError(`Property ${check.selector} is ${JSON.stringify(check.actual ?? null)}; expected one of ${JSON.stringify(check.desired)}`);
    }
    return { outputs: {}, response: check.actual };
  },
};
