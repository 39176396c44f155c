/** The IAM statements every rule function needs for the engine's own calls (see src/facts/permissions.ts for the sources'). */
import type { PermissionStatement } from '../aws/iam.js';
import { LEDGER_PREFIX } from './s3-result-ledger.js';

/** @param ruleId the rule's id: its ledger keys are `stale-ledger/<NamePrefix><id>/…`, and it may touch no other rule's. */
export function enginePermissions(ruleId: string): PermissionStatement[] {
  const ledgerRoot = `${LEDGER_PREFIX}/\${NamePrefix}${ruleId}/`;
  return [
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
      comment: "Read when the stale-result ledger has no record. A rule's ARN ends in an id Config generates, so it cannot be named here.",
    },
    {
      Sid: 'KeepOwnStaleResultLedger',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${StateBucket}/${ledgerRoot}*` },
      comment: "The rule's own ledger keys only (src/engine/s3-result-ledger.ts); DeleteObjects is authorised as s3:DeleteObject.",
    },
    {
      Sid: 'ListOwnStaleResultMarks',
      Action: ['s3:ListBucket'],
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${StateBucket}' },
      Condition: { StringLike: { 's3:prefix': { 'Fn::Sub': `${ledgerRoot}*` } } },
    },
    {
      Sid: 'UseStateBucketKey',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { Ref: 'StateBucketKmsKeyArn' },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } } },
      onlyIf: 'StateBucketCustomerKey',
      comment: 'Only with a customer-managed key on the state bucket, and only through S3.',
    },
  ];
}
