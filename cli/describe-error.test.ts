import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommanderError } from 'commander';
import { ApiError, UnreachableError } from '../clients/typescript/index.ts';
import { describeError } from './describe-error.ts';
import { CliError, EXIT, UsageError } from './exit-codes.ts';

test('API errors: status, code and message, with a hint where one helps; exit 1', () => {
  const unauthorized = describeError(new ApiError(401, 'UNAUTHORIZED', 'unknown or revoked API key', 'http://x/models'));
  assert.deepEqual(unauthorized, {
    message: '401 UNAUTHORIZED: unknown or revoked API key\n  (pass a valid key with --key or MAML_API_KEY)',
    exitCode: EXIT.API_ERROR,
  });
  const busy = describeError(new ApiError(503, 'OVERLOADED', 'inference queue is full', 'http://x/adapt', undefined, 2));
  assert.match(busy.message!, /^503 OVERLOADED: inference queue is full\n {2}\(the service asks to retry after 2 s\)$/);
  const details = describeError(new ApiError(413, 'ARCHIVE_TOO_LARGE', 'too big', 'http://x/datasets', { limit: 10, actual: 11 }));
  assert.equal(details.message, '413 ARCHIVE_TOO_LARGE: too big {"limit":10,"actual":11}');
});

test('no answer: exit 3; local files: exit 2; usage: exit 2; help: exit 0', () => {
  const refused = describeError(new UnreachableError('http://127.0.0.1:3000', 'ECONNREFUSED'));
  assert.equal(refused.exitCode, EXIT.UNREACHABLE);
  assert.match(refused.message!, /^cannot reach http:\/\/127\.0\.0\.1:3000 \(ECONNREFUSED\): is the service running\?/);
  const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/tmp/nope' });
  assert.deepEqual(describeError(missing), { message: 'no such file or folder: /tmp/nope', exitCode: EXIT.USAGE });
  assert.deepEqual(describeError(new UsageError('bad folder')), { message: 'bad folder', exitCode: EXIT.USAGE });
  assert.equal(describeError(new CliError('job failed', EXIT.JOB_FAILED)).exitCode, 4);
  assert.deepEqual(describeError(new CommanderError(1, 'commander.missingArgument', 'x')), { message: null, exitCode: EXIT.USAGE });
  assert.deepEqual(describeError(new CommanderError(0, 'commander.helpDisplayed', '')), { message: null, exitCode: EXIT.OK });
  assert.equal(describeError(new Error('boom')).exitCode, EXIT.API_ERROR);
});
