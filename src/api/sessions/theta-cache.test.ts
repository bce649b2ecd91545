import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionMeta } from './store.ts';
import { ThetaCache } from './theta-cache.ts';

const meta = { id: 'm' } as SessionMeta;

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

test('ThetaCache keeps the most recently used entries within its byte bound', () => {
  const cache = new ThetaCache(100);
  cache.set('a', meta, bytes(40));
  cache.set('b', meta, bytes(40));
  assert.ok(cache.get('a')); // a is now the most recent
  cache.set('c', meta, bytes(40)); // 120 > 100: evicts b, the least recently used
  assert.equal(cache.get('b'), undefined);
  assert.ok(cache.get('a') && cache.get('c'));
  assert.equal(cache.bytes, 80);
  cache.set('a', meta, bytes(10, 7)); // replacing an entry re-counts its bytes
  assert.equal(cache.bytes, 50);
  assert.equal(cache.get('a')!.theta[0], 7);
  assert.equal(cache.get('a')!.meta, meta);
  cache.set('huge', meta, bytes(101)); // larger than the bound: not kept, nothing evicted
  assert.equal(cache.get('huge'), undefined);
  assert.equal(cache.size, 2);
  cache.delete('a');
  cache.delete('missing');
  assert.equal(cache.bytes, 40);
  const off = new ThetaCache(0);
  off.set('x', meta, bytes(1));
  assert.equal(off.size, 0);
});
