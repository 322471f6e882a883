import * as S from '../schemas-catalog';
import { ANY_ROLE } from '../../middleware/auth';
import { STAFF_STOCK, type RouteDef } from './common';

// The routes functions/catalog serves (its bundle carries these and no others).
export const CATALOG_ROUTES = {
  putProduct: {
    method: 'PUT', path: '/products/{sku}', fn: 'catalog', summary: 'Create or replace a product', auth: STAFF_STOCK,
    params: S.SkuPath, body: S.PutProductRequest,
    responses: {
      200: { description: 'Product replaced', schema: S.ProductResponse },
      201: { description: 'Product created', schema: S.ProductResponse, headers: ['location'] },
      422: { description: 'Price and cost in different currencies' },
    },
  },
  getProduct: {
    method: 'GET', path: '/products/{sku}', fn: 'catalog', summary: 'Get a product (cost for staff only)', auth: ANY_ROLE, params: S.SkuPath,
    responses: { 200: { description: 'The product', schema: S.ProductResponse }, 404: { description: 'Unknown SKU' } },
  },
  listProducts: {
    method: 'GET', path: '/products', fn: 'catalog', summary: 'List products by SKU (cost for staff only)', auth: ANY_ROLE, query: S.ListQuery,
    responses: { 200: { description: 'A page of products', schema: S.ProductList } },
  },
} as const satisfies Record<string, RouteDef>;
