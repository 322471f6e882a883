import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Created once per container and reused by every invocation. Endpoints and region
// come from the SDK's own environment variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_EVENTBRIDGE, ...), which is how the local cloud points functions at
// its services: no "if local" branch here. The EventBridge client has its own module
// (shared/aws-eventbridge.ts): loading it costs every cold start about a third of
// loading the DynamoDB client, so only the functions that publish import it.
export const dynamodb = new DynamoDBClient({});

export const documentClient = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
