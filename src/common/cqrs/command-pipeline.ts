import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager, RequestContext } from '@mikro-orm/postgresql';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { loggableError } from '../database/statement-failure';
import { commandDuration } from '../metrics/metrics';
import { stageDomainEvents } from '../outbox/stage-domain-events';
import type { ActingCommand, Actor } from './actor';

type Next = () => Promise<unknown>;

/** A step around every command, as MediatR's IPipelineBehavior: it may act before and after `next()`. */
export interface CommandBehaviour {
  handle(command: object, next: Next): Promise<unknown>;
}

const WITHOUT_UNIT_OF_WORK = Symbol('WITHOUT_UNIT_OF_WORK');

/**
 * For a command whose handler makes exactly one atomic write of its own (one SQL statement that stores the
 * change, its outbox event and its audit entry together): it runs without BEGIN/COMMIT around it, saving two
 * round trips on the hottest writes, and without a MikroORM context, whose fork costs more than such a handler's
 * own work; or for a handler that must not hold a transaction while it waits (see inUnitOfWork). Its handler must not
 * rely on the unit of work: it writes through `em.getConnection()`, `em.transactional` or `inUnitOfWork`, and reads
 * through `contextOrFork(em)`.
 */
export const WithoutUnitOfWork = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(WITHOUT_UNIT_OF_WORK, true, target);
};

const WITHOUT_REQUEST_CONTEXT = Symbol('WITHOUT_REQUEST_CONTEXT');

/**
 * For a query whose handler reads only through the pg driver (`queryPrepared`, `withPooledClient`), never through
 * the EntityManager's identity map: the query bus runs it without forking a MikroORM context, which on the list
 * endpoint cost more than mapping its rows. Should such a handler touch the EntityManager after all, MikroORM
 * refuses the global context (allowGlobalContext: false), so the mistake fails loudly rather than sharing state.
 */
export const WithoutRequestContext = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(WITHOUT_REQUEST_CONTEXT, true, target);
};

const afterCommitCallbacks = new AsyncLocalStorage<Array<() => Promise<void> | void>>();

/**
 * Runs `callback` once the current command's transaction has committed (and never if it rolls back): the
 * place for side effects that must not run on uncommitted data, e.g. telling other replicas to drop a cache.
 * Outside a command it runs at once. What it throws reaches the caller, on purpose: some commands commit a record
 * and then answer with an error (a refused OAuth grant, a provider check that found a conflict), so a callback
 * whose failure must not fail a committed change catches its own errors.
 */
export async function afterCommit(callback: () => Promise<void> | void): Promise<void> {
  const queue = afterCommitCallbacks.getStore();
  if (queue) queue.push(callback);
  else await callback();
}

/** Structured log line per command with its request id, outcome and duration. */
export class LoggingBehaviour implements CommandBehaviour {
  private readonly logger = new Logger('CommandBus');

  async handle(command: object, next: Next): Promise<unknown> {
    const started = performance.now();
    const name = command.constructor.name;
    const requestId = (command as Partial<ActingCommand>).actor?.requestId ?? undefined;
    try {
      const result = await next();
      this.logger.log({ command: name, requestId, ms: Math.round(performance.now() - started) }, `${name} handled`);
      return result;
    } catch (error) {
      this.logger.warn({ command: name, requestId, ms: Math.round(performance.now() - started), error: (loggableError(error) as Error).message }, `${name} failed`);
      throw error;
    }
  }
}

/** `command_duration_seconds{command,outcome}`. */
export class MetricsBehaviour implements CommandBehaviour {
  async handle(command: object, next: Next): Promise<unknown> {
    const end = commandDuration.startTimer({ command: command.constructor.name });
    try {
      const result = await next();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }
}

/**
 * Runs `work` in a transaction and commits what it changed together with the events its aggregates applied
 * (outbox and audit trail), as the unit of work does around a command. For handlers of commands marked
 * @WithoutUnitOfWork that must do slow work (a request to a user's URL) before they write: the transaction
 * spans only the write, not the wait.
 */
export function inUnitOfWork<T>(em: EntityManager, actor: Actor | undefined, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return em.transactional(async (tx) => {
    const value = await work(tx);
    await tx.flush();
    if (stageDomainEvents(tx, actor) > 0) await tx.flush();
    return value;
  });
}

/**
 * One transaction per command: the handler changes aggregates through the injected EntityManager (which
 * resolves to this transaction's fork), and the aggregates' events go to the outbox and the audit trail in the
 * same commit. After the commit, the callbacks registered with `afterCommit` run.
 */
export class UnitOfWorkBehaviour implements CommandBehaviour {
  constructor(private readonly em: EntityManager) {}

  async handle(command: object, next: Next): Promise<unknown> {
    if (Reflect.getMetadata(WITHOUT_UNIT_OF_WORK, command.constructor)) return next();
    const callbacks: Array<() => Promise<void> | void> = [];
    const result = await afterCommitCallbacks.run(callbacks, () => inUnitOfWork(this.em, (command as Partial<ActingCommand>).actor, () => next()));
    for (const callback of callbacks) await callback();
    return result;
  }
}

/**
 * Wraps the CommandBus so every command passes through the behaviours, outermost first. @nestjs/cqrs has no
 * pipeline of its own; wrapping `execute` once at start-up keeps handlers plain and unaware of it.
 * Queries get their own MikroORM context (no transaction), so read handlers never touch the global one, except
 * queries marked @WithoutRequestContext, whose handlers use none.
 */
@Injectable()
export class CommandPipeline implements OnModuleInit {
  private readonly behaviours: CommandBehaviour[];

  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly em: EntityManager,
  ) {
    this.behaviours = [new LoggingBehaviour(), new MetricsBehaviour(), new UnitOfWorkBehaviour(em)];
  }

  onModuleInit(): void {
    const execute = this.commandBus.execute.bind(this.commandBus);
    this.commandBus.execute = ((command: object, context?: unknown) =>
      this.run(command, 0, () => execute(command as never, context as never))) as CommandBus['execute'];

    const query = this.queryBus.execute.bind(this.queryBus);
    this.queryBus.execute = ((q: object) =>
      Reflect.getMetadata(WITHOUT_REQUEST_CONTEXT, q.constructor) ? query(q as never) : RequestContext.create(this.em, () => query(q as never))) as unknown as QueryBus['execute'];
  }

  private run(command: object, index: number, handler: Next): Promise<unknown> {
    const behaviour = this.behaviours[index];
    if (!behaviour) return handler();
    return behaviour.handle(command, () => this.run(command, index + 1, handler));
  }
}
