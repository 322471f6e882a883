import { routeKey } from '../../shared/api/routes/common';
import { REPORTS_ROUTES as ROUTES } from '../../shared/api/routes/reports';
import type { Report, Reports } from '../../shared/app/reports';
import { toCsv } from '../../shared/domain/csv';
import { http, ok, router, type HttpEvent, type HttpHandler, type Reply } from '../../shared/middleware/http';

export interface ReportsDeps {
  reports: Reports;
  now: () => Date;
}

/** `Accept: text/csv` asks for CSV; anything else gets JSON. */
const wantsCsv = (event: HttpEvent) => /\btext\/csv\b/i.test(event.headers?.accept ?? '');

/** The report's rows as CSV: one column per field of the rows, in the order first seen. */
function csvOf(report: Report): string {
  const header = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  return toCsv(header, report.rows.map((r) => header.map((h) => r[h])));
}

function answer(report: Report, event: HttpEvent): Reply {
  if (!wantsCsv(event)) return ok(report);
  const name = `${report.report}${report.from ? `-${report.from}-${report.to}` : ''}.csv`;
  return {
    statusCode: 200, headers: { 'content-disposition': `attachment; filename="${name}"` },
    raw: { contentType: 'text/csv; charset=utf-8', data: csvOf(report) },
  };
}

/** GET /reports/*: thin HTTP over the report use cases, JSON or CSV. */
export function makeHandler(deps: ReportsDeps): HttpHandler {
  return router({
    [routeKey(ROUTES.salesReport)]: http(ROUTES.salesReport, async ({ query, event }) => answer(await deps.reports.sales(query), event)),
    [routeKey(ROUTES.profitReport)]: http(ROUTES.profitReport, async ({ query, event }) => answer(await deps.reports.profit(query), event)),
    [routeKey(ROUTES.paymentsReport)]: http(ROUTES.paymentsReport, async ({ query, event }) => answer(await deps.reports.payments(query), event)),
    [routeKey(ROUTES.fulfillmentTimesReport)]: http(ROUTES.fulfillmentTimesReport, async ({ query, event }) =>
      answer(await deps.reports.fulfillmentTimes(query), event)),
    [routeKey(ROUTES.returnsReport)]: http(ROUTES.returnsReport, async ({ query, event }) => answer(await deps.reports.returns(query), event)),
    [routeKey(ROUTES.inventoryReport)]: http(ROUTES.inventoryReport, async ({ query, event }) =>
      answer(await deps.reports.inventory(query, deps.now()), event)),
  });
}
