// One visit as recorded: every domain's level with its descriptor, who was present, rooms
// seen, immediate concerns and notes; corrections are linked both ways.
import { get } from '../api.js';
import { Loaded, ScreenTitle } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { loadRubric, rubricNames } from '../rubric.js';
import { formatDateTime, label, PRESENT, scoreBand } from '../words.js';

export function Visit({ params }) {
  const visit = useLoad(async (signal) => {
    const [answer, rubric] = await Promise.all([get(`/visits/${params.visitId}`, { signal }), loadRubric()]);
    return { visit: answer, rubric };
  }, [params.visitId]);
  return (
    <Loaded state={visit} what="Loading the visit">
      {({ visit: detail, rubric }) => <VisitDetail visit={detail} rubric={rubric} />}
    </Loaded>
  );
}

function VisitDetail({ visit, rubric }) {
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
      {visit.rubric_version !== rubric.version && (
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
            <li key={key} class={`score score-${scoreBand(score).toLowerCase().replace(/ /g, '-')}`}>
              <span class="score-domain">{domain?.name ?? key}</span>
              <span class="score-level">{score === null ? 'Not seen' : `${score}: ${domain?.levels[String(score)] ?? ''}`}</span>
              <span class="score-band">{scoreBand(score)}</span>
            </li>
          );
        })}
      </ul>
      <h2>Who was present</h2>
      <p>{visit.present.map((key) => label(PRESENT, key)).join(', ') || 'Nobody recorded'}</p>
      <h2>Rooms seen</h2>
      <p>{visit.rooms_seen.map((key) => names.rooms[key] ?? key).join(', ') || 'None'}</p>
      {visit.child_presentation && (<><h2>How the children presented</h2><p class="notes">{visit.child_presentation}</p></>)}
      {visit.notes && (<><h2>Notes</h2><p class="notes">{visit.notes}</p></>)}
    </>
  );
}
