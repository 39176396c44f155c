/** Lambda entry point of the `ena-driver-current` AWS Config rule. */
import { driverCurrentCheck } from '../../src/checks/driver-current.js';
import { createConfigRuleHandler } from '../../src/engine/lambda-handler.js';
import { AwsFleetReader } from '../../src/facts/aws-fleet-reader.js';
import { AwsInventoryReader } from '../../src/facts/aws-inventory-reader.js';
import { InstanceTypeCatalog } from '../../src/facts/instance-type-catalog.js';

export const handler = createConfigRuleHandler(({ ec2, ssm }) =>
  driverCurrentCheck(new AwsFleetReader(ec2, new InstanceTypeCatalog(ec2)), new AwsInventoryReader(ssm)),
);
