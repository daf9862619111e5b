// Photos of one domain side by side, oldest first: the same room over time.
import { useEffect, useState } from 'preact/hooks';
import { families } from '../api.js';
import { ErrorMessage, Loaded, Loading } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { loadRubric } from '../rubric.js';
import { useSettings } from '../settings.js';
import { formatDate, scoreBand } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

export function PhotosScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="photos">
      {() => <Photos familyId={params.familyId} />}
    </FamilyFrame>
  );
}

function Photos({ familyId }) {
  const rubric = useLoad(() => loadRubric(), []);
  const [domain, setDomain] = useState(null);
  return (
    <Loaded state={rubric} what="Loading">
      {(answer) => {
        const chosen = domain ?? answer.domains[0].key;
        return (
          <>
            <label class="field">
              <span class="field-label">Domain</span>
              <select value={chosen} onChange={(event) => setDomain(event.currentTarget.value)}>
                {answer.domains.map((item) => <option key={item.key} value={item.key}>{item.name}</option>)}
              </select>
            </label>
            <PhotoRow familyId={familyId} domain={chosen} />
          </>
        );
      }}
    </Loaded>
  );
}

function PhotoRow({ familyId, domain }) {
  const [photos, setPhotos] = useState([]);
  const [page, setPage] = useState(1);
  const [state, setState] = useState({ loading: true, error: null, hasMore: false });
  useEffect(() => { setPhotos([]); setPage(1); }, [domain]);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true, error: null }));
    families.photos(familyId, { domain, page, per_page: 24 },
      { signal: controller.signal })
      .then((answer) => {
        setPhotos((previous) => (page === 1 ? answer.items : [...previous, ...answer.items]));
        setState({ loading: false, error: null, hasMore: answer.has_more });
      }, (error) => !controller.signal.aborted && setState({ loading: false, error, hasMore: false }));
    return () => controller.abort();
  }, [familyId, domain, page]);

  if (state.error) return <ErrorMessage error={state.error} />;
  if (state.loading && photos.length === 0) return <Loading what="Loading the photos" />;
  if (photos.length === 0) return <p>No photos of this domain yet.</p>;
  return (
    <>
      <p class="byline">{photos.length} {photos.length === 1 ? 'photo' : 'photos'}, oldest first. Scroll sideways to compare.</p>
      <ul class="photo-row">
        {photos.map((photo) => <PhotoCard key={photo.id} photo={photo} />)}
      </ul>
      {state.hasMore && (
        <button type="button" class="button button-secondary" disabled={state.loading}
                onClick={() => setPage((value) => value + 1)}>Show later photos</button>
      )}
    </>
  );
}

function PhotoCard({ photo }) {
  const { scale } = useSettings().settings;
  const when = formatDate(photo.visit.visited_at);
  const kind = photo.visit.announced ? 'announced' : 'unannounced';
  const score = photo.score === null ? 'not seen' : `level ${photo.score} (${scoreBand(photo.score, scale).toLowerCase()})`;
  return (
    <li class="photo-card">
      <a href={photo.urls.display} aria-label={`Open the photo from ${when} full size`}>
        <img src={photo.urls.thumb} alt={photo.caption || `Photo from the ${kind} visit on ${when}`}
             width="160" height={Math.round(160 * photo.height / photo.width)} loading="lazy" />
      </a>
      <p class="photo-when">{when}</p>
      <p class="byline">{photo.agency.name}, {kind}</p>
      <p class="byline">Scored {score}</p>
      <p><a href={`/visits/${photo.visit.current_version_id}`}>Open the visit</a></p>
    </li>
  );
}
