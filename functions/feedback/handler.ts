import { feedbackSteps } from '../../shared/app/feedback';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './feedback';

const config = loadConfig();

export const handler = makeHandler({ feedback: feedbackSteps({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
