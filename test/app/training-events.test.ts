import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/api/auth/api-keys.ts';
import { eventsChannel, publishProgress, type TrainingEvent } from '../../src/shared/jobs/events.ts';
import { buildTestApp, createTestDatabase, type TestApp } from '../helpers/env.ts';
import { openEventStream } from '../helpers/sse.ts';
import { until } from '../helpers/wait.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let testApp: TestApp;
let base: string;
let admin: Record<string, string>;

before(async () => {
  database = await createTestDatabase();
  testApp = await buildTestApp(database.url, { SSE_HEARTBEAT_MS: '100' });
  base = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  admin = { authorization: `Bearer ${(await createApiKey(testApp.db, 'admin')).key}` };
});

after(async () => {
  await testApp.close();
  await database.drop();
});

const openStream = (jobId: string, headers = admin) => openEventStream(`${base}/training-jobs/${jobId}/events`, headers);

const prefix = () => testApp.deps.config.queuePrefix;
/** The app subscriber's progress channels (it also holds the cluster notices channel). */
const progress = () => testApp.app.redisSubscriber.count(eventsChannel(prefix(), ''));
const subscribers = async (jobId: string) => {
  const [, count] = (await testApp.deps.redis.pubsub('NUMSUB', eventsChannel(prefix(), jobId))) as [string, number];
  return Number(count);
};

async function runningJob(): Promise<string> {
  const job = await testApp.db.trainingJob.create({
    data: { name: 'sse-job', config: { dataset: 'sinusoid' }, status: 'running', progress: { iteration: 3, iterations: 10 } },
  });
  return job.id;
}

test('the job as stored, then each published event in order, heartbeats, and the end after a terminal status', async () => {
  const jobId = await runningJob();
  const stream = await openStream(jobId);
  assert.equal(stream.res.status, 200);
  assert.match(stream.res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const first = await stream.next();
  assert.equal(first?.event, 'job');
  assert.deepEqual([(first!.data as { jobId: string }).jobId, (first!.data as { status: string }).status], [jobId, 'running']);
  assert.equal(await subscribers(jobId), 1, 'subscribed before the snapshot was sent');

  const heartbeat = await stream.next();
  assert.deepEqual(heartbeat, { comment: 'heartbeat' });
  const events: TrainingEvent[] = [
    { type: 'progress', iteration: 4, iterations: 10, metaLoss: 0.52, accuracy: null, tasksPerSecond: 120.5, etaSeconds: 0.4 },
    { type: 'validation', iteration: 4, accuracy: 0.61, ci95: 0.03, loss: 1.1 },
    { type: 'progress', iteration: 5, iterations: 10, metaLoss: Number.NaN, accuracy: 0.5, tasksPerSecond: 118, etaSeconds: null },
    { type: 'status', status: 'completed', modelId: '00000000-0000-4000-8000-000000000001', error: null },
  ];
  await testApp.deps.redis.publish(eventsChannel(prefix(), jobId), '{"type":"progress","iteration":"nope"}'); // malformed: dropped
  for (const event of events) assert.equal(await publishProgress(testApp.deps.redis, prefix(), jobId, event), 1);
  const received = [];
  for (let message = await stream.nextEvent(); message !== null; message = await stream.nextEvent()) received.push(message);
  assert.deepEqual(
    received.map((m) => m.event),
    ['progress', 'validation', 'progress', 'status'],
  );
  assert.deepEqual(received[0]!.data, events[0]);
  assert.equal((received[2]!.data as { metaLoss: unknown }).metaLoss, null, 'NaN travels as null');
  assert.deepEqual(received[3]!.data, events[3]);
  await until('the unsubscribe', async () => progress().channels === 0 && (await subscribers(jobId)) === 0);
});

test('clients that disconnect unsubscribe; clients of one job share one subscription', async () => {
  const jobId = await runningJob();
  const streams = await Promise.all(Array.from({ length: 5 }, () => openStream(jobId)));
  for (const s of streams) assert.equal((await s.next())?.event, 'job');
  assert.equal(progress().listeners, 5);
  assert.equal(progress().channels, 1);
  assert.equal(await subscribers(jobId), 1, 'one Redis subscription for all five');
  streams[0]!.close();
  await until('the first client to be dropped', () => progress().listeners === 4);
  assert.equal(await subscribers(jobId), 1);
  // the others still receive events
  await publishProgress(testApp.deps.redis, prefix(), jobId, { type: 'validation', iteration: 1, accuracy: 0.5, ci95: 0.1, loss: 1.2 });
  for (const s of streams.slice(1)) assert.equal((await s.nextEvent())?.event, 'validation');
  for (const s of streams.slice(1)) s.close();
  await until('every listener to go', async () => progress().listeners === 0 && progress().channels === 0);
  await until('Redis to drop the subscription', async () => (await subscribers(jobId)) === 0);

  // open and drop many in a row: nothing accumulates
  for (let i = 0; i < 20; i++) {
    const s = await openStream(jobId);
    await s.next();
    s.close();
  }
  await until('no leftover subscription', async () => progress().listeners === 0 && (await subscribers(jobId)) === 0);
});

test('one subscriber connection carries both the cluster notices and the event streams', async () => {
  const jobId = await runningJob();
  const stream = await openStream(jobId);
  assert.equal((await stream.next())?.event, 'job');
  const name = `${prefix()}:api-subscriber`;
  const clients = ((await testApp.deps.redis.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=${name} `));
  assert.equal(clients.length, 1, 'one connection');
  assert.match(clients[0]!, / sub=2 /, 'subscribed to the notices and to the job');
  stream.close();
  await until('the unsubscribe', async () => progress().channels === 0 && (await subscribers(jobId)) === 0);
});

test('a finished job: the snapshot, then the end; unknown job 404, bad id 400, client key 403', async () => {
  const job = await testApp.db.trainingJob.create({ data: { config: { dataset: 'omniglot' }, status: 'failed', error: 'bad data' } });
  const stream = await openStream(job.id);
  const first = await stream.next();
  assert.equal((first?.data as { error: string } | undefined)?.error, 'bad data');
  assert.equal(await stream.nextEvent(), null);
  await until('the unsubscribe', () => progress().channels === 0);

  const missing = await testApp.app.inject({ method: 'GET', url: '/training-jobs/00000000-0000-4000-8000-000000000000/events', headers: admin });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'TRAINING_JOB_NOT_FOUND');
  assert.equal((await testApp.app.inject({ method: 'GET', url: '/training-jobs/nope/events', headers: admin })).statusCode, 400);
  const client = { authorization: `Bearer ${(await createApiKey(testApp.db, 'client')).key}` };
  assert.equal((await testApp.app.inject({ method: 'GET', url: `/training-jobs/${job.id}/events`, headers: client })).statusCode, 403);
  assert.equal(progress().channels, 0, 'refused requests leave no subscription');
});

test('closing the app ends open streams instead of waiting for them', async (t) => {
  const other = await buildTestApp(database.url);
  const url = await other.app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => other.close().catch(() => undefined));
  const job = await other.db.trainingJob.create({ data: { config: { dataset: 'sinusoid' }, status: 'running' } });
  const key = (await createApiKey(other.db, 'admin')).key;
  const res = await fetch(`${url}/training-jobs/${job.id}/events`, { headers: { authorization: `Bearer ${key}` } });
  const reader = res.body!.getReader();
  await reader.read(); // the snapshot
  const started = Date.now();
  await other.app.close();
  assert.ok(Date.now() - started < 3_000, `close took ${Date.now() - started} ms`);
  for (let r = await reader.read(); !r.done; r = await reader.read());
});
