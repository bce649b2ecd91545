import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTrainingEvent, isTerminalStatus, parseTrainingEvent, eventsChannel, TrainingEventError } from './events.ts';

test('channel names are per deployment prefix and job', () => {
  assert.equal(eventsChannel('maml', 'abc'), 'maml:training:events:abc');
  assert.notEqual(eventsChannel('a', 'j'), eventsChannel('b', 'j'));
});

test('events are checked field by field', () => {
  const progress = { type: 'progress', iteration: 1, iterations: 2, metaLoss: 0.5, accuracy: null, tasksPerSecond: 3, etaSeconds: null };
  assert.deepEqual(checkTrainingEvent(progress), progress);
  assert.deepEqual(parseTrainingEvent(JSON.stringify({ type: 'status', status: 'failed', error: 'x' })), { type: 'status', status: 'failed', error: 'x' });
  for (const bad of [
    { ...progress, iteration: '1' },
    { ...progress, tasksPerSecond: null },
    { type: 'validation', iteration: 1, accuracy: 0.5, ci95: 0.1 },
    { type: 'validation', iteration: 1, accuracy: null, ci95: null, loss: null },
    { type: 'status', status: 'exploded' },
    { type: 'status', status: 'failed', modelId: 5 },
    { type: 'other' },
    { type: 'note' },
    { type: 'note', message: '' },
    null,
  ]) {
    assert.throws(() => checkTrainingEvent(bad), TrainingEventError, JSON.stringify(bad));
  }
  assert.deepEqual(checkTrainingEvent({ type: 'note', message: 'loading dataset omniglot' }), { type: 'note', message: 'loading dataset omniglot' });
  const regression = { type: 'validation', iteration: 1, accuracy: null, ci95: null, loss: 0.3 };
  assert.deepEqual(checkTrainingEvent(regression), regression);
  assert.equal(parseTrainingEvent('not json'), null);
  assert.deepEqual(['queued', 'running', 'completed', 'failed', 'cancelled'].map(isTerminalStatus), [false, false, true, true, true]);
});
