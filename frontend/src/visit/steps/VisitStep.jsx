// The first step: when the visit was (the partnership's time), whether it was announced,
// who was present, the rooms seen, and whether the parent or carer agreed to photos.
import { ZoneHint } from '../../components/ZoneHint.jsx';
import { PRESENT } from '../../words.js';
import { Choice, toggle } from '../parts.jsx';
import { wallTimeNow } from '../rules.js';

export function VisitStep({ draft, rubric, settings, change }) {
  return (
    <>
      <label class="field">
        <span class="field-label">When was the visit</span>
        <ZoneHint zone={settings.time_zone} />
        <input type="datetime-local" value={draft.visitedAt} max={wallTimeNow(settings)}
               onInput={(event) => change({ visitedAt: event.currentTarget.value })} />
      </label>
      <fieldset class="choices">
        <legend class="field-label">Was the visit announced?</legend>
        <Choice name="announced" checked={draft.announced === true}
                onChange={() => change({ announced: true })}>Announced (arranged)</Choice>
        <Choice name="announced" checked={draft.announced === false}
                onChange={() => change({ announced: false })}>Unannounced</Choice>
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Who was present</legend>
        {Object.entries(PRESENT).map(([value, text]) => (
          <Choice key={value} type="checkbox" name="present" checked={draft.present.includes(value)}
                  onChange={() => change({ present: toggle(draft.present, value) })}>{text}</Choice>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Rooms seen</legend>
        {rubric.rooms.map((room) => (
          <Choice key={room.key} type="checkbox" name="rooms"
                  checked={draft.roomsSeen.includes(room.key)}
                  onChange={() => change({ roomsSeen: toggle(draft.roomsSeen, room.key) })}>
            {room.label}
          </Choice>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend class="field-label">Did the parent or carer agree to photos?</legend>
        <Choice name="photos-agreed" checked={draft.photosAgreed === true}
                onChange={() => change({ photosAgreed: true })}>Yes, they agreed</Choice>
        <Choice name="photos-agreed" checked={draft.photosAgreed === false}
                onChange={() => change({ photosAgreed: false })}>No photos</Choice>
      </fieldset>
    </>
  );
}
