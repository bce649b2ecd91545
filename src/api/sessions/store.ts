/**
 * Few-shot sessions in Redis: one hash per session, `meta` (JSON) and `theta` (the adapted
 * weights, encoded by src/api/sessions/codec.ts), expiring after the session's TTL. Reads and
 * predictions slide the expiry forward. Sessions belong to the key that made them: lookups with
 * another owner behave as if the session did not exist (and do not slide its expiry).
 * A load is one Redis command (the LOAD_SCRIPT below reads the fields and slides the expiry), and
 * so is a save of a small θ′ (SAVE_SCRIPT: the fields and the expiry, atomically, as
 * MULTI/HSET/EXPIRE/EXEC did without building an ioredis pipeline, whose constructor copies every
 * script defined on the connection: BullMQ's dozens, ~0.2 ms a save).
 * A θ′ over OWN_KEY_BYTES (an all-layer session: ~230 KB) is written with a plain SET … EX to a key
 * of its own (`<session key>:theta`), sent in the same tick just before the script, which then
 * stores an empty `theta` field: a Lua script copies its arguments twice, and for 230 KB that cost
 * ~0.7 ms a save (after an idle gap, median of 200: script 1.87–2.02 ms, SET + script 1.02–1.10;
 * for 2.5 KB the script alone is ~0.1 ms faster). That SET writes θ′ to the socket as it is, not
 * copied into a new buffer as ioredis would (src/shared/redis.ts: setValue; bench:http's all-layer
 * `redis` phase, four runs each way, median 2.39 → 1.98 ms). The θ′ key is written first and
 * carries the TTL, so no half-written session outlives it; the load script reads θ′ from wherever
 * it is and slides both keys' expiry. Failures reject with the client's typed errors
 * (src/shared/redis.ts: ClassifiedRedis). The rest of that phase is Redis's own: storing 230 KB
 * under a new key touches fresh pages of its heap (~33 page faults, ~0.65 ms on a VM with nested
 * virtualisation; overwriting one key: none).
 */
import { randomBytes } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { publishNotice } from '../../shared/cluster/notices.ts';
import { setValue } from '../../shared/redis.ts';
import { shared } from '../inference/protocol.ts';
import { type CachedSession, ThetaCache } from './theta-cache.ts';

export interface SessionMeta {
  readonly id: string;
  readonly owner: string;
  readonly modelId: string;
  readonly modelSha256: string;
  /** Distinct labels in output-unit order: label i is output unit i. */
  readonly labels: readonly string[];
  readonly ttlSeconds: number;
  readonly createdAt: string;
  readonly steps: number;
  readonly support: { readonly loss: number; readonly accuracy: number; readonly shots: Record<string, number> };
}

export interface StoredSession {
  readonly meta: SessionMeta;
  readonly theta: Buffer;
  /** When the session expires (after any sliding extension made by this read). */
  readonly expiresAt: Date;
}

/** Session ids: 144 random bits, base64url (24 characters). */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

export const SESSION_ID_PATTERN = '^[A-Za-z0-9_-]{24}$';

/**
 * KEYS[1] the session hash, KEYS[2] θ′'s own key; ARGV[1] the owner; ARGV[2..] the fields to read
 * (`meta` first, then `theta` if asked). Returns the fields (θ′ from its own key when the hash's
 * field is empty) when `meta` exists, and then slides both keys' expiry by the session's TTL when
 * the owner matches and every field asked for is there (as a separate HMGET + EXPIRE did, in one
 * round trip).
 */
const LOAD_SCRIPT = `
local values = redis.call('HMGET', KEYS[1], unpack(ARGV, 2))
if not values[1] then return values end
if values[2] == '' then values[2] = redis.call('GET', KEYS[2]) end
for i = 2, #values do if not values[i] then return values end end
local meta = cjson.decode(values[1])
if meta.owner == ARGV[1] and tonumber(meta.ttlSeconds) then
  redis.call('EXPIRE', KEYS[1], math.floor(meta.ttlSeconds))
  redis.call('EXPIRE', KEYS[2], math.floor(meta.ttlSeconds))
end
return values
`;

/**
 * KEYS[1] the session hash, KEYS[2] θ′'s own key; ARGV[1] meta, ARGV[2] θ′ (empty: written to
 * KEYS[2] just before), ARGV[3] the TTL in seconds.
 */
const SAVE_SCRIPT = `
redis.call('HSET', KEYS[1], 'meta', ARGV[1], 'theta', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[2] ~= '' then redis.call('DEL', KEYS[2]) end
return 1
`;

