/**
 * Keeps this replica's caches in step with the others: on a notice the model catalog forgets its
 * rows (a new default, a new version) and the session cache drops a deleted session's θ′.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { subscribeNotices } from '../../shared/cluster/notices.ts';
import type { RedisSubscriber } from '../../shared/redis-subscriber.ts';
import type { ModelCatalog } from '../inference/model-catalog.ts';
import type { SessionStore } from '../sessions/store.ts';

export interface ClusterNoticesOptions {
  /** The app's one subscriber connection. */
  readonly subscriber: RedisSubscriber;
  readonly prefix: string;
  readonly catalog: ModelCatalog;
  readonly sessions: SessionStore;
}

async function clusterNotices(app: FastifyInstance, options: ClusterNoticesOptions): Promise<void> {
  const { catalog, sessions } = options;
  const subscription = subscribeNotices(options.subscriber, options.prefix, {
    notice(notice) {
      if (notice.type === 'models-changed') catalog.invalidate();
      else if (notice.type === 'session-deleted') sessions.cache.delete(notice.sessionId);
    },
    resync() {
      catalog.invalidate();
      sessions.cache.clear();
    },
    warn: (message) => app.log.warn(message),
  });
  app.addHook('onClose', () => subscription.close());
}

export default fp(clusterNotices, { name: 'cluster-notices' });
