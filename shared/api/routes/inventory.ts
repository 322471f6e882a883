import * as S from '../schemas-inventory';
import { STAFF_STOCK, type RouteDef } from './common';

// The routes functions/inventory serves (its bundle carries these and no others).
export const INVENTORY_ROUTES = {
  adjustStock: {
    method: 'POST', path: '/inventory/{sku}/adjustments', fn: 'inventory', summary: 'Adjust on-hand stock (recorded in the ledger)',
    auth: STAFF_STOCK, params: S.SkuPath, body: S.AdjustmentRequest,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'A retried adjustment with the same key is applied once (answer: the current level); same key + different body is 409.' }],
    responses: {
      201: { description: 'Adjusted; the new level', schema: S.StockLevelResponse },
      404: { description: 'Unknown SKU' },
      409: { description: 'Would make on-hand negative or below reserved' },
    },
  },
  getStock: {
    method: 'GET', path: '/inventory/{sku}', fn: 'inventory', summary: 'Stock level of a SKU: totals and per location', auth: ['ops', 'cs', 'admin'], params: S.SkuPath,
    responses: { 200: { description: 'The level', schema: S.StockDetailResponse }, 404: { description: 'Unknown SKU' } },
  },
  listStock: {
    method: 'GET', path: '/inventory', fn: 'inventory', summary: 'Stock levels of all products, or (below=reorderPoint) what needs replenishing',
    auth: ['ops', 'cs', 'admin'], query: S.StockListQuery,
    responses: { 200: { description: 'A page of stock levels, or of replenishment advice', schema: S.StockListResponse } },
  },
  stockLedger: {
    method: 'GET', path: '/inventory/{sku}/ledger', fn: 'inventory', summary: 'Stock movements of a SKU, newest first',
    auth: ['ops', 'cs', 'admin'], params: S.SkuPath, query: S.ListQuery,
    responses: { 200: { description: 'A page of ledger entries', schema: S.LedgerList }, 404: { description: 'Unknown SKU' } },
  },
  putLocation: {
    method: 'PUT', path: '/locations/{locationId}', fn: 'inventory', summary: 'Create or update a stock location', auth: STAFF_STOCK,
    params: S.LocationPath, body: S.PutLocationRequest,
    responses: {
      200: { description: 'Location updated', schema: S.LocationResponse },
      201: { description: 'Location created', schema: S.LocationResponse, headers: ['location'] },
    },
  },
  listLocations: {
    method: 'GET', path: '/locations', fn: 'inventory', summary: 'Stock locations by priority', auth: STAFF_STOCK,
    responses: { 200: { description: 'Every location', schema: S.LocationList } },
  },
} as const satisfies Record<string, RouteDef>;
