// The rubric, for administrators: the version in use (domains, their five levels, where good
// enough ends), every earlier version, and loading a new version from a file. A file with
// problems is refused with each problem on its own line ("line 14: ..."), and nothing changes.
// Visits keep the version they were scored with; charts carry a renamed or split domain on.
import { useState } from 'preact/hooks';
import { ApiError, rubrics } from '../api.js';
import { ErrorMessage, Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { formatDateTime } from '../words.js';

export function RubricAdmin() {
  const versions = useLoad((signal) => rubrics.versions({ signal }), []);
  const [shown, setShown] = useState(null);
  return (
    <>
      <ScreenTitle>Rubric</ScreenTitle>
      <p>The baseline every visit is scored against. Each visit keeps the version it was
        scored with; when a new version renames or splits a domain, the charts carry the
        old scores on under the new domain.</p>
      <LoadFile inUse={versions.data?.current_version} onLoaded={(version) => { versions.reload(); setShown(version); }} />
      <Loaded state={versions} what="Loading the rubric's versions">
        {(list) => (
          <>
            <h2>The version in use</h2>
            <VersionInFull version={list.current_version} />
            <h2>Every version</h2>
            <ul class="cards" aria-label="Rubric versions">
              {list.versions.map((version) => (
                <li key={version.version} class="card">
                  <div class="card-body">
                    <p class="card-title-plain">
                      Version {version.version}{version.current ? ' (in use)' : ''}
                    </p>
                    <p class="card-line">{version.name}</p>
                    <p class="byline">Loaded {formatDateTime(version.loaded_at)} by {version.loaded_by}</p>
                    {!version.current && (
                      <button type="button" class="button button-secondary"
                              aria-expanded={shown === version.version}
                              onClick={() => setShown(shown === version.version ? null : version.version)}>
                        {shown === version.version ? 'Hide' : 'Show'} version {version.version}
                      </button>
                    )}
                    {!version.current && shown === version.version && (
                      <VersionInFull version={version.version} />
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Loaded>
    </>
  );
}

function VersionInFull({ version }) {
  const state = useLoad((signal) => rubrics.version(version, { signal }), [version]);
  return (
    <Loaded state={state} what={`Loading version ${version}`}>
      {(rubric) => (
        <section class="rubric-version" aria-label={`Version ${rubric.version}`}>
          <p class="card-title-plain">{rubric.name} (version {rubric.version})</p>
          {rubric.description && <p>{rubric.description}</p>}
          <p class="byline">
            Good enough: 1 to {rubric.scale.good_enough_max}; borderline: {rubric.scale.borderline};
            concern: {rubric.scale.concern_min} or worse (1 is best, 5 is worst).
          </p>
          <Changes rubric={rubric} />
          <ul class="cards" aria-label={`Domains of version ${rubric.version}`}>
            {rubric.domains.map((domain) => (
              <li key={domain.key} class="card">
                <details class="card-body">
                  <summary class="card-title-plain">{domain.name}</summary>
                  <p class="byline">Good enough up to level {domain.good_enough_level}</p>
                  <ol class="rubric-levels">
                    {['1', '2', '3', '4', '5'].map((level) => (
                      <li key={level} value={Number(level)}>{domain.levels[level]}</li>
                    ))}
                  </ol>
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Loaded>
  );
}

/** What changed in the domains since the version before: renamed, split, merged, new, retired. */
function Changes({ rubric }) {
  if (rubric.previous_version === null) return null;
  const changed = rubric.continues.filter(
    (item) => !(item.continues.length === 1 && item.continues[0] === item.key));
  if (changed.length === 0 && rubric.retired.length === 0) {
    return <p class="byline">Same domains as version {rubric.previous_version}.</p>;
  }
  const names = Object.fromEntries(rubric.domains.map((domain) => [domain.key, domain.name]));
  return (
    <div class="message">
      <p>Changes to the domains since version {rubric.previous_version}:</p>
      <ul>
        {changed.map((item) => (
          <li key={item.key}>
            {item.continues.length === 0
              ? `${names[item.key]}: new`
              : `${names[item.key]} carries on ${item.continues.join(' and ')}`}
          </li>
        ))}
        {rubric.retired.map((key) => <li key={key}>{key}: retired (kept on old visits, no longer charted)</li>)}
      </ul>
    </div>
  );
}

function LoadFile({ inUse, onLoaded }) {
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState(null);
  const [error, setError] = useState(null);
  const [news, setNews] = useState(null);
  const onSubmit = async (event) => {
    event.preventDefault();
    setProblems(null); setError(null); setNews(null);
    if (!file) {
      setError(new Error('Choose the rubric file first.'));
      return;
    }
    setBusy(true);
    try {
      const text = await file.text();
      const answer = await rubrics.load({ file_name: file.name, text });
      setNews(answer.version === inUse
        ? `This file is the version already in use (version ${answer.version}): nothing changed.`
        : `Loaded: version ${answer.version} (${answer.name}) is now in use.`);
      onLoaded(answer.version);
    } catch (failure) {
      const lines = failure instanceof ApiError ? failure.fields?.file : null;
      if (lines) setProblems(lines);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form card card-body" onSubmit={onSubmit} aria-label="Load a new version">
      <h2>Load a new version</h2>
      <label class="field">
        <span class="field-label">Rubric file (JSON, as the command line loads)</span>
        <span class="field-hint">To rename, split or merge a domain, give it
          "continues": ["old key"]; list a domain no longer used under "retired".</span>
        <input type="file" accept=".json,application/json" name="rubric-file"
               onChange={(event) => setFile(event.currentTarget.files[0] ?? null)} />
      </label>
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Loading…' : 'Load this file'}
      </button>
      {news && <p class="message" role="status">{news}</p>}
      {problems && (
        <div class="message message-error" role="alert">
          <p>The file was not loaded. Put these right and load it again:</p>
          <ul aria-label="Problems in the file">
            {problems.map((line) => <li key={line}>{line}</li>)}
          </ul>
        </div>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}
