// The administration area: what an administrator looks after. Administrators manage people
// and the partnership's settings, not family records.
import { ScreenTitle } from '../components/common.jsx';

const AREAS = [
  ['/admin/people', 'People', 'Invite someone, change their role or agency, stop them signing in.'],
  ['/admin/agencies', 'Agencies', 'Add an agency or correct its name.'],
  ['/admin/engine', 'Engine settings', 'When Homelog raises a flag, how often it runs, how long records are kept.'],
  ['/admin/rubric', 'Rubric', 'The scoring rubric and its versions.'],
  ['/account-log', 'Account log', 'Sign-ins, refusals and every change to people and settings.'],
];

export function Administration() {
  return (
    <>
      <ScreenTitle>Administration</ScreenTitle>
      <p>You manage people and settings here. Family records are only open to their core
        group: you see a family only if you are in its core group.</p>
      <ul class="cards" aria-label="Administration">
        {AREAS.map(([href, title, what], index) => (
          <li class="card" key={href}>
            <a class="card-link" href={href} aria-describedby={`area-${index}`}>
              <span class="card-title">{title}</span>
            </a>
            <p class="card-more" id={`area-${index}`}>{what}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
