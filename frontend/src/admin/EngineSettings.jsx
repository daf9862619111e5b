// Engine settings: every threshold and window the engine uses, what it does in plain words,
// its value now and the default beside it; and who changed which, from what to what, when.
import { useState } from 'preact/hooks';
import { engine } from '../api.js';
import { reloadSettings } from '../settings.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad, usePages } from '../components/data.js';
import { formatDateTime } from '../words.js';
import { FieldProblem } from './PersonFields.jsx';

export function EngineSettings() {
  const settings = useLoad((signal) => engine.parameters({ signal }), []);
  const [round, setRound] = useState(0);
  const saved = () => {
    settings.reload();
    setRound((value) => value + 1);
  };
  return (
    <>
      <ScreenTitle>Engine settings</ScreenTitle>
      <p>These decide when Homelog raises a flag, how often it looks, and how long records are
        kept. Each group is saved on its own; every family is looked at again soon after a
        change, and the change is recorded below with your name.</p>
      <button type="button" class="button button-secondary button-wide"
              onClick={() => document.getElementById('history-title')?.scrollIntoView()}>
        See who changed what
      </button>
      <Loaded state={settings} what="Loading the settings">
        {(loaded) => groups(loaded.parameters).map(([group, items]) => (
          <Group key={group} title={group} items={items} onSaved={saved} />
        ))}
      </Loaded>
      <History round={round} />
    </>
  );
}

function groups(parameters) {
  const byGroup = new Map();
  parameters.forEach((item) => {
    if (!byGroup.has(item.group)) byGroup.set(item.group, []);
    byGroup.get(item.group).push(item);
  });
  return [...byGroup.entries()];
}

function amount(value, unit) {
  return `${Number(value)} ${unit}`;
}

function Group({ title, items, onSaved }) {
  const [values, setValues] = useState(() => Object.fromEntries(
    items.map((item) => [item.name, String(Number(item.value))])));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [news, setNews] = useState(null);
  const changes = Object.fromEntries(items
    .filter((item) => values[item.name].trim() !== '' && Number(values[item.name]) !== Number(item.value))
    .map((item) => [item.name, Number(values[item.name])]));
  const blank = items.filter((item) => values[item.name].trim() === '');
  const onSubmit = async (event) => {
    event.preventDefault();
    setError(null);
    setNews(null);
    if (blank.length) {
      setError({ message: 'Give every setting a value.',
        fields: Object.fromEntries(blank.map((item) => [item.name, ['Give a value.']])) });
      return;
    }
    setBusy(true);
    try {
      await engine.change(changes);
      reloadSettings().catch(() => {}); // the concern level is one of them: the app shows it
      const count = Object.keys(changes).length;
      setNews(count === 1 ? '1 setting changed.' : `${count} settings changed.`);
      onSaved();
    } catch (problem) {
      setError(problem);
    }
    setBusy(false);
  };
  const id = `group-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <form class="form" onSubmit={onSubmit} novalidate aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {items.map((item) => (
        <label class="field" key={item.name}>
          <span class="field-label">{item.label} ({item.unit})</span>
          <span class="field-hint" id={`${item.name}-hint`}>
            {item.description} Default: {amount(item.default, item.unit)}
            {Number(item.value) !== Number(item.default) ? ' (changed here)' : ''}.
            From {Number(item.minimum)} to {Number(item.maximum)}.
          </span>
          <input type="number" name={item.name} inputmode={item.whole_number ? 'numeric' : 'decimal'}
                 min={item.minimum} max={item.maximum} step={item.whole_number ? 1 : 'any'}
                 value={values[item.name]} aria-describedby={`${item.name}-hint`}
                 aria-invalid={error?.fields?.[item.name] ? 'true' : undefined}
                 onInput={(event) => {
                   const { value } = event.currentTarget;
                   setNews(null);
                   setValues((previous) => ({ ...previous, [item.name]: value }));
                 }} />
          <FieldProblem error={error} name={item.name} />
        </label>
      ))}
      <ErrorMessage error={error} />
      {news && <p class="message" role="status">{news}</p>}
      <button type="submit" class="button button-wide"
              disabled={busy || (Object.keys(changes).length === 0 && blank.length === 0)}>
        {busy ? 'Saving…' : `Save ${title.toLowerCase()}`}
      </button>
    </form>
  );
}

function History({ round }) {
  const pages = usePages((before, signal) => engine.history(
    { before, limit: 20 }, { signal }), [round]);
  const { entries, error, loading, next } = pages;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Changes</h2>
      {entries.length === 0 && !loading && !error && <p>Nobody has changed a setting yet: every
        one is at its default.</p>}
      <ul class="cards" aria-label="Changes to the settings">
        {entries.map((entry) => (
          <li class="card" key={entry.id}>
            <div class="card-body">
              <p class="card-title-plain">{entry.by ? entry.by.name : 'Homelog'}</p>
              <p class="byline">{formatDateTime(entry.at)}</p>
              <ul class="plain-list">
                {entry.changes.map((change) => (
                  <li key={change.name}>
                    {change.label}: from {amount(change.from, change.unit)} to {amount(change.to, change.unit)}
                  </li>
                ))}
              </ul>
            </div>
          </li>
        ))}
      </ul>
      {error && <ErrorMessage error={error} retry={pages.retry} />}
      {!loading && next !== null && (
        <button type="button" class="button button-secondary button-wide" onClick={pages.more}>
          Show older changes
        </button>
      )}
    </section>
  );
}
