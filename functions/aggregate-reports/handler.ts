import { reportAggregationOver } from '../../shared/app/report-aggregation';
import { documentClient } from '../../shared/aws';
import { retrySoonerFor } from '../../shared/aws-sqs-retry';
import { parseConfig, QueuedStepConfig } from '../../shared/config';
import { REMEMBERED_TRAILS, makeHandler } from './aggregate-reports';

const config = parseConfig(QueuedStepConfig);

export const handler = makeHandler({
  reports: reportAggregationOver({ doc: documentClient, tableName: config.TABLE_NAME }, { rememberTrails: REMEMBERED_TRAILS }),
  now: () => new Date(),
  ...retrySoonerFor(config.QUEUE_URL),
});
