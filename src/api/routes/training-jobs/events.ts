/**
 * `GET /training-jobs/:id/events` (admin): Server-Sent Events. The stream opens with the job as
 * PostgreSQL has it (`event: job`), then relays each TrainingEvent the processor publishes
 * (`event: progress | validation | status | note`), sends a comment line every heartbeat interval, and
 * ends after a terminal status. The channel is subscribed before the row is read, so an event
 * published in between is delivered (after the snapshot), never lost.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { Db } from '../../../shared/db/client.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { isTerminalStatus, parseTrainingEvent, eventsChannel, type TrainingEvent } from '../../../shared/jobs/events.ts';
import { findJob, jobView } from '../../../shared/jobs/jobs.ts';
import type { RedisSubscriber } from '../../../shared/redis-subscriber.ts';
import { routeOptions } from '../../contract/route.ts';
import { jobEventsRoute } from './schemas.ts';

export interface TrainingEventRoutesOptions {
  readonly db: Db;
  /** The app's one subscriber connection (src/shared/redis-subscriber.ts). */
  readonly subscriber: RedisSubscriber;
  /** QUEUE_PREFIX: the processor publishes on eventsChannel(prefix, jobId). (Not `prefix`: fastify would take it as a route prefix.) */
  readonly channelPrefix: string;
  readonly heartbeatMs: number;
}

/** A client that lets this much output pile up unread is dropped (it reconnects and resyncs). */
const MAX_BUFFERED_BYTES = 1 << 20;

async function trainingJobEventRoutes(app: FastifyInstance, options: TrainingEventRoutesOptions): Promise<void> {
  const hub = options.subscriber;
  const streams = new Set<() => void>();
  // Open streams would keep server.close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.withTypeProvider<TypeBoxTypeProvider>().route({
    ...routeOptions(jobEventsRoute),
    handler: async (request, reply) => {
      const id = request.params.id;
      const pending: TrainingEvent[] = [];
      let deliver: (event: TrainingEvent) => void = (event) => pending.push(event);
      const unsubscribe = await hub.subscribe(eventsChannel(options.channelPrefix, id), (message) => {
        const event = parseTrainingEvent(message);
        if (event) deliver(event);
        else request.log.warn({ jobId: id, message: message.slice(0, 200) }, 'ignoring a malformed training event');
      });
      let job;
      try {
        job = await findJob(options.db, id);
      } catch (error) {
        await unsubscribe();
        throw error;
      }
      if (!job) {
        await unsubscribe();
        throw new NotFoundError('training job', id);
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: do not buffer the stream
        'x-request-id': request.id,
      });
      let ended = false;
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        streams.delete(end);
        void unsubscribe();
        res.end();
      };
      streams.add(end);
      res.on('close', end); // the client went away (or we ended)
      function write(chunk: string): void {
        if (ended) return;
        res.write(chunk);
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn({ jobId: id, buffered: res.writableLength }, 'event-stream client is not reading; closing it');
          end();
        }
      }
      const send = (event: TrainingEvent) => {
        write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        if (event.type === 'status' && isTerminalStatus(event.status)) end();
      };

      write(`retry: 5000\nevent: job\ndata: ${JSON.stringify(jobView(job))}\n\n`);
      if (isTerminalStatus(job.status)) return end();
      deliver = send;
      for (const event of pending.splice(0)) send(event);
    },
  });
}

/** Not encapsulated, so its preClose hook runs for the root instance. */
export default fp(trainingJobEventRoutes, { name: 'training-job-events' });
