/** `aws:createImage`: CreateImage, then wait for the image to be `available`. Outputs ImageId, ImageState. */
import type { Image } from '@aws-sdk/client-ec2';
import { StepFailedError } from '../errors.js';
import { optionalBoolean, optionalString, requiredString } from './inputs.js';
import { DEFAULT_WAIT_TIMEOUT_SECONDS, POLL_INTERVAL_SECONDS, type AutomationAction } from './types.js';

export const createImage: AutomationAction = {
  name: 'aws:createImage',
  // Unconfirmed: AWS does not state this action's default; the waiting actions' hour is used.
  defaultTimeoutSeconds: DEFAULT_WAIT_TIMEOUT_SECONDS,
  run(inputs, context) {
    const request: Record<string, unknown> = { InstanceId: requiredString(inputs, 'InstanceId'), Name: requiredString(inputs, 'ImageName') };
    const description = optionalString(inputs, 'ImageDescription');
    if (description !== undefined) request['Description'] = description;
    const noReboot = optionalBoolean(inputs, 'NoReboot');
    if (noReboot !== undefined) request['NoReboot'] = noReboot;
    if (inputs['BlockDeviceMappings'] !== undefined) request['BlockDeviceMappings'] = inputs['BlockDeviceMappings'];
    const { ImageId: imageId } = context.callAws('ec2', 'CreateImage', request) as { ImageId: string };
    const state = context.poll(`image ${imageId} to be available`, POLL_INTERVAL_SECONDS, () => {
      const { Images: images } = context.callAws('ec2', 'DescribeImages', { ImageIds: [imageId] }) as { Images?: Image[] };
      const current = images?.[0]?.State;
      if (current === 'failed' || current === 'error' || current === 'invalid') throw new StepFailedError(`Image ${imageId} ended in state ${current}`);
      return current === 'available' ? current : undefined;
    });
    return { outputs: { ImageId: imageId, ImageState: state } };
  },
};
