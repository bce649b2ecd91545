import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: port 3000, auth on, wasm-or-better backend chosen automatically', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.authDisabled, false);
  assert.equal(config.tfjsBackend, 'auto');
  assert.equal(config.logLevel, 'info');
  assert.match(config.databaseUrl, /^postgresql:/);
  assert.match(config.omniglotUrl, /^https:\/\/raw\.githubusercontent\.com\/brendenlake\/omniglot\//);
  assert.equal(loadConfig({ OMNIGLOT_URL: 'http://files:8000/omniglot' }).omniglotUrl, 'http://files:8000/omniglot');
});

test('values are parsed and normalised', () => {
  const config = loadConfig({ PORT: '8080', TFJS_BACKEND: 'WASM', AUTH_DISABLED: 'true', WEIGHTS_DIR: '/tmp/w' });
  assert.equal(config.port, 8080);
  assert.equal(config.tfjsBackend, 'wasm');
  assert.equal(config.authDisabled, true);
  assert.equal(config.weightsDir, '/tmp/w');
  assert.equal(config.cacheDir, '/tmp/cache');
});

for (const [variable, value] of [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['PORT', '3000.5'],
  ['TFJS_BACKEND', 'tpu'],
  ['LOG_LEVEL', 'loud'],
  ['DATABASE_URL', 'mysql://x@y/z'],
  ['REDIS_URL', 'not a url'],
  ['AUTH_DISABLED', 'maybe'],
  ['SHUTDOWN_TIMEOUT_MS', '-1'],
  ['OMNIGLOT_URL', 'ftp://mirror/omniglot'],
] as const) {
  test(`a bad ${variable} stops start-up with an error naming it`, () => {
    assert.throws(
      () => loadConfig({ [variable]: value }),
      (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.includes(variable),
    );
  });
}

test('PostgreSQL has a connect timeout of its own, REDIS_CONNECT_TIMEOUT_MS unless DATABASE_CONNECT_TIMEOUT_MS says otherwise', () => {
  assert.equal(loadConfig({}).databaseConnectTimeoutMs, 2_000);
  assert.equal(loadConfig({ REDIS_CONNECT_TIMEOUT_MS: '700' }).databaseConnectTimeoutMs, 700);
  const both = loadConfig({ REDIS_CONNECT_TIMEOUT_MS: '700', DATABASE_CONNECT_TIMEOUT_MS: '3000' });
  assert.deepEqual([both.redisConnectTimeoutMs, both.databaseConnectTimeoutMs], [700, 3000]);
  assert.throws(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '5' }), ConfigError);
});
