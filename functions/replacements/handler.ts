import { replacementSteps } from '../../shared/app/replacements';
import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { makeHandler } from './replacements';

const config = loadConfig();

export const handler = makeHandler({ replacements: replacementSteps({ doc: documentClient, tableName: config.TABLE_NAME }), now: () => new Date() });
