/**
 * The demo account's State Manager associations, typed with the SDK's output type, as
 * `aws ssm list-associations --output json` prints them (`list-associations.json`): the two the
 * stack creates (template.yaml), EnaGuard-CollectEnaDriverInventory daily and
 * AWS-GatherSoftwareInventory with custom inventory every 12 hours, both on every managed
 * instance. `simulate` seeds them into the simulated account, so that EnaGuard-UpdateEnaDriver
 * can be given {@link DEMO_INVENTORY_ASSOCIATION_ID} as its InventoryAssociationId.
 */
import type { Association, ListAssociationsResult } from '@aws-sdk/client-ssm';

/** The AWS-GatherSoftwareInventory association (EnaGuard-GatherInventory). */
export const DEMO_INVENTORY_ASSOCIATION_ID = '0a5c0ffe-e000-4000-8000-000000000001';
/** The collector's association (EnaGuard-CollectEnaDriverInventory): not an inventory association. */
export const DEMO_COLLECTOR_ASSOCIATION_ID = '0a5c0ffe-e000-4000-8000-000000000002';

const LAST_RUN = new Date(Date.UTC(2026, 10, 22, 3, 10, 0));

function association(fields: Pick<Association, 'Name' | 'AssociationId' | 'AssociationName' | 'ScheduleExpression'>): Association {
  return {
    Name: fields.Name,
    AssociationId: fields.AssociationId,
    AssociationVersion: '1',
    DocumentVersion: '$DEFAULT',
    Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
    LastExecutionDate: LAST_RUN,
    Overview: { Status: 'Success', DetailedStatus: 'Success', AssociationStatusAggregatedCount: { Success: 7 } },
    ScheduleExpression: fields.ScheduleExpression,
    AssociationName: fields.AssociationName,
  };
}

export function listAssociations(): ListAssociationsResult {
  return {
    Associations: [
      association({ Name: 'EnaGuard-CollectEnaDriverInventory', AssociationId: DEMO_COLLECTOR_ASSOCIATION_ID, AssociationName: 'EnaGuard-CollectEnaDriverInventory', ScheduleExpression: 'rate(1 day)' }),
      association({ Name: 'AWS-GatherSoftwareInventory', AssociationId: DEMO_INVENTORY_ASSOCIATION_ID, AssociationName: 'EnaGuard-GatherInventory', ScheduleExpression: 'rate(12 hours)' }),
    ],
  };
}

/** File name → content for the associations part of the demo snapshot. */
export function associationSnapshotFiles(json: (value: unknown) => string): Record<string, string> {
  return { 'list-associations.json': json(listAssociations()) };
}
