// The last step: what is missing before sending (each a link to its step), the visit as it
// will be sent, and "Send visit".
import { ErrorMessage } from '../../components/common.jsx';
import { formatDateTime, PRESENT } from '../../words.js';
import { NOT_SEEN, problems, stepKeys, visitedInstant } from '../rules.js';

function Missing({ missing, goTo }) {
  if (missing.length === 0) return null;
  return (
    <div class="message message-error" role="alert">
      <p>Before sending:</p>
      <ul>
        {missing.map((item) => (
          <li key={item.message}>
            <button type="button" class="link-button" onClick={() => goTo(item.step)}>
              {item.message}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ReviewStep({ draft, rubric, settings, photos, goTo, problem, sending, send,
  onDiscard }) {
  const steps = stepKeys(rubric);
  const missing = problems(draft, rubric, photos.length, settings);
  const levelText = (domain) => {
    const score = draft.scores[domain.key];
    if (score === undefined) return 'Not answered';
    if (score === NOT_SEEN) return 'Not seen';
    return `${score}: ${domain.levels[String(score)]}`;
  };
  const photoCount = (domain) => photos.filter((photo) => photo.domainKey === domain.key).length;
  return (
    <>
      <Missing missing={missing} goTo={goTo} />
      <ErrorMessage error={problem} />
      <dl class="review">
        <div><dt>Visit</dt><dd>{draft.announced === null ? 'Not answered'
          : draft.announced ? 'Announced' : 'Unannounced'}, {
          formatDateTime(visitedInstant(draft, settings), settings.time_zone) || 'no time given'}</dd></div>
        <div><dt>Present</dt><dd>{draft.present.map((key) => PRESENT[key]).join(', ') || 'Nobody recorded'}</dd></div>
        <div><dt>Rooms seen</dt><dd>{rubric.rooms.filter((room) => draft.roomsSeen.includes(room.key))
          .map((room) => room.label).join(', ') || 'None recorded'}</dd></div>
        {rubric.domains.map((domain) => (
          <div key={domain.key}>
            <dt>
              <button type="button" class="link-button" onClick={() => goTo(steps.indexOf(domain.key))}>
                {domain.name}
              </button>
            </dt>
            <dd>{levelText(domain)}{photoCount(domain) > 0 ? ` (photos: ${photoCount(domain)})` : ''}</dd>
          </div>
        ))}
        <div><dt>Immediate concerns</dt><dd>{draft.concerns.length === 0 ? 'None'
          : rubric.concerns.filter((c) => draft.concerns.includes(c.key)).map((c) => c.label).join(', ')}</dd></div>
        <div><dt>Notes</dt><dd>{draft.notes.trim() || 'None'}</dd></div>
      </dl>
      <div class="actions">
        <button type="button" class="button button-wide button-send"
                disabled={sending || missing.length > 0} onClick={send}>
          {sending ? 'Sending…' : 'Send visit'}
        </button>
      </div>
      {onDiscard && (
        <p>
          <button type="button" class="link-button link-danger" onClick={onDiscard}>
            Discard this visit
          </button>
        </p>
      )}
    </>
  );
}
