// The service worker: keeps this version of the app shell (HTML, scripts, styles, icons)
// so the app opens with no signal. It never stores API answers: family data must not sit
// in a cache on a phone that can be lost. (What a visit needs offline is kept by the app
// itself, per user, and cleared at sign-out.)
import { cacheNames } from 'workbox-core';
import {
  cleanupOutdatedCaches, createHandlerBoundToURL, getCacheKeyForURL, precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

const manifest = self.__WB_MANIFEST;
precacheAndRoute(manifest);
cleanupOutdatedCaches();

// Every page address opens the app shell; the app's router shows the screen. The API and
// the photos it serves are never answered from here.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), {
  denylist: [/^\/api\//],
}));

// A new version waits until the person says "Update" (so nothing in progress is cut off).
self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
});

// Signing out empties every cache on the phone; at the next sign-in the app asks for the
// app shell to be kept again, so it opens with no signal as before.
async function cacheAppShell() {
  const cache = await caches.open(cacheNames.precache);
  await Promise.all(manifest.map(async (entry) => {
    const url = new URL(typeof entry === 'string' ? entry : entry.url, self.location).href;
    const key = getCacheKeyForURL(url) ?? url;
    if (await cache.match(key)) return;
    const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
    if (response.ok) await cache.put(key, response);
  }));
}

self.addEventListener('message', (event) => {
  if (event.data?.type === 'CACHE_APP_SHELL') event.waitUntil(cacheAppShell());
});
