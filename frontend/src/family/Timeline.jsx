// Every agency's visits, corrections and events for the family, and the changes to its
// record, core group and agreement, newest first.
import { useEffect, useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, Loading } from '../components/common.jsx';
import { loadRubric, loadRubricVersion, rubricNames } from '../rubric.js';
import { useSettings } from '../settings.js';
import { EVENT_KINDS, formatDateTime, label, PRESENT, scoreBand } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

const PER_PAGE = 20;

export function TimelineScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="timeline">
      {() => <Timeline familyId={params.familyId} />}
    </FamilyFrame>
  );
}

function Timeline({ familyId }) {
  const [items, setItems] = useState([]);
  const [page, setPage] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const [names, setNames] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    Promise.all([
      families.timeline(familyId, { page, per_page: PER_PAGE },
        { signal: controller.signal }),
      loadRubric(),
    ]).then(async ([answer, rubric]) => {
      // Visits scored with an earlier version are named in its words: a domain renamed
      // since keeps the name it had (the current names win where a key is in both).
      const older = [...new Set(answer.items.map((item) => item.rubric_version)
        .filter((version) => version && version !== rubric.version))];
      const earlier = await Promise.all(older.map((version) => loadRubricVersion(version)
        .catch(() => rubric)));
      const found = rubricNames(rubric);
      for (const version of earlier) {
        found.domains = { ...rubricNames(version).domains, ...found.domains };
      }
      if (controller.signal.aborted) return;
      setNames((previous) => ({ ...found, domains: { ...previous?.domains, ...found.domains } }));
      setItems((previous) => (page === 1 ? answer.items : [...previous, ...answer.items]));
      setHasMore(answer.has_more);
      setLoading(false);
    }, (problem) => {
      if (controller.signal.aborted) return;
      setError(problem);
      setLoading(false);
    });
    return () => controller.abort();
  }, [familyId, page, round]);

  if (error && items.length === 0) return <ErrorMessage error={error} retry={() => setRound((value) => value + 1)} />;
  if (!names) return <Loading what="Loading the timeline" />;
  if (items.length === 0) return <p>Nothing recorded yet.</p>;
  return (
    <>
      <ol class="timeline">
        {items.map((item) => (
          <li key={`${item.type}-${item.kind ?? ''}-${item.id}`} class={`timeline-item timeline-${item.type}`}>
            {item.type === 'event' && <EventItem event={item} />}
            {item.type === 'change' && <ChangeItem change={item} />}
            {(item.type === 'visit' || item.type === 'amendment') && <VisitItem visit={item} names={names} />}
          </li>
        ))}
      </ol>
      <ErrorMessage error={error} />
      {loading && <Loading what="Loading older entries" />}
      {hasMore && !loading && (
        <button type="button" class="button button-secondary button-wide"
                onClick={() => setPage((value) => value + 1)}>Show older entries</button>
      )}
    </>
  );
}

function Byline({ item }) {
  return (
    <p class="byline">
      {item.agency.name} · {item.author.profession_label}, {item.author.name}
    </p>
  );
}

function VisitItem({ visit, names }) {
  const { scale } = useSettings().settings;
  const worst = Object.entries(visit.scores)
    .filter(([, score]) => score !== null && score > scale.good_enough_max)
    .sort((a, b) => b[1] - a[1]);
  const notSeen = Object.values(visit.scores).filter((score) => score === null).length;
  const kind = visit.announced ? 'Announced visit' : 'Unannounced visit';
  return (
    <article aria-label={`${kind}, ${formatDateTime(visit.at)}, ${visit.agency.name}`}>
      <h3 class="timeline-title">
        <a href={`/visits/${visit.id}`}>{visit.type === 'amendment' ? `Correction to a visit` : kind}</a>
        <span class="timeline-when">{formatDateTime(visit.at)}</span>
      </h3>
      <Byline item={visit} />
      {visit.type === 'amendment' && <p class="note">Corrected because: {visit.amendment_reason}</p>}
      {visit.superseded_by_id && (
        <p class="note">Corrected later: <a href={`/visits/${visit.superseded_by_id}`}>see the correction</a>.</p>
      )}
      {visit.concerns.length > 0 && (
        <p class="concerns">
          <strong>Immediate concerns:</strong>{' '}
          {visit.concerns.map((key) => names.concerns[key]?.label ?? key).join(', ')}
        </p>
      )}
      <p>
        {worst.length === 0
          ? 'Every domain seen was good enough.'
          : worst.map(([key, score]) => `${names.domains[key]?.name ?? key}: ${score} (${scoreBand(score, scale).toLowerCase()})`).join('; ')}
        {notSeen > 0 && ` Not seen: ${notSeen} ${notSeen === 1 ? 'domain' : 'domains'}.`}
      </p>
      <p class="byline">
        Present: {visit.present.map((key) => label(PRESENT, key)).join(', ') || 'nobody recorded'}
        {' · '}Rooms seen: {visit.rooms_seen.map((key) => names.rooms[key] ?? key).join(', ') || 'none'}
      </p>
      {visit.notes && <p class="notes">{visit.notes}</p>}
    </article>
  );
}

function EventItem({ event }) {
  return (
    <article aria-label={`${label(EVENT_KINDS, event.kind)}, ${formatDateTime(event.at)}`}>
      <h3 class="timeline-title">
        <span>{label(EVENT_KINDS, event.kind)}</span>
        <span class="timeline-when">{formatDateTime(event.at)}</span>
      </h3>
      <Byline item={event} />
      <p class="notes">{event.summary}</p>
      {event.source && <p class="byline">Source: {event.source}</p>}
    </article>
  );
}

// A change to the family's record, its core group or its agreement, in the server's words.
function ChangeItem({ change }) {
  return (
    <article aria-label={`${change.summary}, ${formatDateTime(change.at)}`}>
      <h3 class="timeline-title">
        <span>{change.summary}</span>
        <span class="timeline-when">{formatDateTime(change.at)}</span>
      </h3>
      {change.member && (
        <p class="byline">{change.member.profession_label}, {change.member.agency.name}</p>
      )}
      {change.lines.length > 0 && (
        <ul class="plain-list">
          {change.lines.map((line) => <li key={line}>{line}</li>)}
        </ul>
      )}
      {change.reason && <p class="note">Reason: {change.reason}</p>}
      <p class="byline">
        By {change.author.name}, {change.author.profession_label}, {change.agency.name}
      </p>
    </article>
  );
}
