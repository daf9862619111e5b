// People: everyone with an account, active or not, with their role, agency and when they
// last signed in. Nothing about any family is shown here.
import { useState } from 'preact/hooks';
import { people as peopleApi } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { formatDateTime, label } from '../words.js';
import { lastSignIn, ROLES } from './words.js';

const SHOWS = [['', 'Everyone'], ['true', 'Can sign in'], ['false', 'Stopped from signing in']];

export function People() {
  const [search, setSearch] = useState('');
  const [active, setActive] = useState('');
  const people = useLoad((signal) => peopleApi.list({ q: search.trim(), active },
    { signal }), [search, active]);
  return (
    <>
      <ScreenTitle>People</ScreenTitle>
      <p><a class="button button-wide" href="/admin/people/new">Invite a person</a></p>
      <div class="form">
        <label class="field">
          <span class="field-label">Find by name or email</span>
          <input type="search" value={search} autocomplete="off"
                 onInput={(event) => setSearch(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Show</span>
          <select value={active} onChange={(event) => setActive(event.currentTarget.value)}>
            {SHOWS.map(([value, words]) => <option key={value} value={value}>{words}</option>)}
          </select>
        </label>
      </div>
      <Loaded state={people} what="Loading people">
        {(list) => (list.length === 0 ? <p>Nobody matches.</p> : (
          <ul class="cards" aria-label="People">
            {list.map((person) => <PersonCard key={person.id} person={person} />)}
          </ul>
        ))}
      </Loaded>
    </>
  );
}

function PersonCard({ person }) {
  return (
    <li class={person.active ? 'card' : 'card card-read'}>
      <a class="card-link" href={`/admin/people/${person.id}`}>
        <span class="card-title">{person.name}</span>
        <span class="card-line">
          {label(ROLES, person.role)} · {person.profession_label} · {person.agency.name}
        </span>
        <span class="figures">
          {!person.active && <span class="figure figure-alert">Stopped from signing in</span>}
          {!person.password_set && <span class="figure">Has not set a password yet</span>}
          <span class="figure">{lastSignIn(person.last_signed_in_at, formatDateTime)}</span>
        </span>
      </a>
    </li>
  );
}
