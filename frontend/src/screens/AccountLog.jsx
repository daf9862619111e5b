// The account log, for administrators: sign-ins and refused sign-ins, wrong codes, refused
// requests and changes to people and settings, newest first, a page at a time. Nothing
// about any family is in it.
import { useEffect, useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { ErrorMessage, Loading, ScreenTitle } from '../components/common.jsx';
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
  const [before, setBefore] = useState(null);
  const [entries, setEntries] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (user?.role !== 'administrator') return undefined;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    get(`/audit/account-log${query({ action, before, limit: PER_PAGE })}`,
      { signal: controller.signal })
      .then((page) => {
        setEntries((previous) => (before === null ? page.entries : [...previous, ...page.entries]));
        setNext(page.next_before);
        setLoading(false);
      }, (problem) => {
        if (controller.signal.aborted) return;
        setError(problem);
        setLoading(false);
      });
    return () => controller.abort();
  }, [action, before, round, user?.role]);

  if (user?.role !== 'administrator') {
    return (
      <>
        <ScreenTitle>Account log</ScreenTitle>
        <p>Only administrators can see the account log.</p>
      </>
    );
  }
  const choose = (value) => {
    setEntries([]);
    setBefore(null);
    setAction(value);
  };
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
      {error && <ErrorMessage error={error} retry={() => setRound((value) => value + 1)} />}
      {loading && <Loading what="Loading the account log" />}
      {!loading && next !== null && (
        <button type="button" class="button button-secondary button-wide"
                onClick={() => setBefore(next)}>
          Show older
        </button>
      )}
    </>
  );
}
