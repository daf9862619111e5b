// Every screen of the app, by address (all need a signed-in user). The first match wins;
// `nav` names the bottom-bar entry a screen belongs to, marked as the current page.
// `roles` (on a route or a bottom-bar entry) lists the roles that may see it; absent, everyone
// signed in may. The app hides the entry from everyone else and answers the address with
// "not available to you" (the API refuses them too).
import { RubricAdmin } from './admin/Rubric.jsx';
import { adminRoutes } from './admin/routes.js';
import { UnreadBadge } from './components/unread.jsx';
import { AgreementScreen } from './family/Agreement.jsx';
import { ChartsScreen } from './family/Charts.jsx';
import { ConcernsScreen } from './family/Concerns.jsx';
import { FamilyDetailsScreen } from './family/FamilyDetails.jsx';
import { OpenFamily } from './family/OpenFamily.jsx';
import { Exports } from './family/Exports.jsx';
import { PhotosScreen } from './family/Photos.jsx';
import { TimelineScreen } from './family/Timeline.jsx';
import { WhoViewedScreen } from './family/WhoViewed.jsx';
import { AccountLog } from './screens/AccountLog.jsx';
import { BreakGlass } from './screens/BreakGlass.jsx';
import { Families } from './screens/Families.jsx';
import { Inbox } from './screens/Inbox.jsx';
import { NotFound } from './screens/NotFound.jsx';
import { ChangePassword } from './screens/Password.jsx';
import { RecordEvent } from './screens/RecordEvent.jsx';
import { RecordVisit } from './screens/RecordVisit.jsx';
import { Visit } from './screens/Visit.jsx';

export const routes = [
  { path: '/', screen: Families, nav: 'families' },
  { path: '/families/new', screen: OpenFamily, nav: 'families', roles: ['lead_social_worker', 'manager'] },
  { path: '/families/:familyId', screen: TimelineScreen, nav: 'families' },
  { path: '/families/:familyId/charts', screen: ChartsScreen, nav: 'families' },
  { path: '/families/:familyId/photos', screen: PhotosScreen, nav: 'families' },
  { path: '/families/:familyId/concerns', screen: ConcernsScreen, nav: 'families' },
  // The address of the tab before it was the concerns (bookmarks, links in emails).
  { path: '/families/:familyId/flags', screen: ConcernsScreen, nav: 'families' },
  { path: '/families/:familyId/visits/new', screen: RecordVisit, nav: 'families' },
  { path: '/families/:familyId/events/new', screen: RecordEvent, nav: 'families' },
  { path: '/families/:familyId/exports', screen: Exports, nav: 'families' },
  { path: '/families/:familyId/viewed', screen: WhoViewedScreen, nav: 'families' },
  { path: '/families/:familyId/details', screen: FamilyDetailsScreen, nav: 'families' },
  { path: '/families/:familyId/agreement', screen: AgreementScreen, nav: 'families' },
  { path: '/break-glass', screen: BreakGlass, nav: 'families' },
  { path: '/account-log', screen: AccountLog, nav: 'admin', roles: ['administrator'] },
  { path: '/visits/:visitId', screen: Visit, nav: 'families' },
  { path: '/inbox', screen: Inbox, nav: 'inbox' },
  { path: '/account/password', screen: ChangePassword },
  { path: '/admin/rubric', screen: RubricAdmin, nav: 'admin', roles: ['administrator'] },
  ...adminRoutes,
  { path: '.*', screen: NotFound },
];

// The bottom bar, in order. Further entries (the outbox) are added with addRoute.
export const navItems = [
  { key: 'families', href: '/', label: 'Families' },
  { key: 'inbox', href: '/inbox', label: 'Inbox', badge: UnreadBadge },
  { key: 'admin', href: '/admin', label: 'Admin', roles: ['administrator'] },
];

/** Whether `user` may see a route or a bottom-bar entry (see `roles` above). */
export function allowedFor(entry, user) {
  return !entry.roles || entry.roles.includes(user?.role);
}

/**
 * Adds a screen before the catch-all, and optionally an entry in the bottom bar
 * ({ key, href, label, badge? } where badge is a component showing a count).
 */
export function addRoute(route, navItem = null) {
  routes.splice(routes.length - 1, 0, route);
  if (navItem) navItems.push(navItem);
}
