// The partnership's settings in GET /app-settings's shape, at concern level `concernMin`.
export function settings({ concernMin = 4, zone = 'Europe/London', skew = 300 } = {}) {
  const bands = [
    { key: 'good_enough', label: 'Good enough', lowest: 1, highest: 2 },
    { key: 'borderline', label: 'Borderline', lowest: 3, highest: concernMin - 1 },
    { key: 'concern', label: 'Concern', lowest: concernMin, highest: 5 },
  ].filter((band) => band.lowest <= band.highest);
  return {
    scale: { lowest: 1, highest: 5, good_enough_max: 2, concern_min: concernMin, bands },
    limits: { clock_skew_seconds: skew, notes_max: 5000, child_presentation_max: 2000,
      summary_max: 5000, source_max: 200 },
    time_zone: zone,
  };
}
