import type { Logger } from 'pino';
import { AppConfig, loadConfig } from '../config/app-config';
import { createRootLogger } from './logger';

/**
 * The configuration and the process's logger, for the entry points: the configuration's warnings (development
 * secrets, loopback targets) go to the log as JSON lines like everything after them, once the log level they
 * configure is known. A configuration error is thrown, for the entry point to print before any logger exists.
 */
export function startUp(): { config: AppConfig; logger: Logger } {
  const warnings: string[] = [];
  const config = loadConfig(process.env, (warning) => warnings.push(warning));
  const logger = createRootLogger(config);
  for (const warning of warnings) logger.warn({ context: 'Configuration' }, warning);
  return { config, logger };
}
