/** Small DOM helpers: building elements without innerHTML, finding the page's fixed elements, status lines. */

type Child = Node | string | null | undefined | false;

/** An element with attributes (never `style`: the CSP forbids inline styles) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** The element with this id, of this type; throws when the page lacks it (a build/markup mismatch). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no <${type.name}> #${id}`);
  return element;
}

export type StatusKind = 'info' | 'busy' | 'ok' | 'error';

/** Writes a message into a status line (an aria-live region), styled by its kind. */
export function say(line: HTMLElement, text: string, kind: StatusKind = 'info'): void {
  line.textContent = text;
  line.dataset.kind = kind;
}

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)} %`;
}

export function milliseconds(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}
