// The account log, for administrators: sign-ins and refused sign-ins, wrong codes, refused
// requests and changes to people and settings, newest first, a page at a time. Nothing
// about any family is in it.
import { useState } from 'preact/hooks';
import { audit } from '../api.js';
import { ErrorMessage, Loading, ScreenTitle } from '../components/common.jsx';
import { usePages } from '../components/data.js';
import { formatDateTime } from '../words.js';

const PER_PAGE = 50;
const SHOWS = [
  ['', 'Everything'],
  ['session.sign_in_failed', 'Refused sign-ins'],
  ['session.second_factor_failed', 'Wrong two-step codes'],
  ['session.confirm_failed', 'Wrong passwords when confirming'],
  ['request.refused', 'Refused requests'],
  ['session.start', 'Sign-ins'],
];

export function AccountLog({ user }) {
  const [action, setAction] = useState('');
  const pages = usePages((before, signal) => (user?.role === 'administrator'
    ? audit.accountLog({ action, before, limit: PER_PAGE }, { signal })
    : Promise.resolve({ entries: [], next_before: null })), [action, user?.role]);
  const { entries, error, loading, next } = pages;

  if (user?.role !== 'administrator') {
    return (
      <>
        <ScreenTitle>Account log</ScreenTitle>
        <p>Only administrators can see the account log.</p>
      </>
    );
  }
  const choose = (value) => setAction(value);
  return (
    <>
      <ScreenTitle>Account log</ScreenTitle>
      <p>Sign-ins, refused sign-ins and requests, and changes to people and settings,
        newest first. What happens in a family is on that family's own record.</p>
      <label class="field">
        <span class="field-label">Show</span>
        <select value={action} onChange={(event) => choose(event.currentTarget.value)}>
          {SHOWS.map(([value, words]) => <option key={value} value={value}>{words}</option>)}
        </select>
      </label>
      {entries.length === 0 && !loading && !error && <p>Nothing recorded.</p>}
      <ul class="cards viewings" aria-label="Account log">
        {entries.map((entry) => (
          <li key={entry.id} class={`card${entry.action.endsWith('failed') ? ' card-urgent' : ''}`}>
            <div class="card-body">
              <p class="card-title-plain">{entry.what}</p>
              <p class="byline">
                {entry.user_id ? `User ${entry.user_id}` : (entry.detail?.email || 'Unknown account')}
                {entry.address ? ` · from ${entry.address}` : ''}
              </p>
              <p class="byline">{formatDateTime(entry.at)}</p>
              {entry.detail?.path && <p class="byline">{entry.detail.method} {entry.detail.path}</p>}
            </div>
          </li>
        ))}
      </ul>
      {error && <ErrorMessage error={error} retry={pages.retry} />}
      {loading && <Loading what="Loading the account log" />}
      {!loading && next !== null && (
        <button type="button" class="button button-secondary button-wide"
                onClick={pages.more}>
          Show older
        </button>
      )}
    </>
  );
}
