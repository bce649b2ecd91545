/**
 * Waiting in tests on a condition, never on a fixed sleep: `until` polls `check` until it holds
 * (or returns a value), and fails naming what it waited for once the deadline passes.
 */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 20): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== undefined && value !== null) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
