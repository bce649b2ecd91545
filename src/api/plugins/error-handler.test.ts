import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { DependencyUnavailableError, HttpError } from '../../shared/errors.ts';
import { PoolSaturatedError } from '../inference/pool.ts';
import { logError } from './error-handler.ts';
import { toHttpError } from './error-mapping.ts';

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  const log = { error: at('error'), warn: at('warn'), info: at('info') } as unknown as FastifyRequest['log'];
  return { request: { log }, lines };
}

test('log levels: unexpected errors with their stack; dependency outages at warn; shed load and 4xx at info, no stack', () => {
  const { request, lines } = recorder();
  const bug = new TypeError('undefined is not a function');
  logError(request, bug, new HttpError(500, 'INTERNAL', 'internal server error'));
  const outage = new DependencyUnavailableError('redis', new Error('Connection is closed'));
  logError(request, outage, toHttpError(outage));
  const shed = new PoolSaturatedError(32, 32);
  logError(request, shed, shed);
  const bad = new HttpError(400, 'VALIDATION_ERROR', 'body/steps must be <= 50');
  logError(request, bad, bad);
  assert.deepEqual(
    lines.map((l) => l.level),
    ['error', 'warn', 'info', 'info'],
  );
  assert.equal(lines[0]!.fields['err'], bug, 'the stack of an unexpected error is kept');
  assert.equal(lines[1]!.fields['cause'], 'Connection is closed');
  for (const line of lines.slice(1)) assert.equal(line.fields['err'], undefined, `${line.message}: no stack`);
});
