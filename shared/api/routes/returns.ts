import * as S from '../schemas-returns';
import { RETRY_KEY, STAFF_LOOKUP, type RouteDef } from './common';

/** who may see returns: the storefront (its own orders) and staff */
const RETURN_READERS = ['storefront', ...STAFF_LOOKUP] as const;
/** who decides on a request: customer service */
const RETURN_DECIDERS = ['cs', 'admin'] as const;

// The routes functions/returns serves (its bundle carries these and no others).
export const RETURNS_ROUTES = {
  // --- after-sales: returns (RMA) and claims (退換貨) ---
  createReturn: {
    method: 'POST', path: '/orders/{orderId}/returns', fn: 'returns',
    summary: 'Request a return or claim of delivered units (storefront: its own order, within the return window)',
    auth: ['storefront', 'cs', 'admin'], params: S.OrderIdPath, body: S.CreateReturnRequest, headers: [RETRY_KEY],
    responses: {
      201: { description: 'REQUESTED, or APPROVED when the return rules say so', schema: S.ReturnResponse, headers: ['location'] },
      403: { description: 'A storefront after the return window (customer service can still help)' },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'Not delivered; more than delivered and not yet returned; the Idempotency-Key was used with another request' },
      422: { description: 'No line of that SKU; a replacement on anything but an exchange, a settlement on anything but a claim' },
    },
  },
  listOrderReturns: {
    method: 'GET', path: '/orders/{orderId}/returns', fn: 'returns', summary: "An order's returns and claims",
    auth: RETURN_READERS, params: S.OrderIdPath,
    responses: { 200: { description: 'Oldest first', schema: S.ReturnList }, 404: { description: 'No such order (or not yours)' } },
  },
  listReturns: {
    method: 'GET', path: '/returns', fn: 'returns',
    summary: 'Returns, exchanges and claims in a status, oldest first (staff; `status` is required: each state is a queue to work through)',
    auth: STAFF_LOOKUP, query: S.ReturnListQuery,
    responses: { 200: { description: 'A page, oldest first; with `type`, a page may hold fewer than `limit` while `nextCursor` is set', schema: S.ReturnPage } },
  },
  getReturn: {
    method: 'GET', path: '/returns/{returnId}', fn: 'returns', summary: 'One return or claim',
    auth: RETURN_READERS, params: S.ReturnPath,
    responses: { 200: { description: 'The return', schema: S.ReturnResponse }, 404: { description: 'No such return (or not yours)' } },
  },
  approveReturn: {
    method: 'POST', path: '/returns/{returnId}/approve', fn: 'returns', summary: 'Approve a request (a claim is refunded now)',
    auth: RETURN_DECIDERS, params: S.ReturnPath,
    responses: {
      200: { description: 'APPROVED (a claim: REFUNDED); approving again changes nothing', schema: S.ReturnResponse },
      404: { description: 'No such return' },
      409: { description: 'Rejected' },
    },
  },
  rejectReturn: {
    method: 'POST', path: '/returns/{returnId}/reject', fn: 'returns', summary: 'Reject a request (its units may be asked for again)',
    auth: RETURN_DECIDERS, params: S.ReturnPath, body: S.ReasonRequest,
    responses: { 200: { description: 'REJECTED', schema: S.ReturnResponse }, 404: { description: 'No such return' }, 409: { description: 'Approved or further' } },
  },
  receiveReturn: {
    method: 'POST', path: '/returns/{returnId}/receive', fn: 'returns',
    summary: 'The parcel arrived: per line restocked (resellable) or written off (damaged); the received units are refunded',
    auth: ['ops', 'admin'], params: S.ReturnPath, body: S.ReceiveReturnRequest,
    responses: {
      200: { description: 'REFUNDED (RECEIVED when nothing was captured); receiving again changes nothing', schema: S.ReturnResponse },
      404: { description: 'No such return' },
      409: { description: 'Not approved; a claim (nothing comes back)' },
      422: { description: 'More received than returned; a SKU the return lacks' },
    },
  },
  closeReturn: {
    method: 'POST', path: '/returns/{returnId}/close', fn: 'returns', summary: 'Close a settled return (the order may then complete)',
    auth: ['ops', 'cs', 'admin'], params: S.ReturnPath,
    responses: { 200: { description: 'CLOSED', schema: S.ReturnResponse }, 404: { description: 'No such return' }, 409: { description: 'Not settled yet' } },
  },
} as const satisfies Record<string, RouteDef>;
