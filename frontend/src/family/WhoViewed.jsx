// Who has viewed this family: every access to its record (who, agency, when, what, on what
// basis), newest first, a page at a time, for everybody or one person. Lead and managers.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, Loading } from '../components/common.jsx';
import { usePages } from '../components/data.js';
import { formatDateTime } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

const PER_PAGE = 50;

export function WhoViewedScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="viewed">
      {() => <WhoViewed familyId={params.familyId} />}
    </FamilyFrame>
  );
}

function WhoViewed({ familyId }) {
  const [person, setPerson] = useState('');
  const pages = usePages((before, signal) => families.whoViewed(
    familyId, { person, before, limit: PER_PAGE },
    { signal }), [familyId, person]);
  const { entries, error, loading, next } = pages;
  const people = pages.page?.people ?? [];
  const choose = (value) => setPerson(value);

  return (
    <>
      <p>Everyone who has opened or changed this family's record, newest first.</p>
      <label class="field">
        <span class="field-label">Show</span>
        <select value={person} onChange={(event) => choose(event.currentTarget.value)}>
          <option value="">Everyone</option>
          {people.map((someone) => (
            <option key={someone.id} value={String(someone.id)}>
              {someone.name} ({someone.agency.name})
            </option>
          ))}
        </select>
      </label>
      {entries.length === 0 && !loading && !error && <p>Nothing recorded.</p>}
      <ul class="cards viewings" aria-label="Who has viewed this family">
        {entries.map((entry) => <Viewing key={entry.id} entry={entry} />)}
      </ul>
      {error && <ErrorMessage error={error} retry={pages.retry} />}
      {loading && <Loading what="Loading who has viewed" />}
      {!loading && next !== null && (
        <button type="button" class="button button-secondary button-wide"
                onClick={pages.more}>
          Show older
        </button>
      )}
    </>
  );
}

function Viewing({ entry }) {
  const who = entry.person;
  return (
    <li class={`card${entry.basis === 'break_glass' ? ' card-urgent' : ''}`}>
      <div class="card-body">
        <p class="card-title-plain">{entry.what}</p>
        <p class="byline">
          {who ? `${who.name}, ${who.profession_label}, ${who.agency.name}` : 'Homelog itself'}
        </p>
        <p class="byline">{formatDateTime(entry.at)} · On what basis: {entry.basis_words}</p>
        {entry.reason && <p>Reason given: “{entry.reason}”</p>}
      </div>
    </li>
  );
}
