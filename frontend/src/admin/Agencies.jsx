// Agencies: add one, or correct its name or kind. People and what they recorded stay with
// their agency when it is renamed.
import { useState } from 'preact/hooks';
import { agencies as agenciesApi } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { useLoad } from '../components/data.js';
import { label } from '../words.js';
import { FieldProblem } from './PersonFields.jsx';
import { AGENCY_KINDS } from './words.js';

export function Agencies() {
  const agencies = useLoad((signal) => agenciesApi.list({ signal }), []);
  return (
    <>
      <ScreenTitle>Agencies</ScreenTitle>
      <AgencyForm title="Add an agency" action="Add the agency" done="Added"
                  send={(body) => agenciesApi.add(body)} onDone={agencies.reload} />
      <h2>Every agency</h2>
      <Loaded state={agencies} what="Loading agencies">
        {(list) => (
          <ul class="cards" aria-label="Agencies">
            {list.map((agency) => <AgencyCard key={agency.id} agency={agency} onDone={agencies.reload} />)}
          </ul>
        )}
      </Loaded>
    </>
  );
}

function AgencyCard({ agency, onDone }) {
  const [renaming, setRenaming] = useState(false);
  return (
    <li class="card">
      <div class="card-body">
        <p class="card-title-plain">{agency.name}</p>
        <p class="byline">{label(AGENCY_KINDS, agency.kind)}</p>
        {renaming
          ? (
            <AgencyForm title={`Rename ${agency.name}`} action="Save the name" agency={agency}
                        send={(body) => agenciesApi.update(agency.id, body)}
                        onDone={() => { setRenaming(false); onDone(); }}
                        onCancel={() => setRenaming(false)} />
          )
          : (
            <button type="button" class="button button-secondary" onClick={() => setRenaming(true)}>
              Rename {agency.name}
            </button>
          )}
      </div>
    </li>
  );
}

function AgencyForm({ title, action, agency, send, onDone, onCancel, done }) {
  const [name, setName] = useState(agency?.name ?? '');
  const [kind, setKind] = useState(agency?.kind ?? 'health');
  const [news, setNews] = useState(null);
  const { onSubmit, busy, error } = useSubmit(async () => {
    setNews(null);
    const saved = await send({ name: name.trim(), kind });
    if (done) {
      setNews(`${done}: ${saved.name}.`);
      setName('');
    }
    onDone();
  });
  const id = agency ? `agency-${agency.id}` : 'agency-new';
  return (
    <form class="form" onSubmit={onSubmit} novalidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class={agency ? 'visually-hidden' : undefined}>{title}</h2>
      <label class="field">
        <span class="field-label">Name</span>
        <input type="text" name="name" required maxLength={120} value={name}
               onInput={(event) => setName(event.currentTarget.value)} />
        <FieldProblem error={error} name="name" />
      </label>
      <label class="field">
        <span class="field-label">Kind</span>
        <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
          {kindOptions(agency).map(([key, words]) => <option key={key} value={key}>{words}</option>)}
        </select>
      </label>
      <ErrorMessage error={error} />
      {news && <p class="message" role="status">{news}</p>}
      <div class="actions">
        <button type="submit" class="button" disabled={busy || !name.trim()}>{action}</button>
        {onCancel && <button type="button" class="button button-secondary" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

/** The kinds to choose from, with the agency's own kept when it is not a usual one. */
function kindOptions(agency) {
  const options = Object.entries(AGENCY_KINDS);
  if (agency && !(agency.kind in AGENCY_KINDS)) options.push([agency.kind, agency.kind]);
  return options;
}
