import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';
import pino, { Bindings, ChildLoggerOptions, DestinationStream, Level, Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { loggableError } from '../database/statement-failure';

/**
 * One pino logger per process, JSON lines. Fastify uses it for request logs (each line carries `reqId`, the
 * id also returned in `X-Request-Id`), Nest's Logger writes through it, and commands log their request id.
 * We use Fastify's own logging rather than a per-request middleware: it costs nearly nothing when the level
 * filters the line out, where pino-http's child logger per request cost a large share of throughput.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'req.headers.cookie', '*.apiKey', '*.secret', '*.token'], censor: '[redacted]' },
    // Every error handed to a log call, ours, Fastify's or Nest's, as the line's object or its `err`: a failed
    // statement's error carries its SQL with the values (a key's hash, sealed credentials) in its message and
    // stack, whatever its class. Here, before pino takes a line's missing message from the error's.
    hooks: {
      logMethod(args, method) {
        const [first] = args as unknown[];
        if (first instanceof Error) (args as unknown[])[0] = loggableError(first);
        else if (isObject(first) && first.err instanceof Error) (args as unknown[])[0] = { ...first, err: loggableError(first.err) };
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Fastify's `childLoggerFactory`: the request's logger (`request.log`, carrying `reqId`) made only when the request
 * writes a line. Fastify asks for one per request, and pino's child() (bindings serialised through redaction,
 * level methods set up) was a measurable share of a request that writes nothing, as health probes and reads at
 * the default level do (bench/auth).
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // Fastify's logger is the pino root logger given as its loggerInstance (createRootLogger).
  return new LazyChildLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
}

/** The part of pino's Logger that Fastify and our hooks use; the real child is made on the first line written. */
class LazyChildLogger {
  readonly level: string;
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    this.level = options.level || parent.level;
  }

  isLevelEnabled(level: string): boolean {
    const values = this.parent.levels.values;
    return values[level] >= values[this.level];
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger().child(bindings, options);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  silent(): void {}

  private logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.logger();
    (logger[level] as (...line: unknown[]) => void).apply(logger, args);
  }
}

/** Nest's LoggerService over pino: `logger.log({ ... }, 'message')` keeps the object as structured fields. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest passes the context (the class name) last; an Error's stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (isObject(message) && !(message instanceof Error)) {
      // Ours: logger.error({ …fields }, 'what happened'). Nest would read that text as a stack; it is the message.
      this.logger[level]({ ...fields, ...message }, typeof rest[0] === 'string' ? rest[0] : undefined);
      return;
    }
    if (typeof rest[rest.length - 1] === 'string' && level === 'error') fields.stack = rest.pop();
    if (message instanceof Error) {
      // Nest's ExceptionHandler logs what failed at start-up this way: a failed statement's message holds its SQL.
      const loggable = loggableError(message) as Error;
      this.logger[level]({ ...fields, err: loggable }, loggable.message);
    } else this.logger[level](fields, String(message));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
