// Summaries to download before a core group meeting or a conference: the summary (PDF),
// the scores and the visits (CSV), and the parents' copy of the agreement (PDF).
// Downloads need a recent sign-in: when the server asks, the password is confirmed here.
import { useState } from 'preact/hooks';
import { families, session } from '../api.js';
import { ErrorMessage, ScreenTitle } from '../components/common.jsx';
import { useSubmit } from '../components/useSubmit.js';

const FILES = [
  { path: 'summary.pdf', label: 'Core group summary (PDF)', period: true },
  { path: 'summary.csv', label: 'Scores (CSV)', period: true },
  { path: 'visits.csv', label: 'Visits (CSV)', period: true },
  { path: 'agreement.pdf', label: 'Parents’ copy of the agreement (PDF)', period: false },
];

function save({ blob, filename }) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function Exports({ params }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [pending, setPending] = useState(null); // the file waiting for a password confirmation
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);

  const fetchFile = async (file) => {
    setBusy(file.path);
    setError(null);
    setDone(null);
    try {
      const period = file.period ? { from, to } : {};
      save(await families.download(params.familyId, file.path, period));
      setDone(`${file.label} downloaded.`);
      setPending(null);
    } catch (problem) {
      if (problem.code === 'reauthentication_required') setPending(file);
      else setError(problem);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <ScreenTitle>Summaries to download</ScreenTitle>
      <p><a href={`/families/${params.familyId}`}>Back to the family</a></p>
      <p>For a core group meeting or a conference. Every download is recorded.</p>
      {pending
        ? <ConfirmPassword file={pending} onConfirmed={() => fetchFile(pending)} onCancel={() => setPending(null)} />
        : (
          <>
            <fieldset class="form">
              <legend class="field-label">Period (leave blank: from the start of the plan to today)</legend>
              <label class="field">
                <span class="field-label">From</span>
                <input type="date" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
              </label>
              <label class="field">
                <span class="field-label">To</span>
                <input type="date" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
              </label>
            </fieldset>
            <div class="actions actions-stacked">
              {FILES.map((file) => (
                <button key={file.path} type="button" class="button button-secondary"
                        disabled={busy !== null} onClick={() => fetchFile(file)}>
                  {busy === file.path ? 'Preparing…' : file.label}
                </button>
              ))}
            </div>
          </>
        )}
      <ErrorMessage error={error} />
      {done && <p class="message" role="status">{done}</p>}
    </>
  );
}

function ConfirmPassword({ file, onConfirmed, onCancel }) {
  const [password, setPassword] = useState('');
  const { onSubmit, busy, error } = useSubmit(async () => {
    await session.confirmPassword(password);
    onConfirmed();
  });
  return (
    <form class="form" onSubmit={onSubmit}>
      <p class="message" role="status">To download the {file.label.toLowerCase()}, confirm your password.</p>
      <label class="field">
        <span class="field-label">Your password</span>
        <input type="password" autocomplete="current-password" required value={password}
               onInput={(event) => setPassword(event.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy || !password}>Confirm and download</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
