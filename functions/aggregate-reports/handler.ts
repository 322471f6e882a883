import { reportAggregationOver } from '../../shared/app/report-aggregation';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { REMEMBERED_TRAILS, makeHandler } from './aggregate-reports';

const config = loadConfig();

export const handler = makeHandler({ reports: reportAggregationOver({ doc: documentClient, tableName: config.TABLE_NAME }, { rememberTrails: REMEMBERED_TRAILS }), now: () => new Date() });
