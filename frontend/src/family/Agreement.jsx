// The agreed baseline: per domain, the level the core group agreed for this family (in the
// rubric's words), when, who was there and whether the parents have their copy, with every
// earlier revision. Everyone in the core group reads it; the lead social worker (or a
// manager) records a new revision, which never changes the earlier ones.
import { useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, Loaded } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';
import { useLoad } from '../components/data.js';
import { loadRubric } from '../rubric.js';
import { currentSettings } from '../settings.js';
import { wallDate } from '../time.js';
import { formatDate, formatDateTime } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

export function AgreementScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="agreement">
      {(family) => <Agreement family={family} />}
    </FamilyFrame>
  );
}

function Agreement({ family }) {
  const state = useLoad(async (signal) => {
    const [agreement, rubric] = await Promise.all([
      families.agreement(family.id, { signal }), loadRubric()]);
    return { agreement, rubric };
  }, [family.id]);
  return (
    <Loaded state={state} what="Loading the agreement">
      {({ agreement, rubric }) => (
        <AgreementView family={family} initial={agreement} rubric={rubric} />
      )}
    </Loaded>
  );
}

function AgreementView({ family, initial, rubric }) {
  const [agreement, setAgreement] = useState(initial);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const done = (answer) => {
    setAgreement(answer);
    setEditing(false);
    setSaved(true);
  };
  return (
    <>
      {saved && (
        <p class="message" role="status">
          Saved as revision {agreement.current.revision}. The earlier agreement stays in the history below.
        </p>
      )}
      {editing
        ? <AgreementForm family={family} agreement={agreement} rubric={rubric} onSaved={done}
                         onCancel={() => setEditing(false)} />
        : <InForce agreement={agreement} family={family}
                   onRevise={agreement.may_revise ? () => { setSaved(false); setEditing(true); } : null} />}
      <History history={agreement.history} />
    </>
  );
}

