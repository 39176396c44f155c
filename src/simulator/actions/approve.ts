/**
 * `aws:approve`: a simulated approval. The caller decides in the run options (default: approve).
 * A rejection fails the step. Outputs ApprovalStatus and ApproverDecisions.
 */
import { InvalidInputError, StepFailedError } from '../errors.js';
import { optionalString } from './inputs.js';
import type { AutomationAction } from './types.js';

export const approve: AutomationAction = {
  name: 'aws:approve',
  run(inputs, context) {
    const approvers = inputs['Approvers'];
    if (!Array.isArray(approvers) || approvers.length === 0) throw new InvalidInputError('Input Approvers is required and must be a non-empty list');
    const topic = optionalString(inputs, 'NotificationArn');
    // AWS requires the SNS topic name to start with "Automation".
    if (topic !== undefined && !/^arn:aws[a-z-]*:sns:[^:]*:\d{12}:Automation/.test(topic)) {
      throw new InvalidInputError(`Input NotificationArn ${topic}: the SNS topic name must start with "Automation"`);
    }
    const decision = context.approvalDecision(inputs);
    const approver = String(approvers[0]);
    const outputs = {
      ApprovalStatus: decision,
      ApproverDecisions: [{ Approver: approver, Decision: decision === 'Approved' ? 'Approve' : 'Reject', DecisionTime: context.account.clock.now().toISOString() }],
    };
    if (decision === 'Rejected') throw new StepFailedError(`Approval rejected by ${approver}`);
    return { outputs };
  },
};
