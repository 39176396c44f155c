/** Lambda entry point of the `ena-image-enabled` AWS Config rule (periodic). */
import { imageEnabledCheck } from '../../src/checks/image-enabled.js';
import { createConfigRuleHandler } from '../../src/engine/lambda-handler.js';
import { AwsImageReader } from '../../src/facts/aws-image-reader.js';

export const handler = createConfigRuleHandler(({ ec2 }) => imageEnabledCheck(new AwsImageReader(ec2)));
