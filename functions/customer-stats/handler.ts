import { application } from '../../shared/app';
import { documentClient } from '../../shared/aws';
import { retrySoonerFor } from '../../shared/aws-sqs-retry';
import { parseConfig, QueuedStepConfig } from '../../shared/config';
import { makeHandler } from './customer-stats';

const config = parseConfig(QueuedStepConfig);
const { orders, customers } = application(documentClient, config.TABLE_NAME);

export const handler = makeHandler({ orders, customers, now: () => new Date(), ...retrySoonerFor(config.QUEUE_URL) });
