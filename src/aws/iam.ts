/** An IAM policy statement as the template generator writes it; `Resource` is a CloudFormation value. */
export interface PermissionStatement {
  readonly Sid: string;
  readonly Action: readonly string[];
  readonly Resource: unknown;
  /** An IAM Condition block (CloudFormation values allowed). */
  readonly Condition?: unknown;
  /** A template condition: the statement exists only when it holds. */
  readonly onlyIf?: string;
  /** Why the statement is as wide or as narrow as it is; written above it in the template. */
  readonly comment?: string;
}
