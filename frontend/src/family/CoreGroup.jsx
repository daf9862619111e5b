// A family's core group: who is in it (the lead first), agencies that visit without anyone
// in it, and, for its lead and the managers in it, adding people (found by name or agency),
// removing them (after a confirmation) and making a lead social worker the lead.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, Loaded } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { formatDate } from '../words.js';

export function CoreGroup({ family, reload }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const act = async (change) => {
    setBusy(true);
    setError(null);
    try {
      await change();
      reload();
    } catch (problem) {
      setError(problem);
    }
    setBusy(false);
  };
  const members = new Set(family.core_group.map((member) => member.user_id));
  return (
    <section aria-labelledby="core-group-heading">
      <h3 id="core-group-heading">Core group</h3>
      <MissingAgencies familyId={family.id} groupSize={family.core_group.length} />
      <ul class="cards" aria-label="Core group members">
        {family.core_group.map((member) => (
          <Member key={member.user_id} member={member} family={family} busy={busy} act={act} />
        ))}
      </ul>
      <ErrorMessage error={error} />
      {family.may_manage && (
        <AddPeople members={members} busy={busy}
                   add={(person) => act(() => families.addMember(family.id, person.id))} />
      )}
    </section>
  );
}

function Member({ member, family, busy, act }) {
  const [confirming, setConfirming] = useState(false);
  const canLead = member.role === 'lead_social_worker' && !member.is_lead;
  return (
    <li class="card">
      <p class="card-title-plain">
        {member.name}{member.is_lead && <span class="badge">Lead</span>}
      </p>
      <p class="byline">{member.profession_label}, {member.agency.name}</p>
      {family.may_manage && !member.is_lead && !confirming && (
        <div class="actions actions-pair">
          {canLead && (
            <button type="button" class="button button-secondary" disabled={busy}
                    onClick={() => act(() => families.setLead(family.id, member.user_id))}>
              Make {member.name} the lead
            </button>
          )}
          <button type="button" class="button button-secondary" disabled={busy}
                  onClick={() => setConfirming(true)}>Remove {member.name}</button>
        </div>
      )}
      {confirming && (
        <div class="message" role="alert">
          <p>Remove {member.name} from the core group? They will no longer be able to open this
            family. What they recorded stays on the record.</p>
          <div class="actions actions-pair">
            <button type="button" class="button button-danger" disabled={busy}
                    onClick={() => act(() => families.removeMember(family.id, member.user_id))}>
              Yes, remove {member.name}
            </button>
            <button type="button" class="button button-secondary" onClick={() => setConfirming(false)}>
              Keep {member.name}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function MissingAgencies({ familyId, groupSize }) {
  const missing = useLoad((signal) => families.missingAgencies(familyId, { signal }),
    [familyId, groupSize]);
  if (missing.error || !missing.data || missing.data.length === 0) return null;
  return (
    <div class="message" role="status">
      <p><strong>Visiting, but nobody in the core group:</strong></p>
      <ul>
        {missing.data.map((entry) => (
          <li key={entry.agency.id}>
            {entry.agency.name}: {entry.visits === 1 ? '1 visit' : `${entry.visits} visits`} in
            the last 90 days, the latest on {formatDate(entry.last_visit_at)}
          </li>
        ))}
      </ul>
      <p>Ask them who should join, so they see the family's flags and summaries.</p>
    </div>
  );
}

function AddPeople({ members, busy, add }) {
  const [search, setSearch] = useState('');
  const [asked, setAsked] = useState(null);
  const onSubmit = (event) => {
    event.preventDefault();
    setAsked(search.trim());
  };
  return (
    <form class="form" onSubmit={onSubmit} role="search" aria-label="Add someone to the core group">
      <label class="field">
        <span class="field-label">Add someone: their name or agency</span>
        <input type="search" value={search} maxLength={100} autocomplete="off"
               onInput={(event) => setSearch(event.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="submit" class="button button-secondary" disabled={!search.trim()}>Find</button>
      </div>
      {asked !== null && <Found search={asked} members={members} busy={busy} add={add} />}
    </form>
  );
}

function Found({ search, members, busy, add }) {
  const found = useLoad((signal) => families.findPeople({ search, limit: 20 }, { signal }), [search]);
  return (
    <Loaded state={found} what="Finding people">
      {(people) => (people.length === 0 ? <p>Nobody found.</p> : (
        <ul class="cards" aria-label="People found">
          {people.map((person) => (
            <li class="card" key={person.id}>
              <p class="card-title-plain">{person.name}</p>
              <p class="byline">{person.profession_label}, {person.agency.name}</p>
              {members.has(person.id)
                ? <p class="note">In the core group</p>
                : (
                  <button type="button" class="button" disabled={busy} onClick={() => add(person)}>
                    Add {person.name}
                  </button>
                )}
            </li>
          ))}
        </ul>
      ))}
    </Loaded>
  );
}
