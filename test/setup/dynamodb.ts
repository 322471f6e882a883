// Global setup of the integration project: one in-memory DynamoDB endpoint for the whole run.
import type { TestProject } from 'vitest/node';
import { startLocalDynamo } from '../../infra/local/dynamodb';

export default async function setup({ provide }: TestProject) {
  const dynamo = await startLocalDynamo();
  provide('dynamoUrl', dynamo.url);
  return async () => {
    await dynamo.stop();
  };
}
