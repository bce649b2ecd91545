/**
 * One Redis subscriber connection per app (a `duplicate()` of the API connection, made on first
 * use), shared by every open event stream: a channel is SUBSCRIBEd when its first listener comes
 * and UNSUBSCRIBEd when its last one leaves, so closed streams leave nothing behind in Redis.
 */
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../../../shared/errors.ts';

export type MessageListener = (message: string) => void;

interface ChannelState {
  readonly listeners: Set<MessageListener>;
  /** Settles when Redis has confirmed the SUBSCRIBE. */
  readonly subscribed: Promise<unknown>;
}

export class ProgressHub {
  private subscriber: Redis | null = null;
  private readonly channels = new Map<string, ChannelState>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    /** How long a SUBSCRIBE may wait for Redis before the request answers 503. */
    private readonly timeoutMs: number,
  ) {}

  /** Channels with at least one listener (each is one Redis subscription). */
  get channelCount(): number {
    return this.channels.size;
  }

  get listenerCount(): number {
    let n = 0;
    for (const state of this.channels.values()) n += state.listeners.size;
    return n;
  }

  private connection(): Redis {
    if (this.subscriber === null) {
      // The offline queue lets a SUBSCRIBE wait for the (re)connection; the timeout below bounds it.
      const subscriber = this.redis.duplicate({ enableOfflineQueue: true, autoResubscribe: true });
      subscriber.on('error', () => undefined); // reconnects by itself; requests see the timeout
      subscriber.on('message', (channel: string, message: string) => {
        for (const listener of this.channels.get(channel)?.listeners ?? []) listener(message);
      });
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  /** Listens on `channel` once Redis confirms; returns the function that stops listening. */
  async subscribe(channel: string, listener: MessageListener): Promise<() => Promise<void>> {
    if (this.closed) throw new DependencyUnavailableError('redis', new Error('the app is closing'));
    let state = this.channels.get(channel);
    if (state === undefined) {
      state = { listeners: new Set(), subscribed: this.connection().subscribe(channel) };
      state.subscribed.catch(() => undefined); // awaited below; a rejection must not go unhandled
      this.channels.set(channel, state);
    }
    state.listeners.add(listener);
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

  private async remove(channel: string, listener: MessageListener): Promise<void> {
    const state = this.channels.get(channel);
    if (state === undefined || !state.listeners.delete(listener) || state.listeners.size > 0) return;
    this.channels.delete(channel);
    // Commands on one connection run in order: a later SUBSCRIBE of the same channel wins.
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  /** Drops the subscriber connection (app shutdown). */
  close(): void {
    this.closed = true;
    this.channels.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
