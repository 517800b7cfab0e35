import { DriverException } from '@mikro-orm/core';
import { DatabaseError } from 'pg';

/**
 * An error for a failed statement whose parameters are other people's data (a batch of callbacks, of delivery
 * outcomes, a key's hash), safe to log and to hand to every caller of the batch (and to Bull, which keeps a failed
 * job's reason in Redis). knex writes the statement into the message of every error a query fails with, PostgreSQL's
 * or the client's own ("Connection terminated unexpectedly"), as `<the SQL, parameters inlined> - <the message>`
 * (MikroORM inlines them before knex sees the SQL); a knex timeout carries them as `sql` and `bindings`; and pg adds
 * the data near the fault (`where`, `detail`). So none of that is kept, nor the original as `cause` (the logger
 * prints causes), nor its stack (whose first line is the message): only the client's own message, which names no
 * value, and the names of the fault and of where it happened (code, routine, table, column, constraint). The server's
 * message is left out too, as it may quote a value (`invalid input syntax for type uuid: "…"`).
 */
export function statementFailure(error: unknown, what: string): Error {
  const said = clientMessage(error);
  return new Error(`${what} failed${said ? `: ${said}` : ''} (${statementFault(error)})`);
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
 * The error as it may be logged: one that comes from a statement (see `isStatementError`), or has one among its
 * causes, is logged as `statementFailure` describes it, whatever its class. Any other error is returned as it is.
 * The root logger applies this to every error it is handed (see createRootLogger); a line that puts an error's
 * message in its text takes the message from here.
 */
export function loggableError(error: unknown): unknown {
  // A failed migration is told whole: its statements are this code's own DDL, not anyone's data, and whoever repairs
  // it needs the migration's name and the server's words ("column … already exists").
  if (error instanceof Error && error.name === 'MigrationError') return error;
  let link: unknown = error;
  // A few links deep: a cause chain can be a cycle.
  for (let depth = 0; depth < 8 && link instanceof Error; depth++, link = link.cause) {
    if (isStatementError(link)) return statementFailure(link, 'A database statement');
  }
  return error;
}

/**
 * SQL as knex puts it at the start of a message: a statement's first keyword, after any comments, whitespace or an
 * opening parenthesis (a union). What follows the last ` - ` of such a message is the driver's own message.
 */
const STATEMENT_START =
  /^\s*(?:(?:\/\*[\s\S]*?\*\/|--[^\n]*(?:\n|$))\s*)*\(*\s*(?:select|insert|update|delete|with|merge|values|table|begin|start|commit|rollback|savepoint|release|set|reset|show|lock|create|alter|drop|truncate|copy|explain|call|do|listen|unlisten|notify|vacuum|analy[sz]e|grant|revoke|comment|prepare|execute|deallocate|declare|fetch|move|close|discard|refresh|reindex|cluster)\b/i;
const KNEX_SEPARATOR = ' - ';

/** knex's `<SQL> - <message>`, which any error a query fails with is turned into, whatever its class. */
function inKnexForm(message: string): boolean {
  return message.includes(KNEX_SEPARATOR) && STATEMENT_START.test(message);
}

/**
 * Whether the error comes from a statement and may carry its SQL or bound values: MikroORM's DriverException, pg's
 * DatabaseError, an error knex gave the statement to as `sql`/`bindings` (its timeouts), or any error whose message
 * knex rewrote (pg's plain Errors when a connection drops or a read times out).
 */
function isStatementError(error: Error): boolean {
  if (connectionRefusal(error)) return false;
  return error instanceof DriverException || error instanceof DatabaseError || 'sql' in error || 'bindings' in error || inKnexForm(error.message);
}

/**
 * SQLSTATE classes of a connection refused or lost before any statement (08 connection exception, 28 invalid
 * authorization, 3D no such database, 53 insufficient resources, 57 operator intervention): their messages name a
 * user, a database or a limit, never data, and are what an operator needs when the service cannot start.
 */
const CONNECTION_CLASSES = /^(08|28|3D|53|57)/;

function connectionRefusal(error: Error): boolean {
  const { code } = error as { code?: unknown };
  return error instanceof DatabaseError && typeof code === 'string' && CONNECTION_CLASSES.test(code) && !inKnexForm(error.message);
}

/**
 * The client's (pg's, knex's, the socket's) own message, after knex's SQL: it names no value. None for the server's
 * message, which may quote one.
 */
function clientMessage(error: unknown): string | undefined {
  if (!(error instanceof Error) || fromServer(error)) return undefined;
  const { message } = error;
  return inKnexForm(message) ? message.slice(message.lastIndexOf(KNEX_SEPARATOR) + KNEX_SEPARATOR.length) : message;
}

/** PostgreSQL's answer: a DatabaseError, or a DriverException that copied one's fields (a severity, a SQLSTATE, a routine). */
function fromServer(error: Error): boolean {
  const { severity, code, routine } = error as { severity?: unknown; code?: unknown; routine?: unknown };
  // A SQLSTATE has five characters, digits among them; Node's error codes (EPIPE) are letters only.
  return error instanceof DatabaseError || typeof severity === 'string' || typeof routine === 'string' || (typeof code === 'string' && /^(?=.*\d)[0-9A-Z]{5}$/.test(code));
}
