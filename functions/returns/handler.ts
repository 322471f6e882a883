import { feedbackSteps } from '../../shared/app/feedback';
import { returnSteps } from '../../shared/app/returns';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './returns';

const config = loadConfig();
const table = { doc: documentClient, tableName: config.TABLE_NAME };
const { returns } = returnSteps(table);

export const handler = makeHandler({ returns, feedback: feedbackSteps(table), now: () => new Date() });
