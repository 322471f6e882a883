import * as z from 'zod';
import { reportAggregationOver } from '../../shared/app/report-aggregation';
import { documentClient } from '../../shared/aws';
import { retrySoonerOn } from '../../shared/aws-sqs-retry';
import { Config, parseConfig } from '../../shared/config';
import { REMEMBERED_TRAILS, makeHandler } from './aggregate-reports';

/** QUEUE_URL: the reports queue this function consumes (set by infra for steps that retry sooner) */
const config = parseConfig(Config.extend({ QUEUE_URL: z.string().min(1).optional() }));

export const handler = makeHandler({
  reports: reportAggregationOver({ doc: documentClient, tableName: config.TABLE_NAME }, { rememberTrails: REMEMBERED_TRAILS }),
  now: () => new Date(),
  ...(config.QUEUE_URL ? { retrySooner: retrySoonerOn(config.QUEUE_URL) } : {}),
});
