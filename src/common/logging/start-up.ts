import type { Logger } from 'pino';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { loggableError } from '../database/statement-failure';
import { createRootLogger } from './logger';

/**
 * The configuration and the process's logger, for the entry points: the configuration's warnings (development
 * secrets, loopback targets) go to the log as JSON lines like everything after them. They must be seen, so with a
 * LOG_LEVEL that hides warnings they go to stderr as plain text as well. A configuration error is thrown, for
 * `reportStartUpFailure` to print before any logger exists.
 */
export function startUp(): { config: AppConfig; logger: Logger } {
  const warnings: string[] = [];
  const config = loadConfig(process.env, (warning) => warnings.push(warning));
  const logger = createRootLogger(config);
  for (const warning of warnings) {
    if (logger.isLevelEnabled('warn')) logger.warn({ context: 'Configuration' }, warning);
    else console.warn(warning);
  }
  return { config, logger };
}

/**
 * Why the process could not start, through its logger when it has one (a fatal JSON line), else on stderr; then exits.
 * A statement that failed (the bootstrap key's look-up or insert, a migration) is told by its fault alone: its SQL
 * holds the values, the hash of BOOTSTRAP_API_KEY among them.
 */
export function reportStartUpFailure(error: Error, logger: Logger | undefined): never {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    const loggable = loggableError(error) as Error;
    if (logger) logger.fatal({ err: loggable }, `Could not start: ${loggable.message}`);
    else console.error(loggable.stack ?? loggable.message);
  }
  process.exit(1);
}
