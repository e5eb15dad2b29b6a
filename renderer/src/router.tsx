import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A small router on the History API: the path is the state, `navigate()` changes it, `<Link>` is a
 * real `<a href>` (open in a new tab, copy the address) that navigates in place on a plain click.
 */
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', emit);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentPath = (): string => window.location.pathname;
const currentSearch = (): string => window.location.search;

/** Goes to `to` (a path inside the app, with an optional query); `replace` keeps history as it is. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (!to.startsWith('/') || to.startsWith('//')) throw new Error(`Not a path in the app: ${to}`);
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  emit();
}

/** The current path, re-rendering on every navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** The current query string's parameters, re-rendering on every navigation. */
export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, currentSearch);
  return new URLSearchParams(search);
}

/** Matches `/services/:name` against a path; the parameters decoded, or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const have = path.replace(/\/+$/, '').split('/');
  if (path === '/') have.splice(1, 1, '');
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] ?? '';
    const h = have[i] ?? '';
    if (w.startsWith(':')) {
      if (!h) return undefined;
      params[w.slice(1)] = decodeURIComponent(h);
    } else if (w !== h) return undefined;
  }
  return params;
}

function isPlainClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return (
    event.button === 0 &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey &&
    !event.defaultPrevented
  );
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** A link inside the app: `aria-current="page"` when it is where the user is. */
export function Link({ href, onClick, children, ...rest }: LinkProps) {
  const path = usePath();
  const current = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainClick(event)) return;
        event.preventDefault();
        navigate(href);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
