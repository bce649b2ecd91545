/**
 * Driver failures are converted where the drivers raise them (src/shared/db/pool.ts,
 * src/shared/redis.ts): a dependency that does not answer rejects with
 * DependencyUnavailableError; an error the server answered with stays what it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { createDb } from '../../src/shared/db/client.ts';
import { createPgPool } from '../../src/shared/db/pool.ts';
import { DependencyUnavailableError } from '../../src/shared/errors.ts';
import { createApiRedis, pingRedis } from '../../src/shared/redis.ts';
import { PgArtifactStore } from '../../src/shared/storage/pg-artifact-store.ts';
import { databaseForTest, REDIS_URL } from '../helpers/env.ts';
import { freePort } from '../helpers/processes.ts';

/** A server that accepts connections and drops them at once (as a dying database does). */
async function droppingServer(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

const unavailable = (dependency: string) => (error: unknown) => error instanceof DependencyUnavailableError && error.dependency === dependency;

test('PostgreSQL unreachable, refusing or dropping connections: Prisma calls, transactions and the pg pool reject with DependencyUnavailableError', async (t) => {
  for (const port of [await freePort(), await droppingServer(t)]) {
    const url = `postgresql://postgres@127.0.0.1:${port}/none`;
    const db = createDb(url, { connectionTimeoutMs: 500 });
    t.after(() => db.$disconnect());
    await assert.rejects(db.model.findMany(), unavailable('postgres'));
    await assert.rejects(db.$queryRaw`SELECT 1`, unavailable('postgres'));
    await assert.rejects(
      db.$transaction(async (tx) => tx.model.count()),
      unavailable('postgres'),
    );
    const store = new PgArtifactStore(url, { connectionTimeoutMs: 500 });
    t.after(() => store.close());
    await assert.rejects(store.has('0'.repeat(64)), unavailable('postgres'));
  }
});

test('PostgreSQL answering with an error (a constraint, bad SQL) is not an outage', async (t) => {
  const { url, db } = await databaseForTest(t);
  await db.apiKey.create({ data: { hash: 'h'.repeat(64), prefix: 'p', role: 'admin' } });
  await assert.rejects(
    db.apiKey.create({ data: { hash: 'h'.repeat(64), prefix: 'p', role: 'admin' } }),
    (error) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002',
  );
  await assert.rejects(db.$queryRawUnsafe('SELECT * FROM no_such_table'), (error) => !(error instanceof DependencyUnavailableError));
  const pool = createPgPool({ connectionString: url });
  pool.on('error', () => undefined); // the database is dropped under its idle clients
  t.after(() => pool.end());
  await assert.rejects(pool.query('SELEKT 1'), (error) => !(error instanceof DependencyUnavailableError) && (error as { code?: string }).code === '42601');
  const client = await pool.connect();
  await assert.rejects(client.query('SELEKT 1'), (error) => (error as { code?: string }).code === '42601');
  client.release();
});

test('Redis unreachable: commands, pipelines and duplicates reject with DependencyUnavailableError; a reply error stays a ReplyError', async (t) => {
  const down = createApiRedis(`redis://127.0.0.1:${await freePort()}`, 300);
  down.on('error', () => undefined);
  t.after(() => down.disconnect());
  await assert.rejects(down.get('k'), unavailable('redis'));
  await assert.rejects(down.multi().set('k', '1').exec(), unavailable('redis'));
  const duplicate = down.duplicate();
  duplicate.on('error', () => undefined);
  t.after(() => duplicate.disconnect());
  await assert.rejects(duplicate.get('k'), unavailable('redis'));

  const up = createApiRedis(REDIS_URL, 2_000);
  t.after(() => up.disconnect());
  assert.ok(await pingRedis(up, 2_000));
  const key = `test:driver-errors:${process.pid}`;
  await up.set(key, 'not a number', 'EX', 60);
  await assert.rejects(up.incr(key), (error) => !(error instanceof DependencyUnavailableError) && /not an integer/.test((error as Error).message));
});
