import { DriverException } from '@mikro-orm/core';
import { DatabaseError } from 'pg';

/**
 * An error for a failed statement whose parameters are other people's data (a batch of callbacks, of delivery
 * outcomes), safe to log and to hand to every caller of the batch (and to Bull, which keeps a failed job's reason
 * in Redis). knex writes the statement into its message with the parameters inlined, and pg adds the data near
 * the fault (`where`), so neither is kept, nor the original as `cause` (the logger prints causes): only the names
 * of the fault and of where it happened (code, routine, table, column, constraint).
 */
export function statementFailure(error: unknown, what: string): Error {
  return new Error(`${what} failed (${statementFault(error)})`);
}

/** The names of a failed statement's fault and of where it happened, e.g. `code 22008, routine timestamp_in`. */
export function statementFault(error: unknown): string {
  const fields = (error ?? {}) as Record<string, unknown>;
  return ['name', 'code', 'routine', 'table', 'column', 'constraint']
    .filter((name) => typeof fields[name] === 'string')
    .map((name) => `${name} ${String(fields[name])}`)
    .join(', ');
}

/**
 * The error as it may be logged: a failed statement (MikroORM's DriverException, or pg's DatabaseError from knex)
 * carries its SQL with the parameters inlined, which may be a key's hash, sealed credentials or a tenant's data, so
 * it is logged as `statementFailure` describes it. Any other error is returned as it is.
 */
export function loggableError(error: unknown): unknown {
  return error instanceof DriverException || error instanceof DatabaseError ? statementFailure(error, 'A database statement') : error;
}
