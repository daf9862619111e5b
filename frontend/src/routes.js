// Every screen of the app, by address (all need a signed-in user). The first match wins;
// `nav` names the bottom-bar entry a screen belongs to, marked as the current page.
import { Families } from './screens/Families.jsx';
import { NotFound } from './screens/NotFound.jsx';
import { RecordVisit } from './screens/RecordVisit.jsx';

export const routes = [
  { path: '/', screen: Families, nav: 'families' },
  { path: '/families/:familyId/visits/new', screen: RecordVisit, nav: 'families' },
  { path: '.*', screen: NotFound },
];

// The bottom bar, in order. Further entries (the outbox) are added with addRoute.
export const navItems = [
  { key: 'families', href: '/', label: 'Families' },
  { key: 'inbox', href: '/inbox', label: 'Inbox' },
];

/** Adds a screen before the catch-all, and optionally an entry in the bottom bar. */
export function addRoute(route, navItem = null) {
  routes.splice(routes.length - 1, 0, route);
  if (navItem) navItems.push(navItem);
}
