/**
 * What Ctrl-C does while a job is followed: `ask` (on a terminal: cancel the job, or stop
 * watching and leave it running, or go on watching), `cancel`, or `detach`. Without a terminal
 * on stdin there is nobody to ask, so `ask` acts as `detach` (the job is never cancelled by
 * accident); scripts choose with --on-interrupt.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export const INTERRUPT_POLICIES = ['ask', 'cancel', 'detach'] as const;
export type InterruptPolicy = (typeof INTERRUPT_POLICIES)[number];
export type InterruptChoice = 'cancel' | 'detach' | 'resume';

/** Reads the answer to the question; an empty answer or end of input means detach. */
export function parseInterruptAnswer(answer: string): InterruptChoice | null {
  const a = answer.trim().toLowerCase();
  if (a === '' || a === 'd' || a === 'detach' || a === 'q') return 'detach';
  if (a === 'c' || a === 'cancel' || a === 'y' || a === 'yes') return 'cancel';
  if (a === 'r' || a === 'resume' || a === 'w' || a === 'watch') return 'resume';
  return null;
}

/** Asks until it gets an answer it understands; a second Ctrl-C while asking means detach. */
export function askInterruptChoice(jobId: string, input: Readable, output: Writable): Promise<InterruptChoice> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: Boolean((input as { isTTY?: boolean }).isTTY) });
    let done = false;
    const finish = (choice: InterruptChoice) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(choice);
    };
    rl.on('SIGINT', () => finish('detach'));
    rl.on('close', () => finish('detach'));
    const ask = () =>
      rl.question(`Stop following job ${jobId}: [c]ancel the job, [d]etach and leave it running, or [r]esume watching? [d] `, (answer) => {
        const choice = parseInterruptAnswer(answer);
        if (choice) finish(choice);
        else ask();
      });
    ask();
  });
}

/** The choice for one Ctrl-C under `policy`. */
export async function decideInterrupt(policy: InterruptPolicy, jobId: string, stdinIsTTY: boolean): Promise<InterruptChoice> {
  if (policy !== 'ask') return policy;
  if (!stdinIsTTY) return 'detach';
  return askInterruptChoice(jobId, process.stdin, process.stderr);
}
