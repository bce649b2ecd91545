import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { askInterruptChoice, decideInterrupt, parseInterruptAnswer } from './interrupt.ts';

test('answers: c cancels, d or nothing detaches, r resumes; anything else is asked again', () => {
  assert.equal(parseInterruptAnswer('c'), 'cancel');
  assert.equal(parseInterruptAnswer(' Cancel '), 'cancel');
  assert.equal(parseInterruptAnswer(''), 'detach');
  assert.equal(parseInterruptAnswer('d'), 'detach');
  assert.equal(parseInterruptAnswer('r'), 'resume');
  assert.equal(parseInterruptAnswer('maybe'), null);
});

test('the question repeats until understood; the end of input detaches', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let asked = '';
  output.on('data', (chunk) => (asked += chunk));
  const choice = askInterruptChoice('job-1', input, output);
  input.write('what?\n');
  input.write('c\n');
  assert.equal(await choice, 'cancel');
  assert.equal(asked.match(/Stop following job job-1/g)?.length, 2);

  const closed = new PassThrough();
  const pending = askInterruptChoice('job-2', closed, new PassThrough());
  closed.end();
  assert.equal(await pending, 'detach');
});

test('without a terminal on stdin, ask means detach; explicit policies are taken as they are', async () => {
  assert.equal(await decideInterrupt('ask', 'j', false), 'detach');
  assert.equal(await decideInterrupt('cancel', 'j', false), 'cancel');
  assert.equal(await decideInterrupt('detach', 'j', true), 'detach');
});
