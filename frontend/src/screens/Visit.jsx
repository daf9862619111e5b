// One visit as recorded: every domain's level with its descriptor, who was present, rooms
// seen, immediate concerns and notes; corrections are linked both ways.
import { families, visits } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { loadRubric, loadRubricVersion, rubricNames } from '../rubric.js';
import { useSettings } from '../settings.js';
import { formatDateTime, label, PRESENT, scoreBand } from '../words.js';

export function Visit({ params }) {
  const visit = useLoad(async (signal) => {
    const [answer, current] = await Promise.all([visits.get(params.visitId, { signal }), loadRubric()]);
    // In the words of the version it was scored with, which may have other domains.
    const rubric = await loadRubricVersion(answer.rubric_version);
    return { visit: answer, rubric, current, photos: await visitPhotos(answer, signal) };
  }, [params.visitId]);
  return (
    <Loaded state={visit} what="Loading the visit">
      {({ visit: detail, rubric, current, photos }) => (
        <VisitDetail visit={detail} rubric={rubric} current={current} photos={photos} />
      )}
    </Loaded>
  );
}

/**
 * The photos taken at the visit, by domain (null if they could not be read). Photos belong
 * to the visit as first recorded, so a correction shows those of the visit it corrects.
 */
async function visitPhotos(visit, signal) {
  try {
    let first = visit;
    for (let step = 0; first.supersedes_id && step < 20; step += 1) {
      first = await visits.get(first.supersedes_id, { signal });
    }
    const answer = await families.photos(visit.family_id, { visit: first.id, per_page: 100 }, { signal });
    const byDomain = {};
    for (const photo of answer.items) (byDomain[photo.domain_key] ??= []).push(photo);
    return byDomain;
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    return null;
  }
}

function VisitDetail({ visit, rubric, current, photos }) {
  const { scale } = useSettings().settings;
  const names = rubricNames(rubric);
  const kind = visit.announced ? 'Announced visit' : 'Unannounced visit';
  return (
    <>
      <ScreenTitle>{kind}, {formatDateTime(visit.visited_at)}</ScreenTitle>
      <p class="byline">
        {visit.agency.name} · {visit.author.profession_label}, {visit.author.name}
      </p>
      <p><a href={`/families/${visit.family_id}`}>Back to the family's timeline</a></p>
      {visit.supersedes_id && (
        <p class="message">
          This corrects <a href={`/visits/${visit.supersedes_id}`}>an earlier record</a>. Reason: {visit.amendment_reason}
        </p>
      )}
      {visit.superseded_by_id && (
        <p class="message">
          This record was corrected later: <a href={`/visits/${visit.superseded_by_id}`}>see the correction</a>.
        </p>
      )}
      {visit.rubric_version !== current.version && (
        <p class="byline">Scored with an earlier version of the baseline (version {visit.rubric_version}).</p>
      )}
      {visit.concerns.length > 0 && (
        <section class="message message-error" aria-labelledby="concerns-heading">
          <h2 id="concerns-heading">Immediate concerns</h2>
          <ul>{visit.concerns.map((key) => <li key={key}>{names.concerns[key]?.label ?? key}</li>)}</ul>
        </section>
      )}
      <h2>Scores</h2>
      <ul class="scores">
        {Object.entries(visit.scores).map(([key, score]) => {
          const domain = names.domains[key];
          return (
            <li key={key} class={`score score-${scoreBand(score, scale).toLowerCase().replace(/ /g, '-')}`}>
              <span class="score-domain">{domain?.name ?? key}</span>
              <span class="score-level">{score === null ? 'Not seen' : `${score}: ${domain?.levels[String(score)] ?? ''}`}</span>
              <span class="score-band">{scoreBand(score, scale)}</span>
              {photos?.[key] && <VisitThumbs photos={photos[key]} domain={domain?.name ?? key} />}
            </li>
          );
        })}
      </ul>
      {photos === null && <p class="byline">The photos of this visit could not be loaded.</p>}
      <h2>Who was present</h2>
      <p>{visit.present.map((key) => label(PRESENT, key)).join(', ') || 'Nobody recorded'}</p>
      <h2>Rooms seen</h2>
      <p>{visit.rooms_seen.map((key) => names.rooms[key] ?? key).join(', ') || 'None'}</p>
      {visit.child_presentation && (<><h2>How the children presented</h2><p class="notes">{visit.child_presentation}</p></>)}
      {visit.notes && (<><h2>Notes</h2><p class="notes">{visit.notes}</p></>)}
    </>
  );
}

function VisitThumbs({ photos, domain }) {
  return (
    <ul class="visit-thumbs" aria-label={`Photos: ${domain}`}>
      {photos.map((photo, index) => (
        <li key={photo.id}>
          <a href={photo.urls.display} aria-label={`Open photo ${index + 1} of ${domain} full size`}>
            <img src={photo.urls.thumb} alt={photo.caption || `Photo ${index + 1} of ${domain}`}
                 width="96" height={Math.round(96 * photo.height / photo.width)} loading="lazy" />
          </a>
        </li>
      ))}
    </ul>
  );
}
