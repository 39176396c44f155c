/** Lambda entry point of the `ena-instance-enabled` AWS Config rule. */
import { instanceEnabledCheck } from '../../src/checks/instance-enabled.js';
import { createConfigRuleHandler } from '../../src/engine/lambda-handler.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';

export const handler = createConfigRuleHandler(({ ec2 }) =>
  instanceEnabledCheck(new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2))),
);
