/**
 * The console's connection to the service: the typed client (clients/typescript) with the key
 * kept in sessionStorage (gone when the tab closes), and errors as one readable line.
 */
import { MamlClient, type Capabilities } from '../../clients/typescript/client.ts';
import { ApiError, UnreachableError } from '../../clients/typescript/errors.ts';

const KEY_ITEM = 'maml-console.api-key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

/** A client of the service that served this page, with the key. */
/** GET /capabilities (public): the kinds of network, algorithm and backend the service knows. */
export function capabilities(): Promise<Capabilities> {
  return new MamlClient({ url: window.location.origin, retry: { maxAttempts: 3, maxDelayMs: 5_000 } }).capabilities();
}

export function connect(key: string): MamlClient {
  return new MamlClient({ url: window.location.origin, key, retry: { maxAttempts: 3, maxDelayMs: 5_000 } });
}

function hint(error: ApiError): string {
  if (error.status === 401) return ' Check the API key above.';
  if (error.status === 403) return ' This needs an admin key.';
  if (error.retryAfterSeconds !== undefined) return ` Retry in ${error.retryAfterSeconds} s.`;
  return '';
}

/** The API's own message (`{error:{code,message}}`), with its status and code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.code}: ${error.message.replace(/\.$/, '')}.${hint(error)}`;
  if (error instanceof UnreachableError) return `The service does not answer (${error.message}).`;
  return error instanceof Error ? error.message : String(error);
}