function InForce({ agreement, family, onRevise }) {
  const current = agreement.current;
  return (
    <section aria-labelledby="in-force">
      <h3 id="in-force">Agreed now</h3>
      {agreement.is_default ? (
        <p class="message">No agreement has been recorded for this family yet. Until one is,
          visits are compared with the partnership's good-enough level for each area.</p>
      ) : (
        <dl class="facts facts-flow">
          <div><dt>Agreed on</dt><dd>{formatDate(current.agreed_on)}</dd></div>
          <div><dt>Who was there</dt><dd>{current.attendees.length ? current.attendees.join('; ') : 'not recorded'}</dd></div>
          <div><dt>Parents' copy</dt><dd>{current.shared_with_parents_on
            ? `given on ${formatDate(current.shared_with_parents_on)}` : 'not given yet'}</dd></div>
          <div><dt>Written down by</dt><dd>{current.recorded_by}, {formatDateTime(current.recorded_at)}</dd></div>
          {current.note && <div><dt>Note</dt><dd class="notes">{current.note}</dd></div>}
        </dl>
      )}
      {!agreement.is_default && (
        <p><a href={`/families/${family.id}/exports`}>The parents' copy to download</a></p>
      )}
      {onRevise && (
        <div class="actions">
          <button type="button" class="button" onClick={onRevise}>
            {agreement.is_default ? 'Record the agreement' : 'Record a new agreement'}
          </button>
        </div>
      )}
      {!onRevise && (
        <p class="byline">The lead social worker records the agreement after the core group meets.</p>
      )}
      <ul class="cards agreed-levels" aria-label="Agreed level for each area">
        {current.levels.map((level) => (
          <li key={level.domain_key} class="card">
            <div class="card-body">
              <p class="card-title-plain">{level.domain_name}</p>
              <p>Good enough: level {level.expected_level === 1 ? '1' : `1 to ${level.expected_level}`}.
                At level {level.expected_level}: {level.descriptor}</p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Today on the partnership's calendar, as a date field's value. */
function today() {
  return wallDate(new Date(), currentSettings().time_zone);
}

function memberLine(member) {
  return `${member.name}, ${member.profession_label}, ${member.agency.name}`;
}

function startingLevels(agreement, rubric) {
  const agreed = Object.fromEntries(agreement.current.levels.map((level) => [level.domain_key, level.expected_level]));
  return Object.fromEntries(rubric.domains.map((domain) => [domain.key, agreed[domain.key] ?? domain.good_enough_level]));
}

function AgreementForm({ family, agreement, rubric, onSaved, onCancel }) {
  const members = family.core_group.map(memberLine);
  const before = agreement.current.attendees;
  const [levels, setLevels] = useState(() => startingLevels(agreement, rubric));
  const [agreedOn, setAgreedOn] = useState(today);
  const [present, setPresent] = useState(() => members.filter((line) => before.includes(line)));
  const [others, setOthers] = useState(() => before.filter((line) => !members.includes(line)).join('\n'));
  const [sharedOn, setSharedOn] = useState('');
  const [note, setNote] = useState('');

  const { onSubmit, busy, error } = useSubmit(async () => {
    const otherLines = others.split('\n').map((line) => line.trim()).filter(Boolean);
    onSaved(await families.saveAgreement(family.id, {
      agreed_on: agreedOn, levels, note,
      attendees: [...present, ...otherLines.filter((line) => !present.includes(line))],
      shared_with_parents_on: sharedOn || null,
    }));
  });
  const toggle = (line) => setPresent(present.includes(line)
    ? present.filter((item) => item !== line) : [...present, line]);

  return (
    <form class="form" onSubmit={onSubmit} aria-labelledby="agreement-form">
      <h3 id="agreement-form">Record the agreement</h3>
      <p>Saving keeps the agreement before it in the history. Visits are compared with the new
        levels from the date it was agreed.</p>
      <label class="field">
        <span class="field-label">Agreed on</span>
        <input type="date" required value={agreedOn} max={today()} aria-describedby="agreed-on-problem"
               onInput={(event) => setAgreedOn(event.currentTarget.value)} />
        <FieldProblem error={error} field="agreed_on" id="agreed-on-problem" />
      </label>
      {rubric.domains.map((domain, index) => (
        <DomainLevel key={domain.key} domain={domain} index={index} total={rubric.domains.length}
                     chosen={levels[domain.key]}
                     choose={(level) => setLevels({ ...levels, [domain.key]: level })} />
      ))}
      <FieldProblem error={error} field="levels" id="levels-problem" />
      <fieldset class="choices">
        <legend class="field-label">Who was there</legend>
        {members.map((line) => (
          <label key={line} class={`choice${present.includes(line) ? ' choice-on' : ''}`}>
            <input type="checkbox" checked={present.includes(line)} onChange={() => toggle(line)} />
            <span class="choice-text">{line}</span>
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span class="field-label">Others who were there</span>
        <span class="field-hint" id="others-hint">One a line: parents and carers (for example
          “Mother”, “Father”), and anyone else, such as an interpreter or a colleague not in the core group.</span>
        <textarea value={others} maxLength={5000} aria-describedby="others-hint attendees-problem"
                  onInput={(event) => setOthers(event.currentTarget.value)} />
        <FieldProblem error={error} field="attendees" id="attendees-problem" />
      </label>
      <label class="field">
        <span class="field-label">Parents given their copy on (leave empty if not yet)</span>
        <input type="date" value={sharedOn} min={agreedOn} max={today()} aria-describedby="shared-problem"
               onInput={(event) => setSharedOn(event.currentTarget.value)} />
        <FieldProblem error={error} field="shared_with_parents_on" id="shared-problem" />
      </label>
      <label class="field">
        <span class="field-label">Note (optional)</span>
        <span class="field-hint" id="note-hint">For the core group only: the parents' copy never shows it.</span>
        <textarea value={note} maxLength={2000} aria-describedby="note-hint"
                  onInput={(event) => setNote(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy || !agreedOn}>
          {busy ? 'Saving…' : 'Save the agreement'}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function FieldProblem({ error, field, id }) {
  const problems = error?.fields?.[field];
  if (!problems) return <span id={id} />;
  const words = Array.isArray(problems) ? problems.flat(Infinity) : Object.values(problems).flat(Infinity);
  return <span id={id} class="field-hint field-problem">{words.join(' ')}</span>;
}

function DomainLevel({ domain, index, total, chosen, choose }) {
  return (
    <fieldset class="levels">
      <legend class="field-label">{domain.name} (area {index + 1} of {total}): good enough is at most</legend>
      {[1, 2, 3, 4, 5].map((level) => (
        <label key={level} class={`level${chosen === level ? ' level-on' : ''}`}>
          <input type="radio" name={`agreed-${domain.key}`} checked={chosen === level}
                 onChange={() => choose(level)} />
          <span class="level-number" aria-hidden="true">{level}</span>
          <span class="level-text">
            <span class="visually-hidden">Level {level}: </span>
            {domain.levels[String(level)]}
            {level === domain.good_enough_level && <span class="level-agreed">Usual good enough</span>}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

function History({ history }) {
  if (history.length === 0) return null;
  return (
    <section aria-labelledby="agreement-history">
      <h3 id="agreement-history">History</h3>
      <ul class="cards" aria-label="Agreement history">
        {history.map((revision, index) => (
          <Revision key={revision.revision} revision={revision}
                    earlier={history[index + 1]} first={index === history.length - 1} />
        ))}
      </ul>
    </section>
  );
}

function changedWords(revision, earlier, first) {
  const words = revision.changes.map((change) => (first
    ? `${change.domain_name} ${change.after} (usually ${change.before})`
    : `${change.domain_name} from ${change.before} to ${change.after}`));
  if (words.length === 0) words.push(first ? 'the usual good-enough level in every area' : 'no level changed');
  if (earlier && earlier.agreed_on !== revision.agreed_on) words.push(`agreed on ${formatDate(revision.agreed_on)}`);
  if (revision.shared_with_parents_on && revision.shared_with_parents_on !== earlier?.shared_with_parents_on) {
    words.push(`parents given their copy on ${formatDate(revision.shared_with_parents_on)}`);
  }
  return words.join('; ');
}

function Revision({ revision, earlier, first }) {
  return (
    <li class="card">
      <div class="card-body">
        <p class="card-title-plain">
          Revision {revision.revision}: agreed on {formatDate(revision.agreed_on)}
        </p>
        <p class="byline">Written down by {revision.recorded_by}, {formatDateTime(revision.recorded_at)}</p>
        <p>{first ? 'First agreement' : 'What changed'}: {changedWords(revision, earlier, first)}</p>
        <p>Who was there: {revision.attendees.length ? revision.attendees.join('; ') : 'not recorded'}</p>
        {revision.note && <p class="notes">Note: {revision.note}</p>}
      </div>
    </li>
  );
}
