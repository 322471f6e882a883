import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

// For the functions that publish to the bus; configured from the environment like
// the clients in shared/aws.ts.
export const eventBridge = new EventBridgeClient({});
