/** An IAM policy statement as the template generator writes it; `Resource` is a CloudFormation value. */
export interface PermissionStatement {
  readonly Sid: string;
  readonly Action: readonly string[];
  readonly Resource: unknown;
  /** Why the statement is as wide or as narrow as it is; written above it in the template. */
  readonly comment?: string;
}
