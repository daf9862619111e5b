// One domain's step: its five levels in the rubric's words, each with its band on the
// partnership's scale and the family's agreed level marked, "Not seen", and its photos.
import { SCORE_BANDS, scoreBandKey } from '../../words.js';
import { NOT_SEEN } from '../rules.js';
import { PhotoTaker } from './PhotoTaker.jsx';

// The colour of each band (styles.css).
const BAND_CLASS = { good_enough: 'good', borderline: 'borderline', concern: 'concern' };

export function DomainStep({ domain, index, rubric, settings, agreed, draft, change, photos,
  addPhoto, dropPhoto }) {
  const current = draft.scores[domain.key];
  const pick = (value) => change({ scores: { ...draft.scores, [domain.key]: value } });
  const { scale } = settings;
  const levels = [];
  for (let level = scale.lowest; level <= scale.highest; level += 1) levels.push(level);
  return (
    <>
      <fieldset class="levels">
        <legend class="field-label">
          How is it? (domain {index + 1} of {rubric.domains.length})
        </legend>
        {levels.map((level) => {
          const band = scoreBandKey(level, scale);
          return (
            <label key={level} class={`level level-${BAND_CLASS[band]}${current === level ? ' level-on' : ''}`}>
              <input type="radio" name={`level-${domain.key}`} checked={current === level}
                     onChange={() => pick(level)} />
              <span class="level-number" aria-hidden="true">{level}</span>
              <span class="level-text">
                <span class="visually-hidden">Level {level}: </span>
                {domain.levels[String(level)]}
                <span class="level-band">{SCORE_BANDS[band]}</span>
                {agreed === level && <span class="level-agreed">Agreed level</span>}
              </span>
            </label>
          );
        })}
        <label class={`level level-not-seen${current === NOT_SEEN ? ' level-on' : ''}`}>
          <input type="radio" name={`level-${domain.key}`} checked={current === NOT_SEEN}
                 onChange={() => pick(NOT_SEEN)} />
          <span class="level-text">Not seen</span>
        </label>
      </fieldset>
      <PhotoTaker domain={domain} photos={photos} allowed={draft.photosAgreed === true}
                  addPhoto={addPhoto} dropPhoto={dropPhoto} />
    </>
  );
}
