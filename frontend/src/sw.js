// The service worker: keeps this version of the app shell (HTML, scripts, styles, icons)
// so the app opens with no signal. It never stores API answers: family data must not sit
// in a cache on a phone that can be lost. (What a visit needs offline is kept by the app
// itself, per user, and cleared at sign-out.)
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

precacheAndRoute(self.__WB_MANIFEST);
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
