import { ArgumentsHost, Logger } from '@nestjs/common';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { knex } from '@mikro-orm/knex';
import { DatabaseError } from 'pg';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createRootLogger, PinoNestLogger } from '../logging/logger';
import { loggableError, statementFailure } from './statement-failure';

const KEY_HASH = 'a0aa4a6f0c9e2b7d3c1e5f8a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3c339';

/** What knex makes of a failed statement: the SQL with its parameters inlined, then PostgreSQL's message. */
function failedLookUp(): DatabaseError {
  const error = new DatabaseError(`SELECT id FROM api_key WHERE key_hash = '${KEY_HASH}' - canceling statement due to user request`, 0, 'error');
  return Object.assign(error, { code: '57014', routine: 'ProcessInterrupts' });
}

const LOOK_UP = `SELECT id, tenant_id, scopes FROM api_key WHERE key_hash = '${KEY_HASH}'`;

/**
 * What knex's executeQuery makes of any error a query fails with, pg's plain Errors included: the message rewritten
 * as `<the SQL, values inlined> - <the message>` (MikroORM inlined them before knex saw the SQL), the stack untouched
 * (V8 writes its first line from the message when it is first read).
 */
function rewrittenByKnex(error: Error, sql = LOOK_UP): Error {
  error.message = `${sql} - ${error.message}`;
  return error;
}

/** A knex timeout (a pool with no connection free, or .timeout()): its own message, the statement as `sql` and `bindings`. */
function knexTimeout(): Error {
  return Object.assign(new knex.KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), {
    sql: 'SELECT id FROM api_key WHERE key_hash = ?',
    bindings: [KEY_HASH],
  });
}

/** The error as pino writes it: message, stack, every enumerable field, causes. */
function written(error: unknown): string {
  const lines: string[] = [];
  createRootLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) }).error({ err: error }, 'failed');
  return lines.join('');
}