/** θ′ larger than this goes to a key of its own (see the header). */
export const OWN_KEY_BYTES = 16 * 1024;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** LOAD_SCRIPT, with Buffer replies. */
    loadSessionBuffer(key: string, thetaKey: string, owner: string, ...fields: string[]): Result<Array<Buffer | null>, Context>;
    /** SAVE_SCRIPT. */
    saveSession(key: string, thetaKey: string, meta: string, theta: Buffer | string, ttlSeconds: number): Result<number, Context>;
  }
}

export class SessionStore {
  /** θ′ of recently used sessions (0 bytes: no cache). */
  readonly cache: ThetaCache;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    cacheBytes = 0,
  ) {
    this.cache = new ThetaCache(cacheBytes);
    // EVALSHA, falling back to EVAL when Redis does not hold the script yet (ioredis).
    redis.defineCommand('loadSession', { numberOfKeys: 2, lua: LOAD_SCRIPT });
    redis.defineCommand('saveSession', { numberOfKeys: 2, lua: SAVE_SCRIPT });
  }

  private key(id: string): string {
    return `${this.prefix}:session:${id}`;
  }

  private thetaKey(id: string): string {
    return `${this.key(id)}:theta`;
  }

  async save(meta: SessionMeta, theta: Uint8Array): Promise<Date> {
    const bytes = Buffer.from(theta.buffer, theta.byteOffset, theta.byteLength);
    const [key, thetaKey, json] = [this.key(meta.id), this.thetaKey(meta.id), JSON.stringify(meta)];
    if (bytes.byteLength > OWN_KEY_BYTES) {
      // Same tick, same connection: Redis runs the SET before the script.
      await Promise.all([setValue(this.redis, thetaKey, bytes, meta.ttlSeconds), this.redis.saveSession(key, thetaKey, json, '', meta.ttlSeconds)]);
    } else {
      await this.redis.saveSession(key, thetaKey, json, bytes, meta.ttlSeconds);
    }
    // The session's first /predict usually follows on this replica: it then reads only `meta`
    // (θ′ in shared memory: posted to a thread without a copy; see protocol.ts).
    if (bytes.byteLength <= this.cache.maxBytes) this.cache.set(meta.id, meta, shared(bytes));
    return new Date(Date.now() + meta.ttlSeconds * 1000);
  }

  /**
   * The session as this replica last saw it (meta and θ′), if it holds it; not a check that the
   * session still exists or whose it is (load is): for work that load then confirms or discards.
   */
  peek(id: string): CachedSession | undefined {
    return this.cache.get(id);
  }

  /**
   * The session if it exists and belongs to `owner`; its expiry slides forward by its TTL. θ′ comes
   * from the in-process cache when it holds it (the meta is always read from Redis).
   */
  async load(id: string, owner: string, withTheta: boolean): Promise<StoredSession | null> {
    const key = this.key(id);
    const cached = withTheta ? this.cache.get(id)?.theta : undefined;
    const fields = withTheta && !cached ? ['meta', 'theta'] : ['meta'];
    const [metaBytes, stored] = await this.redis.loadSessionBuffer(key, this.thetaKey(id), owner, ...fields); // slides the expiry
    if (!metaBytes) {
      this.cache.delete(id);
      return null;
    }
    const meta = JSON.parse(metaBytes.toString('utf8')) as SessionMeta;
    if (meta.owner !== owner || (withTheta && !(cached ?? stored))) return null;
    const kept = stored ? shared(stored) : undefined;
    if (kept) this.cache.set(id, meta, kept);
    return { meta, theta: cached ?? kept ?? Buffer.alloc(0), expiresAt: new Date(Date.now() + meta.ttlSeconds * 1000) };
  }

  /** Deletes the session if it belongs to `owner`; false when there was none (or not theirs). */
  async delete(id: string, owner: string): Promise<boolean> {
    const found = await this.load(id, owner, false);
    if (!found) return false;
    this.cache.delete(id);
    const deleted = (await this.redis.del(this.key(id), this.thetaKey(id))) >= 1;
    await publishNotice(this.redis, this.prefix, { type: 'session-deleted', sessionId: id }); // other replicas drop their copy of θ′
    return deleted;
  }

  /** Bytes Redis uses for one session (its keys, fields and overhead), for reports and metrics. */
  async bytesUsed(id: string): Promise<number | null> {
    const [hash, own] = await Promise.all([this.key(id), this.thetaKey(id)].map((key) => this.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
    return typeof hash === 'number' ? hash + (typeof own === 'number' ? own : 0) : null;
  }
}
