// What the practitioner sees once a visit has left the form: sent, or kept on the phone
// until there is signal.
import { ScreenTitle } from '../components/common.jsx';

export function VisitQueued({ outcome, family }) {
  if (outcome === 'sent') {
    return (
      <>
        <ScreenTitle>Visit recorded</ScreenTitle>
        <p class="message" role="status">The visit to family {family.reference} has been sent.</p>
        <div class="actions">
          <a class="button" href={`/families/${family.id}`}>See the family's timeline</a>
          <a class="button button-secondary" href="/">Back to my families</a>
        </div>
      </>
    );
  }
  return (
    <>
      <ScreenTitle>Visit kept on this phone</ScreenTitle>
      <p class="message" role="status">
        {outcome === 'signed-out'
          ? 'Your session has ended. Sign in again and the visit will be sent.'
          : 'No signal just now. The visit to family ' + family.reference
            + ' will be sent by itself when there is; it is in the Outbox until then.'}
      </p>
      <div class="actions">
        <a class="button" href="/outbox">Open the Outbox</a>
        <a class="button button-secondary" href="/">Back to my families</a>
      </div>
    </>
  );
}
