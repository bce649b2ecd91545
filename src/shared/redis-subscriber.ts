/**
 * A process's one Redis subscriber connection (a `duplicate()` of its connection, made on first
 * use), shared by everything that listens: the replicas' cluster notices and every open training
 * event stream. A channel is SUBSCRIBEd when its first listener comes and UNSUBSCRIBEd when its last
 * one leaves, so closed streams leave nothing behind in Redis. ioredis renews the subscriptions
 * after a reconnect; listeners that must know they may have missed messages meanwhile register
 * `onReconnect`.
 */
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from './errors.ts';

export type MessageListener = (message: string) => void;

interface ChannelState {
  readonly listeners: Set<MessageListener>;
  /** Settles when Redis has confirmed the SUBSCRIBE. */
  readonly subscribed: Promise<unknown>;
}

export class RedisSubscriber {
  private subscriber: Redis | null = null;
  private readonly channels = new Map<string, ChannelState>();
  private readonly reconnectHandlers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    /** How long `subscribe` may wait for Redis to confirm before it gives up (503). */
    private readonly timeoutMs: number,
    /** The connection's name in Redis (CLIENT LIST). */
    private readonly connectionName = 'subscriber',
  ) {}

  /** Channels (whose names start with `prefix`) with at least one listener, and their listeners. */
  count(prefix = ''): { channels: number; listeners: number } {
    let channels = 0;
    let listeners = 0;
    for (const [channel, state] of this.channels) {
      if (!channel.startsWith(prefix)) continue;
      channels++;
      listeners += state.listeners.size;
    }
    return { channels, listeners };
  }

  private connection(): Redis {
    if (this.subscriber === null) {
      // The offline queue lets a SUBSCRIBE wait for the (re)connection; `subscribe` bounds the wait.
      const subscriber = this.redis.duplicate({
        enableOfflineQueue: true,
        autoResubscribe: true,
        maxRetriesPerRequest: null,
        connectionName: this.connectionName,
      });
      subscriber.on('error', () => undefined); // reconnects by itself; the main connection reports outages
      let connectedBefore = false;
      subscriber.on('ready', () => {
        if (connectedBefore) for (const handler of this.reconnectHandlers) handler();
        connectedBefore = true;
      });
      subscriber.on('message', (channel: string, message: string) => {
        for (const listener of this.channels.get(channel)?.listeners ?? []) listener(message);
      });
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  private add(channel: string, listener: MessageListener): ChannelState {
    let state = this.channels.get(channel);
    if (state === undefined) {
      state = { listeners: new Set(), subscribed: this.connection().subscribe(channel) };
      state.subscribed.catch(() => undefined); // awaited by `subscribe`; a rejection must not go unhandled
      this.channels.set(channel, state);
    }
    state.listeners.add(listener);
    return state;
  }

  /** Listens on `channel` once Redis confirms (DependencyUnavailableError after `timeoutMs`); returns the function that stops listening. */
  async subscribe(channel: string, listener: MessageListener): Promise<() => Promise<void>> {
    if (this.closed) throw new DependencyUnavailableError('redis', new Error('the app is closing'));
    const state = this.add(channel, listener);
    const remove = () => this.remove(channel, listener);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        state.subscribed,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`SUBSCRIBE took over ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      await remove();
      throw new DependencyUnavailableError('redis', error);
    } finally {
      clearTimeout(timer);
    }
    return remove;
  }

  /** Listens on `channel` for as long as the process runs: no wait, the SUBSCRIBE goes through whenever Redis is there. */
  listen(channel: string, listener: MessageListener): () => Promise<void> {
    if (!this.closed) this.add(channel, listener);
    return () => this.remove(channel, listener);
  }

  /** Called after the connection came back (not on the first connect): messages may have been missed. */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  private async remove(channel: string, listener: MessageListener): Promise<void> {
    const state = this.channels.get(channel);
    if (state === undefined || !state.listeners.delete(listener) || state.listeners.size > 0) return;
    this.channels.delete(channel);
    // Commands on one connection run in order: a later SUBSCRIBE of the same channel wins.
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  /** Drops the subscriber connection (shutdown). */
  close(): void {
    this.closed = true;
    this.channels.clear();
    this.reconnectHandlers.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
