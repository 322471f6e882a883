import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { locationRepository } from './location-repository';
import { orderRepository } from './order-repository';
import { productRepository } from './product-repository';
import { stockRepository } from './stock-repository';

/** All repositories over one table. */
export function repositories(doc: DynamoDBDocumentClient, tableName: string) {
  const ctx = { doc, tableName };
  return {
    products: productRepository(ctx), stock: stockRepository(ctx), locations: locationRepository(ctx), orders: orderRepository(ctx),
  };
}
export type Repositories = ReturnType<typeof repositories>;