describe('loggableError', () => {
  it("logs a failed statement by its fault alone, never its SQL or parameters", () => {
    for (const error of [failedLookUp(), new DriverException(failedLookUp()), new UniqueConstraintViolationException(Object.assign(failedLookUp(), { code: '23505', constraint: 'api_key_key_hash_unique', detail: `Key (key_hash)=(${KEY_HASH}) already exists.` }))]) {
      const loggable = loggableError(error) as Error;
      expect(`${loggable.message}\n${loggable.stack}`).not.toContain(KEY_HASH);
      expect(loggable.message).toMatch(/^A database statement failed \(.*code (57014|23505)/);
    }
  });

  it("logs an error knex rewrote by the client's own message, whatever its class, never its SQL or parameters", () => {
    const cases: Array<[Error, string]> = [
      [rewrittenByKnex(new Error('Connection terminated unexpectedly')), 'A database statement failed: Connection terminated unexpectedly (name Error)'],
      [rewrittenByKnex(new Error('Query read timeout')), 'A database statement failed: Query read timeout (name Error)'],
      [rewrittenByKnex(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'A database statement failed: read ECONNRESET (name Error, code ECONNRESET)'],
      // MikroORM's find/flush wrap it (the SQL a batch update, with a comment and a line break first).
      [
        new DriverException(rewrittenByKnex(new Error('Connection terminated unexpectedly'), `/* usage */\n  UPDATE api_key SET usage_count = 3 - 1 WHERE key_hash = '${KEY_HASH}'`)),
        'A database statement failed: Connection terminated unexpectedly (name DriverException)',
      ],
      [knexTimeout(), 'A database statement failed: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call? (name KnexTimeoutError)'],
      // Wrapped by someone else: pino would print the cause's message and stack.
      [new Error('Recording usage failed', { cause: rewrittenByKnex(new Error('Connection terminated unexpectedly')) }), 'A database statement failed: Connection terminated unexpectedly (name Error)'],
    ];
    for (const [error, expected] of cases) {
      const loggable = loggableError(error) as Error;
      expect(loggable.message).toBe(expected);
      expect(written(loggable)).not.toContain(KEY_HASH);
    }
  });

  it('keeps the server\'s message out, which may quote a value', () => {
    const error = rewrittenByKnex(Object.assign(new DatabaseError(`invalid input syntax for type uuid: "${KEY_HASH}"`, 0, 'error'), { code: '22P02', routine: 'string_to_uuid' }));
    expect(statementFailure(error, 'Storing 3 callbacks').message).toBe('Storing 3 callbacks failed (name error, code 22P02, routine string_to_uuid)');
  });

  it('leaves any other error as it is', () => {
    for (const error of [new Error('The receiver answered 500'), new Error('The receiver answered 500 - Internal Server Error'), new TypeError('Cannot read properties of undefined')]) {
      expect(loggableError(error)).toBe(error);
    }
  });

  it("is what the root logger writes of every error, and Nest's logger too (its ExceptionHandler logs start-up failures)", () => {
    expect(written(rewrittenByKnex(new Error('Connection terminated unexpectedly')))).toContain('A database statement failed: Connection terminated unexpectedly');
    expect(written(knexTimeout())).not.toContain(KEY_HASH);
    expect(JSON.parse(written(new Error('The receiver answered 500'))).err.message).toBe('The receiver answered 500');

    const lines: string[] = [];
    new PinoNestLogger(createRootLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) })).error(
      rewrittenByKnex(new Error('Connection terminated unexpectedly')),
      'ExceptionHandler',
    );
    expect(lines.join('')).toContain('A database statement failed: Connection terminated unexpectedly');
    expect(lines.join('')).not.toContain(KEY_HASH);
  });

  it("keeps it out of a line's message, which pino takes from the error when the line has none, and out of Nest's object lines", () => {
    const lines: string[] = [];
    const root = createRootLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    root.error({ err: rewrittenByKnex(new Error('Connection terminated unexpectedly')) });
    root.error(rewrittenByKnex(new Error('Connection terminated unexpectedly')));
    // Ours, through Nest's Logger: logger.error({ err, … }, 'what happened'), the text being the message.
    new PinoNestLogger(root).error({ err: rewrittenByKnex(new Error('Connection terminated unexpectedly')), integrationId: 'i' }, 'Unexpected error while probing', 'Prober');
    expect(lines.join('')).not.toContain(KEY_HASH);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'A database statement failed: Connection terminated unexpectedly (name Error)',
      'A database statement failed: Connection terminated unexpectedly (name Error)',
      'Unexpected error while probing',
    ]);
  });

  it('tells what an operator needs when the service cannot start: a refused connection, a failed migration', () => {
    const refused = Object.assign(new DatabaseError('password authentication failed for user "hub"', 0, 'error'), { code: '28P01', routine: 'auth_failed' });
    expect(loggableError(refused)).toBe(refused);
    const missing = Object.assign(new DatabaseError('database "hub" does not exist', 0, 'error'), { code: '3D000' });
    expect(loggableError(missing)).toBe(missing);
    const migration = Object.assign(new Error('Migration Migration20261206160000_anomalies (up) failed: Original error: column "x" already exists'), {
      name: 'MigrationError',
      cause: rewrittenByKnex(new Error('column "x" already exists'), 'alter table "anomaly" add column "x" int'),
    });
    expect(loggableError(migration)).toBe(migration);
    // A socket's own code is not the server's: its message is kept, after the SQL.
    const pipe = rewrittenByKnex(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect((loggableError(pipe) as Error).message).toBe('A database statement failed: write EPIPE (name Error, code EPIPE)');
  });

  it('keeps a failed statement out of the log line of a request that failed with it', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const reply = { status: () => reply, header: () => reply, send: () => reply };
      const host = { switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', url: '/api/me', routeOptions: { config: {} } }), getResponse: () => reply }) } as unknown as ArgumentsHost;
      new ProblemDetailsFilter().catch(new DriverException(failedLookUp()), host);
      expect(logged).toHaveBeenCalledTimes(1);
      const [entry] = logged.mock.calls[0] as [{ err: Error }];
      expect(`${entry.err.message}\n${entry.err.stack}`).not.toContain(KEY_HASH);
    } finally {
      logged.mockRestore();
    }
  });
});
