/**
 * Notices between the replicas of one deployment, over a Redis pub/sub channel: what one process
 * changes, the others stop caching at once (a promoted default model, a newly registered version,
 * a deleted session's θ′). Pub/sub keeps no history, so a subscriber that (re)connects forgets
 * everything it caches (it may have missed notices); the caches' TTLs bound staleness anyway.
 */
import type { Redis } from 'ioredis';

export type ClusterNotice =
  | { readonly type: 'models-changed'; readonly modelId: string }
  | { readonly type: 'session-deleted'; readonly sessionId: string };

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

/** Listens on a dedicated connection (a subscribed connection can issue no other command). */
export function subscribeNotices(redis: Redis, prefix: string, handlers: NoticeHandlers): NoticeSubscription {
  const channel = noticeChannel(prefix);
  const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: true });
  subscriber.on('error', (error: Error) => handlers.warn(`notice subscriber: ${error.message}`));
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) handlers.resync();
    connectedBefore = true;
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let notice: ClusterNotice;
    try {
      notice = JSON.parse(message) as ClusterNotice;
    } catch {
      return handlers.warn(`ignored a malformed notice: ${message.slice(0, 100)}`);
    }
    handlers.notice(notice);
  });
  // ioredis re-subscribes by itself after a reconnect.
  subscriber.connect().then(() => subscriber.subscribe(channel)).catch((error: Error) => handlers.warn(`notice subscriber: ${error.message}`));
  return {
    async close() {
      subscriber.disconnect();
    },
  };
}
