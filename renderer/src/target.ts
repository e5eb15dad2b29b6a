/**
 * Which appliance this tab manages (issue 21 §3): this computer, or a paired one reached through
 * this server's proxy (`/api/remote/<id>/api/...`). Every request of the pages goes through
 * `apiUrl`, so each page works the same for either. The choice lives in the tab
 * (sessionStorage); switching reloads the page, so no store keeps the other appliance's state.
 */
import { remoteBase } from '@contract';

const KEY = 'medianest.appliance';

/** A link or notification may name one: `?appliance=<id>` is taken once, then dropped from the URL. */
export function adoptApplianceFromUrl(): void {
  const url = new URL(window.location.href);
  const id = url.searchParams.get('appliance');
  if (id === null) return;
  if (id === '' || id === 'local') sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, id);
  url.searchParams.delete('appliance');
  window.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
}

/** The paired appliance this tab manages; undefined for this computer. */
export function currentAppliance(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

/** What precedes `/api/...` for the appliance managed: '' for this computer. */
export function apiBase(): string {
  const id = currentAppliance();
  return id === undefined ? '' : remoteBase(id);
}

/** An API path (`/api/...`) of the appliance managed. */
export const apiUrl = (path: string): string => apiBase() + path;

/** Manages another appliance (undefined: this computer): the page starts over on its dashboard. */
export function switchAppliance(id: string | undefined): void {
  if (id === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, id);
  window.location.assign('/');
}

/** Manages this computer again, without reloading (before anything was loaded). */
export function forgetAppliance(): void {
  sessionStorage.removeItem(KEY);
}
