// The administration screens (administrators only: see `roles` in ../routes.js).
import { Administration } from './Admin.jsx';
import { Agencies } from './Agencies.jsx';
import { EngineSettings } from './EngineSettings.jsx';
import { Invite } from './Invite.jsx';
import { People } from './People.jsx';
import { Person } from './Person.jsx';

const ADMINISTRATORS = ['administrator'];

export const adminRoutes = [
  { path: '/admin', screen: Administration, nav: 'admin', roles: ADMINISTRATORS },
  { path: '/admin/people', screen: People, nav: 'admin', roles: ADMINISTRATORS },
  { path: '/admin/people/new', screen: Invite, nav: 'admin', roles: ADMINISTRATORS },
  { path: '/admin/people/:userId', screen: Person, nav: 'admin', roles: ADMINISTRATORS },
  { path: '/admin/agencies', screen: Agencies, nav: 'admin', roles: ADMINISTRATORS },
  { path: '/admin/engine', screen: EngineSettings, nav: 'admin', roles: ADMINISTRATORS },
];
