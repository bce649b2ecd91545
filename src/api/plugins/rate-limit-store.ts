/**
 * The rate limit's store (@fastify/rate-limit's `store` option): one counter per API key and window
 * in Redis, as the plugin's own RedisStore keeps it (the window starts at the key's first request),
 * but taken in leases: a replica increments the counter by `leaseSize(max)` tokens at once and hands
 * them out locally, so most requests make no Redis round trip. Measured reason (bench:http on this
 * project's 2-core VM): every socket write that wakes another process costs ~0.1–0.2 ms there, and
 * the per-request INCR was one of the three a /adapt or /predict makes (with the session's and the
 * reply's), plus its round-trip wait, in front of the work.
 * Invariants:
 *  - The lease is max/100 tokens, 1 to 100: with a limit under 200 a minute every request asks
 *    Redis, exactly as RedisStore did. Tokens a replica leased count as used everywhere: a key never
 *    gets more than `max` requests a window over all replicas, and at worst (one lease's tokens
 *    left unused on each replica) 1 % fewer per replica.
 *  - A request's `current` is the token it took (its rank in the window over all replicas' leases):
 *    RateLimit-Remaining = max − current as before; over the limit → 429 with the window's TTL.
 *  - Once a replica's tokens are spent at or past `max`, it refuses locally until the window ends.
 *  - Requests that find no token while a lease for their key is in flight wait for that lease
 *    (one Redis call per key at a time). A Redis error reaches the plugin, which lets the request
 *    through (skipOnError: fail open, as before).
 */
import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Redis, Result } from 'ioredis';

/** KEYS[1] the counter; ARGV[1] tokens, ARGV[2] the window (ms). Returns {count after, ttl ms}. */
const LEASE_SCRIPT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == tonumber(ARGV[1]) or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {n, ttl}
`;

/** KEYS[1] the counter. Returns {count, ttl ms} without changing it ({0, 0} when there is none). */
const READ_SCRIPT = `
local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(n), ttl}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateLimitLease(key: string, tokens: number, windowMs: number): Result<[number, number], Context>;
    rateLimitPeek(key: string): Result<[number, number], Context>;
  }
}

export function leaseSize(max: number): number {
  return Math.max(1, Math.min(100, Math.floor(max / 100)));
}

interface Lease {
  /** The next token to hand out, and the last one this replica holds. */
  next: number;
  last: number;
  /** When the key's window ends (epoch ms). */
  windowEnd: number;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Entries kept before expired ones are swept (one per API key that made a request this window). */
const SWEEP_AT = 10_000;

export class LeasedRedisStore implements FastifyRateLimitStore {
  private readonly leases = new Map<string, Lease>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!redis.rateLimitLease) redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
    if (!redis.rateLimitPeek) redis.defineCommand('rateLimitPeek', { numberOfKeys: 1, lua: READ_SCRIPT });
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    const now = Date.now();
    const lease = this.leases.get(key);
    if (lease && now < lease.windowEnd) {
      if (lease.next <= lease.last) return callback(null, { current: lease.next++, ttl: lease.windowEnd - now });
      if (lease.last >= max) return callback(null, { current: lease.last + 1, ttl: lease.windowEnd - now });
    }
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.take(key, timeWindow, max).finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    inFlight.then(
      () => this.incr(key, callback, timeWindow, max),
      (error: Error) => callback(error),
    );
  }

  read(key: string, callback: Callback): void {
    this.redis.rateLimitPeek(this.prefix + key).then(
      ([current, ttl]) => callback(null, { current, ttl }),
      (error: Error) => callback(error),
    );
  }

  /** A store for a route with limits of its own (the plugin passes the route's settings; keys kept apart by route). */
  child(routeOptions: object): LeasedRedisStore {
    const { method, url } = (routeOptions as { routeInfo: { method: string; url: string } }).routeInfo;
    return new LeasedRedisStore(this.redis, `${this.prefix}${method}${url}-`);
  }

  private async take(key: string, timeWindow: number, max: number): Promise<void> {
    const size = leaseSize(max);
    const [count, ttl] = await this.redis.rateLimitLease(this.prefix + key, size, timeWindow);
    if (this.leases.size >= SWEEP_AT) {
      const now = Date.now();
      for (const [k, l] of this.leases) if (l.windowEnd <= now) this.leases.delete(k);
    }
    // At least 1 ms: the tokens just taken are handed out even when the window is about to end.
    this.leases.set(key, { next: count - size + 1, last: count, windowEnd: Date.now() + Math.max(1, ttl) });
  }
}

/** The `store` option: @fastify/rate-limit constructs it with its own settings, which this one does not need. */
export function leasedRedisStore(redis: Redis, prefix: string): new () => LeasedRedisStore {
  return class extends LeasedRedisStore {
    constructor() {
      super(redis, prefix);
    }
  };
}
