// The Outbox: what is waiting on this phone to be sent, how old it is, why it has not gone,
// and "Sync now". A refused visit can be corrected, tried again or, deliberately and on the
// record, discarded.
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import {
  countOutbox, discardItem, isOld, isSyncing, listOutbox, outboxChanges, retryItem, sync,
} from '../offline/outbox.js';
import { useSession } from '../session.js';
import { useSettings } from '../settings.js';
import { formatDateTime } from '../words.js';

/** The user's outbox, kept up to date as it changes. */
function useOutbox(userId) {
  const [state, setState] = useState({ items: null, syncing: isSyncing() });
  useEffect(() => {
    let live = true;
    const load = () => listOutbox(userId).then((items) => {
      if (live) setState({ items, syncing: isSyncing() });
    }, () => {}); // the store closing under it (signing out): the next change reloads
    load();
    const stop = outboxChanges.subscribe(load);
    return () => {
      live = false;
      stop();
    };
  }, [userId]);
  return state;
}

/** "5 minutes", "3 hours", "2 days": how long something has waited. */
export function waited(since, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours === 1 ? '1 hour' : `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

export function OutboxScreen({ user }) {
  const { items, syncing } = useOutbox(user.id);
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const syncNow = async () => {
    setProblem(null);
    const outcomes = await sync({ force: true });
    if (Object.values(outcomes).includes('retry')) {
      setProblem({ message: 'Some visits could not be sent: no signal, or the server is not '
        + 'answering. They will be tried again by themselves.' });
    }
  };
  const waiting = items?.length ?? 0;
  const old = (items ?? []).filter((item) => isOld(item));
  const refused = (items ?? []).filter((item) => item.state === 'attention').length;
  return (
    <>
      <ScreenTitle>Outbox</ScreenTitle>
      <p role="status" class="outbox-status">
        {items === null ? 'Reading the outbox…'
          : waiting === 0 ? 'Nothing waiting: every visit recorded on this phone has been sent.'
            : `${waiting} ${waiting === 1 ? 'visit is' : 'visits are'} waiting to be sent.`}
        {refused > 0 && ` ${refused === 1 ? 'One was' : `${refused} were`} refused by the `
          + 'server: correct or discard below.'}
      </p>
      {old.length > 0 && (
        <p class="message message-error" role="alert">
          {old.length === 1 ? 'A visit has' : `${old.length} visits have`} waited more than 24
          hours. Find signal and press “Sync now”; if it still will not send, tell your manager.
        </p>
      )}
      <div class="actions">
        <button type="button" class="button button-wide" onClick={syncNow}
                disabled={syncing || waiting === 0}>
          {syncing ? 'Sending…' : 'Sync now'}
        </button>
      </div>
      <ErrorMessage error={problem} />
      {notice && <p class="message" role="status">{notice}</p>}
      {waiting > 0 && (
        <ul class="cards">
          {items.map((item) => <OutboxCard key={item.key} item={item} onDiscarded={setNotice} />)}
        </ul>
      )}
    </>
  );
}

function stateWords(item) {
  if (item.state === 'attention') return null;
  if (!item.problem) return 'Waiting to be sent.';
  const seconds = Math.ceil((item.nextTryAt - Date.now()) / 1000);
  const when = seconds <= 0 ? ''
    : ` Trying again in ${seconds < 90 ? `${seconds} seconds` : `${Math.round(seconds / 60)} minutes`}.`;
  return item.problem.status === 0
    ? `No connection on the last try.${when}`
    : `The server did not take it on the last try (it will be tried again).${when}`;
}

function OutboxCard({ item, onDiscarded }) {
  const [discarding, setDiscarding] = useState(false);
  const refused = item.state === 'attention';
  const visitRefused = refused && item.problem?.what === 'visit';
  const heading = `Visit to family ${item.familyReference}`;
  return (
    <li class={`card outbox-item${refused ? ' outbox-item-refused' : ''}`}>
      <div class="card-body">
        <h2 class="card-title-plain">{heading}</h2>
        <p class="card-line">
          Recorded on this phone {formatDateTime(item.queuedAt)} ({waited(item.queuedAt)} ago)
          {isOld(item) ? <strong> — more than 24 hours</strong> : null}
        </p>
        <p class="card-line">
          {item.photos === 0 ? 'No photos' : item.photos === 1 ? '1 photo' : `${item.photos} photos`}
          {item.visitId ? ' · the visit itself has been sent' : ''}
        </p>
        {refused ? (
          <div class="message message-error" role="alert">
            <p>
              {visitRefused ? 'The server refused this visit:' : 'The server refused a photo:'}
              {' '}{item.problem?.message}
            </p>
            {item.problem?.fields && <Fields fields={item.problem.fields} />}
          </div>
        ) : <p class="card-line">{stateWords(item)}</p>}
        {refused && (
          <div class="actions">
            {visitRefused && item.form && (
              <a class="button" href={`/outbox/${item.key}`}>Correct it</a>
            )}
            <button type="button" class="button button-secondary"
                    onClick={() => retryItem(item.key).then(() => sync({ force: true }))}>
              Try again
            </button>
          </div>
        )}
        {discarding
          ? <DiscardForm item={item} heading={heading} cancel={() => setDiscarding(false)}
                         onDiscarded={onDiscarded} />
          : (
            <p>
              <button type="button" class="link-button link-danger"
                      onClick={() => setDiscarding(true)}>Discard…</button>
            </p>
          )}
      </div>
    </li>
  );
}

function Fields({ fields }) {
  const lines = [];
  const walk = (value) => {
    if (typeof value === 'string') lines.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(fields);
  return <ul>{lines.map((line) => <li key={line}>{line}</li>)}</ul>;
}

function DiscardForm({ item, heading, cancel, onDiscarded }) {
  const [reason, setReason] = useState('');
  const { limits } = useSettings().settings;
  const { onSubmit, busy, error } = useSubmit(async () => {
    let answer;
    try {
      answer = await discardItem(item.key, reason.trim());
    } catch (problem) {
      throw problem.offline
        ? { message: 'Discarding needs signal: it is recorded on the server, with your name.' }
        : problem;
    }
    onDiscarded(answer?.recorded_visit_id
      ? `Discarded. The server had in fact received this visit to family ${item.familyReference}: it is on the family's timeline.`
      : `The ${heading.toLowerCase()} was discarded, and that is on the record.`);
  });
  return (
    <form class="form discard-form" onSubmit={onSubmit}>
      <p>
        <strong>Discard the {heading.toLowerCase()} for good?</strong> It will never be sent.
        This is recorded on the server with your name and your reason.
      </p>
      <label class="field">
        <span class="field-label">Why is it being discarded?</span>
        <textarea required minLength={3} maxLength={limits.discard_reason_max} value={reason}
                  onInput={(event) => setReason(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class="button button-danger"
                disabled={busy || reason.trim().length < 3}>Discard for good</button>
        <button type="button" class="button button-secondary" onClick={cancel}>Keep it</button>
      </div>
    </form>
  );
}

/** The number of visits waiting, next to "Outbox" in the bottom bar. */
export function OutboxBadge() {
  const session = useSession();
  const [count, setCount] = useState(0);
  const userId = session.user?.id;
  useEffect(() => {
    const load = () => countOutbox(userId).then(setCount, () => {});
    load();
    return outboxChanges.subscribe(load);
  }, [userId]);
  if (!count) return null;
  return <span class="badge"><span class="visually-hidden">, waiting: </span>{count}</span>;
}
