// Taking photos for a domain (only once the parent or carer has agreed), and removing them.
import { useEffect, useMemo, useState } from 'preact/hooks';

function Thumbnail({ photo, label, onRemove }) {
  const url = useMemo(() => URL.createObjectURL(photo.blob), [photo.key]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li class="thumb">
      <img src={url} alt={label} width="96" height="96" />
      <button type="button" class="button button-secondary thumb-remove" onClick={onRemove}
              aria-label={`Remove ${label.toLowerCase()}`}>Remove</button>
    </li>
  );
}

export function PhotoTaker({ domain, photos, allowed, addPhoto, dropPhoto }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(null);
  const onFile = async (event) => {
    const files = [...event.currentTarget.files];
    event.currentTarget.value = '';
    setBusy(true);
    setProblem(null);
    try {
      for (const file of files) await addPhoto(domain.key, file);
    } catch (error) {
      setProblem(error.message);
    }
    setBusy(false);
  };
  const name = domain.name.toLowerCase();
  return (
    <div class="photo-taker">
      {allowed ? (
        <label class={`button button-secondary camera${busy ? ' camera-busy' : ''}`}>
          <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                 onChange={onFile} disabled={busy} />
          {busy ? 'Preparing the photo…' : `Take a photo: ${name}`}
        </label>
      ) : (
        <p class="field-hint">Photos: ask the parent or carer first (first step).</p>
      )}
      {problem && <p class="message message-error" role="alert">{problem}</p>}
      {photos.length > 0 && (
        <ul class="thumbs" aria-label={`Photos of the ${name}`}>
          {photos.map((photo, index) => (
            <Thumbnail key={photo.key} photo={photo} label={`Photo ${index + 1}: ${name}`}
                       onRemove={() => dropPhoto(photo.key)} />
          ))}
        </ul>
      )}
    </div>
  );
}
