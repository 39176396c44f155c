/**
 * The naive design the issue compares against: per instance, DescribeInstances of it,
 * DescribeInstanceTypes of its type, ListInventoryEntries (driver rule only) and one
 * PutEvaluations, eight instances at a time, through the same SDK clients and fake AWS.
 */
import { PutEvaluationsCommand, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DescribeInstanceTypesCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ListInventoryEntriesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import { instanceId } from './fleet.js';

export interface NaiveOutcome {
  readonly judged: number;
  readonly total: number;
}

export async function runNaive(
  size: number,
  clients: { ec2: EC2Client; config: ConfigServiceClient; ssm: SSMClient },
  withInventory: boolean,
  concurrency = 8,
): Promise<NaiveOutcome> {
  const limit = pLimit(concurrency);
  let judged = 0;
  const one = async (index: number) => {
    try {
      const id = instanceId(index);
      const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const instance = described.Reservations?.[0]?.Instances?.[0];
      if (!instance?.InstanceType) return;
      const types = await clients.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instance.InstanceType] }));
      const ena = types.InstanceTypes?.[0]?.NetworkInfo?.EnaSupport;
      let compliant = ena === 'unsupported' || instance.EnaSupport === true;
      if (withInventory) {
        try {
          const entries = await clients.ssm.send(new ListInventoryEntriesCommand({ InstanceId: id, TypeName: 'Custom:EnaDriver' }));
          compliant = compliant && (entries.Entries?.[0]?.DriverVersion ?? '').startsWith('2.1');
        } catch (error) {
          if ((error as { name?: string }).name !== 'InvalidInstanceId') throw error;
        }
      }
      await clients.config.send(
        new PutEvaluationsCommand({
          ResultToken: 'bench-token',
          Evaluations: [{ ComplianceResourceType: 'AWS::EC2::Instance', ComplianceResourceId: id, ComplianceType: compliant ? 'COMPLIANT' : 'NON_COMPLIANT', OrderingTimestamp: new Date() }],
        }),
      );
      judged += 1;
    } catch {
      // The SDK gave up (retries exhausted): this instance goes unjudged in this run.
    }
  };
  await Promise.all(Array.from({ length: size }, (_, index) => limit(() => one(index))));
  return { judged, total: size };
}
