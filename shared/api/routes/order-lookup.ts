import * as S from '../schemas-lookup';
import * as CS from '../schemas-customer-service';
import * as CD from '../schemas-customer-data';
import { CUSTOMER_DATA_ERASERS, CUSTOMER_DATA_EXPORTERS, CUSTOMER_EDITORS, IF_MATCH_CUSTOMER, STAFF_LOOKUP, STAFF_NOTES, type RouteDef } from './common';

// The routes functions/order-lookup serves (its bundle carries these and no others).
export const ORDER_LOOKUP_ROUTES = {
  listOrders: {
    method: 'GET', path: '/orders', fn: 'order-lookup', auth: STAFF_LOOKUP, query: S.OrderListQuery,
    summary: 'Staff look-up by status (oldest first), customer email, channel or date range (newest first), or on its own by phone, tracking number or payment reference; each served by an index',
    responses: {
      200: { description: 'A page of orders; it may be short (even empty) while nextCursor is set: each request reads a bounded amount', schema: S.OrderSummaryList },
      400: { description: 'Invalid filters; a date-only range longer than 366 days (`to` later than now reads as now); a cursor not issued for these filters' },
    },
  },
  getOrderByNumber: {
    method: 'GET', path: '/orders/by-number/{orderNumber}', fn: 'order-lookup', summary: 'The whole order, by its number',
    auth: STAFF_LOOKUP, params: S.OrderNumberPath,
    responses: { 200: { description: 'The order', schema: S.OrderResponse }, 404: { description: 'No such order number' } },
  },
  addOrderNote: {
    method: 'POST', path: '/orders/{orderId}/notes', fn: 'order-lookup', summary: 'A staff note in the order timeline',
    auth: STAFF_NOTES, params: S.OrderIdPath, body: S.NoteRequest,
    responses: { 201: { description: 'The timeline entry', schema: S.NoteResponse }, 404: { description: 'No such order' } },
  },
  getCustomer: {
    method: 'GET', path: '/customers/{customerId}', fn: 'order-lookup', summary: 'Customer profile: order count, lifetime value, last order',
    auth: STAFF_LOOKUP, params: S.CustomerIdPath,
    responses: { 200: { description: 'The customer', schema: S.CustomerResponse }, 404: { description: 'No such customer' } },
  },
  customerOrders: {
    method: 'GET', path: '/customers/{customerId}/orders', fn: 'order-lookup', summary: "A customer's orders, newest first",
    auth: STAFF_LOOKUP, params: S.CustomerIdPath, query: S.ListQuery,
    responses: { 200: { description: 'A page of orders', schema: S.OrderSummaryList } },
  },
  orderStory: {
    method: 'GET', path: '/orders/{orderId}/story', fn: 'order-lookup',
    summary: "The order's whole story: the order, payments and refunds, fulfilments, shipments with their checkpoints, returns, notes, notifications sent and feedback, merged in time order",
    auth: STAFF_LOOKUP, params: S.OrderIdPath,
    responses: { 200: { description: 'The story', schema: CS.OrderStoryResponse }, 404: { description: 'No such order' } },
  },
  patchCustomer: {
    method: 'PATCH', path: '/customers/{customerId}', fn: 'order-lookup', summary: "Edit a customer's preferences (a null field is cleared) and tags (replaced)",
    auth: CUSTOMER_EDITORS, params: S.CustomerIdPath, body: CS.CustomerPatchRequest, headers: [IF_MATCH_CUSTOMER],
    responses: {
      200: { description: 'The customer as changed', schema: S.CustomerResponse, headers: ['ETag'] },
      400: { description: 'Invalid preferences or tags; no version given' },
      404: { description: 'No such customer' },
      409: { description: 'The customer changed since that version' },
    },
  },
  exportCustomer: {
    method: 'GET', path: '/customers/{customerId}/export', fn: 'order-lookup',
    summary: 'Everything held about a customer as one document: the profile, every order with its timeline, payments, refunds, shipments and tracking, returns, notes, feedback, notifications and the e-mails sent to them',
    auth: CUSTOMER_DATA_EXPORTERS, params: S.CustomerIdPath, query: CD.CustomerExportQuery,
    responses: {
      200: { description: 'The export; `complete: false` with `nextCursor` when the customer has more orders than one answer reads', schema: CD.CustomerExportResponse },
      400: { description: 'A cursor not issued for this customer' },
      404: { description: 'No such customer' },
    },
  },
  eraseCustomer: {
    method: 'POST', path: '/customers/{customerId}/erase', fn: 'order-lookup',
    summary: "Erase a customer's personal data (name, e-mail, phone, addresses, what they wrote) from the profile and every order, keeping the financial records; audited, and safe to repeat",
    auth: CUSTOMER_DATA_ERASERS, params: S.CustomerIdPath, body: CD.CustomerErasureRequest,
    responses: {
      200: { description: 'Erased: the audit record, COMPLETE (also for a repeated request, which changes nothing)', schema: CD.CustomerErasureResponse },
      202: { description: 'The profile is erased and some orders are left (IN_PROGRESS): the same request again goes on where this one stopped', schema: CD.CustomerErasureResponse },
      400: { description: 'No reason given' },
      404: { description: 'No such customer' },
      409: { description: 'The profile changed while it was being erased: nothing was written; try again' },
    },
  },
} as const satisfies Record<string, RouteDef>;
