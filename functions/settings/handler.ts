import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { settingsRepository } from '../../shared/store/settings-repository';
import { makeHandler } from './settings';

const config = loadConfig();

export const handler = makeHandler({
  settings: settingsRepository({ doc: documentClient, tableName: config.TABLE_NAME }),
  now: () => new Date(),
});
