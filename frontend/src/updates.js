// Registers the service worker and says when a new version of the app is ready.
//
// Extension point: registerUpdateCheck(fn) — fn() → a message when updating must wait
// (e.g. a sync in progress), else null. applyUpdate() runs every check first.
import { Workbox } from 'workbox-window';
import { createStore, useStore } from './store.js';

let workbox = null;
const ready = createStore(false);
const updateChecks = [];

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  workbox = new Workbox('/sw.js', { scope: '/' });
  // A new worker installed while this page runs on the old one.
  workbox.addEventListener('waiting', () => ready.set(true));
  // Once the new worker takes over (after "Update"), load the new app.
  workbox.addEventListener('controlling', (event) => {
    if (event.isUpdate) window.location.reload();
  });
  workbox.register().catch(() => {
    // No service worker (a private window, or a browser that refuses it): the app still
    // works online; it only cannot open without signal.
  });
  // Look for a new version when the app comes back to the foreground.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') workbox.update().catch(() => {});
  });
}

export function registerUpdateCheck(check) {
  updateChecks.push(check);
}

/** Switches to the waiting version; resolves with a message if something must wait. */
export async function applyUpdate() {
  for (const check of updateChecks) {
    const reason = await check();
    if (reason) return reason;
  }
  workbox?.messageSkipWaiting();
  return null;
}

/** Whether a new version is waiting; re-renders the caller when that changes. */
export function useUpdateReady() {
  return useStore(ready);
}
