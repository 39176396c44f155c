/**
 * What a deployed ena-guard stack adds to an account that its runbooks rely on, for simulations
 * of the stack's runbooks (the CLI's `simulate`, the runbook tests): the runbooks' lock table, as
 * infra/base.yaml declares it without a NamePrefix (a template test compares the two).
 */
import type { DynamoDbTableDefinition } from './dynamodb-model.js';

export const RUNBOOK_LOCK_TABLE: DynamoDbTableDefinition = { TableName: 'EnaGuard-Locks', KeyAttribute: 'LockId' };
