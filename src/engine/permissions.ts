/** The IAM statements every rule function needs for the engine's own calls (see src/facts/permissions.ts for the sources'). */
import type { PermissionStatement } from '../aws/iam.js';

export const ENGINE_PERMISSIONS: readonly PermissionStatement[] = [
  {
    Sid: 'ReportEvaluations',
    Action: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
    Resource: '*',
    comment:
      'PutEvaluations and GetResourceConfigHistory do not support resource-level permissions. GetResourceConfigHistory serves oversized change events; the grant follows the engine every rule ships.',
  },
  {
    Sid: 'ReadOwnResultsToClearStaleOnes',
    Action: ['config:GetComplianceDetailsByConfigRule'],
    Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*' },
  },
];
