// Photos are made small on the phone before they are queued: long edge at most 2048 px,
// re-encoded as JPEG from the pixels, so no EXIF (location, camera, time) is ever stored
// or sent. The server rebuilds them again from pixels; this keeps the outbox and the
// upload small on a weak signal.

export const LONG_EDGE = 2048;
const QUALITY = 0.85;

/** The size to draw at: the long edge capped at `longEdge`, proportions kept. */
export function fittedSize(width, height, longEdge = LONG_EDGE) {
  const scale = Math.min(1, longEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

async function decode(file) {
  // 'from-image' turns the picture upright by its EXIF orientation before the EXIF is dropped.
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error('This file could not be read as a photo. Take the photo again.');
  }
}

function canvasOf(width, height) {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function encode(canvas) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error('The photo could not be saved.'))),
    'image/jpeg', QUALITY));
}

/** A downscaled JPEG Blob of `file` (a camera photo) with nothing but its pixels. */
export async function preparePhoto(file) {
  const bitmap = await decode(file);
  const { width, height } = fittedSize(bitmap.width, bitmap.height);
  const canvas = canvasOf(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff'; // a transparent PNG becomes white, not black
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await encode(canvas);
  return { blob, width, height };
}
