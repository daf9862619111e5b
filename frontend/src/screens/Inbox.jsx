// What has changed for my families: one entry per family per engine run (its concerns that
// are new, worse, better or resolved), and each immediate concern or escalation on its own.
import { useState } from 'preact/hooks';
import { inbox as inboxApi } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { inboxChanged } from '../components/unread.jsx';
import { navigate } from '../router.js';
import { openBreakGlass } from './BreakGlass.jsx';
import { FLAG_KINDS, FLAG_STATES, formatDateTime, label, SEVERITY } from '../words.js';

const WHY = {
  opened: 'New flag', reopened: 'Flag raised again', escalated: 'Escalated to you',
  escalated_glass: 'Escalated to you: you are not in the core group',
};
const CHANGES = {
  new: 'New', back: 'Back, and worse than when answered', worse: 'Worse', better: 'Better',
  resolved: 'Resolved',
};

export function Inbox() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const inbox = useLoad((signal) => inboxApi.list({ unread: unreadOnly ? 'true' : null }, { signal }), [unreadOnly]);
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

function useOpen(entry, address) {
  const [read, setRead] = useState(Boolean(entry.read_at));
  const [error, setError] = useState(null);
  const open = async () => {
    setError(null);
    try {
      if (!read) {
        await inboxApi.markRead(entry.id);
        inboxChanged();
      }
      setRead(true);
      if (typeof address === 'function') address();
      else navigate(address);
    } catch (problem) {
      setError(problem);
    }
  };
  return { read, error, open };
}

function Entry({ entry }) {
  if (entry.kind === 'break_glass') return <BreakGlassEntry entry={entry} />;
  if (entry.kind === 'reference_shared') return <SharedReferenceEntry entry={entry} />;
  return entry.news ? <NewsEntry entry={entry} /> : <FlagEntry entry={entry} />;
}

// A manager opened one of my families by break-glass: who, and the reason they gave.
function BreakGlassEntry({ entry }) {
  const { read, error, open } = useOpen(entry, `/families/${entry.family.id}/viewed`);
  const [said] = entry.news ?? [];
  return (
    <li class={`card${read ? ' card-read' : ' card-urgent'}`}>
      <div class="card-body">
        <p class="card-title-plain">
          {read ? '' : <span class="unread">Unread: </span>}
          Opened by break-glass, family {entry.family.reference}
        </p>
        <p class="byline">{formatDateTime(entry.created_at)}</p>
        {said && <p>{said.title} opened this family, giving this reason: “{said.sentence}”</p>}
        <ErrorMessage error={error} />
        <button type="button" class="button button-secondary" onClick={open}>
          See who has viewed the family<span class="visually-hidden"> ({entry.family.reference})</span>
        </button>
      </div>
    </li>
  );
}

// Someone who cannot open my family opened a new one with its reference: if it is the same
// household, I add them to the core group, so one record holds every agency's visits.
function SharedReferenceEntry({ entry }) {
  const { read, error, open } = useOpen(entry, `/families/${entry.family.id}`);
  const [said] = entry.news ?? [];
  return (
    <li class={`card${read ? ' card-read' : ' card-urgent'}`}>
      <div class="card-body">
        <p class="card-title-plain">
          {read ? '' : <span class="unread">Unread: </span>}
          Same reference as family {entry.family.reference}
        </p>
        <p class="byline">{formatDateTime(entry.created_at)}</p>
        {said && <p>{said.title} {said.sentence}</p>}
        <ErrorMessage error={error} />
        <button type="button" class="button button-secondary" onClick={open}>
          Open the family<span class="visually-hidden"> ({entry.family.reference})</span>
        </button>
      </div>
    </li>
  );
}

function NewsEntry({ entry }) {
  const { read, error, open } = useOpen(entry, `/families/${entry.family.id}/concerns`);
  const urgent = entry.news.some((item) => item.change !== 'resolved' && item.change !== 'better'
    && (item.severity === 'immediate' || item.severity === 'high'));
  return (
    <li class={`card${read ? ' card-read' : ''}${urgent && !read ? ' card-urgent' : ''}`}>
      <div class="card-body">
        <p class="card-title-plain">
          {read ? '' : <span class="unread">Unread: </span>}
          What has changed, family {entry.family.reference}
        </p>
        <p class="byline">{formatDateTime(entry.created_at)}</p>
        <ul class="news">
          {entry.news.map((item, index) => (
            <li key={index}>
              <strong>{CHANGES[item.change] ?? item.change}: {item.title}</strong>
              {' '}({label(SEVERITY, item.severity).toLowerCase()}). {item.sentence}
            </li>
          ))}
        </ul>
        <ErrorMessage error={error} />
        <button type="button" class="button button-secondary" onClick={open}>
          Open the family's concerns<span class="visually-hidden"> ({entry.family.reference})</span>
        </button>
      </div>
    </li>
  );
}

function FlagEntry({ entry }) {
  // Outside the core group, the way in is break-glass, with the reference filled in.
  const outside = entry.kind === 'escalated_glass';
  const { read, error, open } = useOpen(entry, outside
    ? () => openBreakGlass(entry.family.reference)
    : `/families/${entry.family.id}/concerns#flag-${entry.flag.id}`);
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
          {outside ? 'Open the family by break-glass' : 'Open the flag'}
          <span class="visually-hidden"> ({entry.family.reference})</span>
        </button>
      </div>
    </li>
  );
}
