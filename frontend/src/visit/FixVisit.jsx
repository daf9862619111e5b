// Correct a visit the server refused (it waits in the outbox until sent or discarded).
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, Loading, ScreenTitle } from '../components/common.jsx';
import { kitFamily } from '../offline/kit.js';
import { useSettings } from '../settings.js';
import { outboxItem, saveOutboxForm } from '../offline/outbox.js';
import { VisitForm } from './VisitForm.jsx';
import { VisitQueued } from './VisitQueued.jsx';

async function openRefused(user, key) {
  const item = await outboxItem(key);
  if (!item || item.userId !== user.id || !item.form) return { missing: true };
  const { kit, family } = await kitFamily(user, item.familyId);
  return { item, kit, family };
}

export function FixVisit({ params, user }) {
  const { settings } = useSettings();
  const [opened, setOpened] = useState(null);
  const [error, setError] = useState(null);
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    openRefused(user, params.key).then(setOpened, setError);
  }, [params.key, user.id]);

  if (outcome) return <VisitQueued outcome={outcome} family={opened.family} />;
  const title = <ScreenTitle>Correct a visit</ScreenTitle>;
  if (error) return <>{title}<ErrorMessage error={error} /></>;
  if (!opened) return <>{title}<Loading what="Opening the visit" /></>;
  if (opened.missing || !opened.family) {
    return (
      <>
        {title}
        <p class="message message-error" role="alert">
          This visit cannot be corrected on this phone
          {opened.family === null ? ': the family is no longer one of your families' : ''}.
          It can be discarded from the Outbox.
        </p>
        <p><a class="button" href="/outbox">Back to the Outbox</a></p>
      </>
    );
  }
  const { item, kit, family } = opened;
  return (
    <>
      {title}
      <VisitForm user={user} family={family} rubric={kit.rubric} settings={settings}
                 initial={{ ...item.form, step: item.form.step ?? 0 }}
                 save={(form) => saveOutboxForm(item.key, form)} onDone={setOutcome}
                 refusal={item.problem} />
    </>
  );
}
