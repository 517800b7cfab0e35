import { ArgumentsHost, Logger } from '@nestjs/common';
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { DatabaseError } from 'pg';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { loggableError } from './statement-failure';

const KEY_HASH = 'a0aa4a6f0c9e2b7d3c1e5f8a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3c339';

/** What knex makes of a failed statement: the SQL with its parameters inlined, then PostgreSQL's message. */
function failedLookUp(): DatabaseError {
  const error = new DatabaseError(`SELECT id FROM api_key WHERE key_hash = '${KEY_HASH}' - canceling statement due to user request`, 0, 'error');
  return Object.assign(error, { code: '57014', routine: 'ProcessInterrupts' });
}

describe('loggableError', () => {
  it("logs a failed statement by its fault alone, never its SQL or parameters", () => {
    for (const error of [failedLookUp(), new DriverException(failedLookUp()), new UniqueConstraintViolationException(Object.assign(failedLookUp(), { code: '23505', constraint: 'api_key_key_hash_unique', detail: `Key (key_hash)=(${KEY_HASH}) already exists.` }))]) {
      const loggable = loggableError(error) as Error;
      expect(`${loggable.message}\n${loggable.stack}`).not.toContain(KEY_HASH);
      expect(loggable.message).toMatch(/^A database statement failed \(.*code (57014|23505)/);
    }
  });

  it('leaves any other error as it is', () => {
    const error = new Error('The receiver answered 500');
    expect(loggableError(error)).toBe(error);
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
