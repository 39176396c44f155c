/** `aws:executeAwsApi`: one API call; declared outputs select from the response. */
import { apiParameters, requiredString } from './inputs.js';
import type { AutomationAction } from './types.js';

export const executeAwsApi: AutomationAction = {
  name: 'aws:executeAwsApi',
  run(inputs, context) {
    const response = context.callAws(requiredString(inputs, 'Service'), requiredString(inputs, 'Api'), apiParameters(inputs, ['Service', 'Api']));
    return { outputs: {}, response };
  },
};
