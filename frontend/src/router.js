// A small history router: routes are path patterns ("/families/:id") mapped to screens.
// Links are ordinary <a href> elements; same-origin clicks are handled here, so links work
// with the keyboard, open in a new tab, and read correctly to a screen reader.
import { createStore, useStore } from './store.js';

const pathStore = createStore(window.location.pathname);
window.addEventListener('popstate', () => pathStore.set(currentPath()));

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:([a-z_]+)/gi, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}/?$`), names };
}

/** Finds the first route matching `path`; returns { route, params } or null. */
export function match(routes, path) {
  for (const route of routes) {
    route.compiled ??= compile(route.path);
    const found = route.compiled.regex.exec(path);
    if (found) {
      const params = {};
      route.compiled.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1]);
      });
      return { route, params };
    }
  }
  return null;
}

export function currentPath() {
  return window.location.pathname;
}

export function navigate(path, { replace = false } = {}) {
  if (path === currentPath() + window.location.search) return;
  window.history[replace ? 'replaceState' : 'pushState'](null, '', path);
  pathStore.set(currentPath());
}

/** The current path; re-renders the caller when it changes. */
export function usePath() {
  return useStore(pathStore);
}

/** Handles clicks on same-origin links without a page load. */
export function interceptLinks(root = document) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest('a[href]');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
