// Record a visit: the screen practitioners use in the home, with or without signal. The
// family comes from the offline kit and the form from the draft kept on the phone, so it
// opens and carries on where it was left even after the phone locked or the page reloaded.
import { useEffect, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../api.js';
import { ErrorMessage, Loading, ScreenTitle } from '../components/common.jsx';
import { discardDraft, loadDraft, saveDraft } from '../offline/drafts.js';
import { kitFamily } from '../offline/kit.js';
import { navigate } from '../router.js';
import { useSettings } from '../settings.js';
import { formatDateTime } from '../words.js';
import { newDraft } from '../visit/rules.js';
import { VisitForm } from '../visit/VisitForm.jsx';
import { VisitQueued } from '../visit/VisitQueued.jsx';

async function openVisit(user, familyId, settings) {
  const { kit, family } = await kitFamily(user, familyId);
  if (!family) return { missing: true };
  let draft = await loadDraft(user.id, family.id);
  const restored = draft !== null && draft.rubricVersion === kit.rubric.version;
  if (!restored) draft = newDraft(user.id, family.id, kit.rubric, newIdempotencyKey(), settings);
  return { kit, family, draft, restored };
}

export function RecordVisit({ params, user }) {
  const { settings } = useSettings();
  const [opened, setOpened] = useState(null);
  const [error, setError] = useState(null);
  const [outcome, setOutcome] = useState(null);
  const [discarding, setDiscarding] = useState(false);

  useEffect(() => {
    openVisit(user, params.familyId, settings).then(setOpened, setError);
  }, [params.familyId, user.id]);

  if (outcome) return <VisitQueued outcome={outcome} family={opened.family} />;
  if (error) {
    return <><ScreenTitle>Record a visit</ScreenTitle><ErrorMessage error={error} /></>;
  }
  if (!opened) return <><ScreenTitle>Record a visit</ScreenTitle><Loading what="Opening the visit" /></>;
  if (opened.missing) {
    return (
      <>
        <ScreenTitle>Record a visit</ScreenTitle>
        <p class="message message-error" role="alert">
          This family is not in your families on this phone. Only members of a family's core
          group can record a visit.
        </p>
        <p><a class="button" href="/">Back to my families</a></p>
      </>
    );
  }
  const { kit, family, draft, restored } = opened;
  const discard = async () => {
    await discardDraft(user.id, family.id, draft.key);
    navigate(`/families/${family.id}`);
  };
  return (
    <>
      <ScreenTitle>Record a visit</ScreenTitle>
      {restored && (
        <p class="message" role="status">
          Carrying on with the visit you started (kept on this phone
          {draft.savedAt ? `, ${formatDateTime(draft.savedAt)}` : ''}).
        </p>
      )}
      {discarding ? (
        <div class="message message-error" role="alert">
          <p>Discard this visit? Everything recorded in it on this phone, photos too, will be lost.</p>
          <div class="actions">
            <button type="button" class="button" onClick={discard}>Yes, discard it</button>
            <button type="button" class="button button-secondary"
                    onClick={() => setDiscarding(false)}>No, keep it</button>
          </div>
        </div>
      ) : (
        <VisitForm user={user} family={family} rubric={kit.rubric} settings={settings} initial={draft}
                   save={saveDraft} onDone={setOutcome} onDiscard={() => setDiscarding(true)} />
      )}
    </>
  );
}
