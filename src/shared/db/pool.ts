/**
 * node-postgres pools whose failures are converted where the driver raises them: an error that
 * node-postgres raises itself (no connection within the timeout, connection refused, reset or
 * terminated) or a server error of the connection classes (SQLSTATE 08…, 57P01–57P03 shutdown,
 * 53300 too many connections) rejects with `DependencyUnavailableError('postgres')`. Any other
 * server error (a constraint, bad SQL, bad credentials) and any programming error (a TypeError)
 * stays what it is. Both the Prisma client (src/shared/db/client.ts, through @prisma/adapter-pg,
 * which passes such errors through unchanged) and the PostgreSQL artifact store use these pools.
 */
import pg from 'pg';
import { DependencyUnavailableError } from '../errors.ts';

const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]$|53300$)/;

export function classifyPgError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof DependencyUnavailableError) return error;
  if (error instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(error.code ?? '') ? new DependencyUnavailableError('postgres', error) : error;
  // node-postgres's own failures are plain `Error`s; the socket's are system errors (with a syscall).
  const systemError = typeof (error as NodeJS.ErrnoException).syscall === 'string';
  return systemError || Object.getPrototypeOf(error) === Error.prototype ? new DependencyUnavailableError('postgres', error) : error;
}

type Callback = (error: Error | undefined, ...rest: unknown[]) => void;

/** Wraps a callback-or-promise call: the rejection or the callback's error is classified. */
function classifyCall(call: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  const last = args.at(-1);
  if (typeof last === 'function') {
    const callback = last as Callback;
    return call(...args.slice(0, -1), (error: Error | undefined, ...rest: unknown[]) => callback(error && (classifyPgError(error) as Error), ...rest));
  }
  const result = call(...args);
  return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(classifyPgError(error))) : result; // a Submittable (stream) is returned as is
}

const classified = new WeakSet<object>();

function classifyQueries(target: { query: (...args: never[]) => unknown }): void {
  if (classified.has(target)) return; // a pool hands out the same client many times
  classified.add(target);
  const query = target.query.bind(target) as (...args: unknown[]) => unknown;
  target.query = ((...args: unknown[]) => classifyCall(query, args)) as typeof target.query;
}

export function createPgPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = ((...args: unknown[]) => {
    const result = classifyCall(connect, args);
    if (result instanceof Promise) return result.then((client: pg.PoolClient) => (classifyQueries(client), client));
    return result;
  }) as typeof pool.connect;
  classifyQueries(pool);
  return pool;
}
