/**
 * The IAM actions an Automation document needs, derived from its steps: the API a step names
 * (`aws:executeAwsApi`, `aws:assertAwsResourceProperty`, `aws:waitForAwsResourceProperty`) and
 * the calls an action makes on the runbook's behalf (Systems Manager's action reference and the
 * AmazonSSMAutomationRole managed policy).
 */
interface Step {
  readonly action: string;
  readonly inputs?: Record<string, unknown>;
}

const ACTION_CALLS: Record<string, (inputs: Record<string, unknown>) => string[]> = {
  'aws:changeInstanceState': (inputs) => {
    const desired = String(inputs.DesiredState ?? '');
    const change = inputs.CheckStateOnly === true ? [] : { running: ['ec2:StartInstances'], stopped: ['ec2:StopInstances'], terminated: ['ec2:TerminateInstances'] }[desired] ?? [];
    return [...change, 'ec2:DescribeInstances', ...(desired === 'running' ? ['ec2:DescribeInstanceStatus'] : [])];
  },
  'aws:createImage': () => ['ec2:CreateImage', 'ec2:DescribeImages'],
  'aws:runCommand': () => ['ssm:SendCommand', 'ssm:ListCommands', 'ssm:ListCommandInvocations'],
  // The project's scripts compute and decide; they call no AWS API (test/runbooks/runbook-scripts.test.ts).
  'aws:executeScript': () => [],
  // The child runs under the role passed in its parameters, so the parent must be able to pass it.
  'aws:executeAutomation': () => ['ssm:StartAutomationExecution', 'ssm:GetAutomationExecution', 'iam:PassRole'],
};

const API_ACTIONS = new Set(['aws:executeAwsApi', 'aws:assertAwsResourceProperty', 'aws:waitForAwsResourceProperty']);
const NO_CALLS = new Set(['aws:branch', 'aws:sleep', 'aws:approve']);

export function actionsNeededBy(steps: readonly Step[]): string[] {
  const needed = new Set<string>();
  for (const step of steps) {
    const inputs = step.inputs ?? {};
    const calls = ACTION_CALLS[step.action];
    if (API_ACTIONS.has(step.action)) {
      needed.add(`${String(inputs.Service).toLowerCase()}:${String(inputs.Api)}`);
      // Tags given to a creating call are authorised as ec2:CreateTags too (EC2 User Guide, "Grant permission to tag resources during creation").
      if (inputs.TagSpecifications !== undefined) needed.add('ec2:CreateTags');
    }
    else if (calls) for (const action of calls(inputs)) needed.add(action);
    else if (!NO_CALLS.has(step.action)) throw new Error(`No IAM mapping for ${step.action}`);
  }
  return [...needed].sort();
}
