import { loadStageConfig } from '../../shared/config';
import { makeHandler } from './health';

const config = loadStageConfig();

export const handler = makeHandler({ stage: config.STAGE, now: () => new Date() });
