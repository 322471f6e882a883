import { returnSteps } from '../../shared/app/returns';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './returns';

const config = loadConfig();
const { returns } = returnSteps({ doc: documentClient, tableName: config.TABLE_NAME });

export const handler = makeHandler({ returns, now: () => new Date() });
