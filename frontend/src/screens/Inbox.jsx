// Flags put in front of me: opened or raised again for my families, or escalated to me.
import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { inboxChanged } from '../components/unread.jsx';
import { navigate } from '../router.js';
import { FLAG_KINDS, FLAG_STATES, formatDateTime, label, SEVERITY } from '../words.js';

const WHY = { opened: 'New flag', reopened: 'Flag raised again', escalated: 'Escalated to you' };

export function Inbox() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const inbox = useLoad((signal) => get(`/inbox${unreadOnly ? '?unread=true' : ''}`, { signal }), [unreadOnly]);
  return (
    <>
      <ScreenTitle>Inbox</ScreenTitle>
      <label class="check">
        <input type="checkbox" checked={unreadOnly} onChange={(event) => setUnreadOnly(event.currentTarget.checked)} />
        <span>Unread only</span>
      </label>
      <Loaded state={inbox} what="Loading your inbox">
        {(entries) => entries.length === 0
          ? <p>{unreadOnly ? 'Nothing unread.' : 'Nothing in your inbox.'}</p>
          : <ul class="cards">{entries.map((entry) => <Entry key={entry.id} entry={entry} />)}</ul>}
      </Loaded>
    </>
  );
}

function Entry({ entry }) {
  const [read, setRead] = useState(Boolean(entry.read_at));
  const [error, setError] = useState(null);
  const open = async () => {
    setError(null);
    try {
      if (!read) {
        await post(`/inbox/${entry.id}/read`);
        inboxChanged();
      }
      setRead(true);
      navigate(`/families/${entry.family.id}/concerns#flag-${entry.flag.id}`);
    } catch (problem) {
      setError(problem);
    }
  };
  const urgent = entry.flag.severity === 'immediate' || entry.flag.severity === 'high';
  return (
    <li class={`card${read ? ' card-read' : ''}${urgent && !read ? ' card-urgent' : ''}`}>
      <div class="card-body">
        <p class="card-title-plain">
          {read ? '' : <span class="unread">Unread: </span>}
          {label(FLAG_KINDS, entry.flag.kind)}, family {entry.family.reference}
        </p>
        <p class="byline">
          {WHY[entry.kind] ?? entry.kind} · {label(SEVERITY, entry.flag.severity)} · now {label(FLAG_STATES, entry.flag.state).toLowerCase()} · {formatDateTime(entry.created_at)}
        </p>
        <ErrorMessage error={error} />
        <button type="button" class="button button-secondary" onClick={open}>
          Open the flag<span class="visually-hidden"> ({entry.family.reference})</span>
        </button>
      </div>
    </li>
  );
}
