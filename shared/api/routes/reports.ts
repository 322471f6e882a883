import * as S from '../schemas-reports';
import { MONEY_STAFF, type RouteDef } from './common';

/** sales, profit, payments, returns and processing times: finance and admin; the inventory report: ops too */
const REPORT_READERS = MONEY_STAFF;
const INVENTORY_REPORT_READERS: RouteDef['auth'] = ['ops', ...MONEY_STAFF];
const REPORT_RESPONSES = {
  200: { description: 'The report as JSON, or as CSV (UTF-8 with BOM, header row) for `Accept: text/csv`' },
  400: { description: 'Bad range, grouping or currency' },
};

// The routes functions/reports serves: they read only the pre-aggregated counters (and, for
// inventory, the stock levels and the sales velocity).
export const REPORTS_ROUTES = {
  salesReport: {
    method: 'GET', path: '/reports/sales', fn: 'reports', auth: REPORT_READERS, query: S.SalesReportQuery,
    summary: 'Orders, units, revenue, discounts and refunds of paid orders by day, week, month, channel or SKU',
    responses: REPORT_RESPONSES,
  },
  profitReport: {
    method: 'GET', path: '/reports/profit', fn: 'reports', auth: REPORT_READERS, query: S.SalesReportQuery,
    summary: 'Revenue - cost of goods (captured at placement) - refunds - payment fees', responses: REPORT_RESPONSES,
  },
  paymentsReport: {
    method: 'GET', path: '/reports/payments', fn: 'reports', auth: REPORT_READERS, query: S.TimeReportQuery,
    summary: 'Payments and amounts per method', responses: REPORT_RESPONSES,
  },
  fulfillmentTimesReport: {
    method: 'GET', path: '/reports/fulfillment-times', fn: 'reports', auth: REPORT_READERS, query: S.TimeReportQuery,
    summary: 'Stage durations placed→approved→paid→shipped→delivered: count, mean, p50, p90 (seconds)', responses: REPORT_RESPONSES,
  },
  returnsReport: {
    method: 'GET', path: '/reports/returns', fn: 'reports', auth: REPORT_READERS, query: S.ReturnsReportQuery,
    summary: 'Return requests by kind, returned units per SKU (with the return rate) and per reason, rejections and receipts',
    responses: REPORT_RESPONSES,
  },
  inventoryReport: {
    method: 'GET', path: '/reports/inventory', fn: 'reports', auth: INVENTORY_REPORT_READERS, query: S.InventoryReportQuery,
    summary: 'On hand, reserved, available, value at cost, sales velocity and days of cover per SKU and location', responses: REPORT_RESPONSES,
  },
} as const satisfies Record<string, RouteDef>;
