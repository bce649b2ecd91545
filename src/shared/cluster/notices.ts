/**
 * Notices between the replicas of one deployment, over a Redis pub/sub channel: what one process
 * changes, the others stop caching at once (a promoted default model, a newly registered version,
 * a deleted session's θ′). Pub/sub keeps no history, so a subscriber that (re)connects forgets
 * everything it caches (it may have missed notices); the caches' TTLs bound staleness anyway.
 */
import type { Redis } from 'ioredis';
import type { RedisSubscriber } from '../redis-subscriber.ts';

export type ClusterNotice = { readonly type: 'models-changed'; readonly modelId: string } | { readonly type: 'session-deleted'; readonly sessionId: string };

export function noticeChannel(prefix: string): string {
  return `${prefix}:notices`;
}

/** Publishes a notice; a Redis failure is swallowed (each cache still expires on its own). */
export async function publishNotice(redis: Redis, prefix: string, notice: ClusterNotice): Promise<void> {
  await redis.publish(noticeChannel(prefix), JSON.stringify(notice)).catch(() => 0);
}

export interface NoticeHandlers {
  notice(notice: ClusterNotice): void;
  /** After a (re)connect: notices may have been missed. */
  resync(): void;
  warn(message: string): void;
}

export interface NoticeSubscription {
  close(): Promise<void>;
}

/** Listens on the process's shared subscriber connection (src/shared/redis-subscriber.ts). */
export function subscribeNotices(subscriber: RedisSubscriber, prefix: string, handlers: NoticeHandlers): NoticeSubscription {
  const stop = subscriber.listen(noticeChannel(prefix), (message) => {
    let notice: ClusterNotice;
    try {
      notice = JSON.parse(message) as ClusterNotice;
    } catch {
      return handlers.warn(`ignored a malformed notice: ${message.slice(0, 100)}`);
    }
    handlers.notice(notice);
  });
  subscriber.onReconnect(() => handlers.resync());
  return { close: stop };
}
