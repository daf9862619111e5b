// One domain's scores over time: level 1 (best) at the top, 5 at the bottom; the family's
// agreed good-enough band shaded, stepping where a revised agreement changed it; each point
// coloured by agency, a circle for an announced visit and a triangle for an unannounced one;
// tap a point to open its visit. The same
// scores are listed in a table for screen readers and keyboards.
import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../router.js';
import { useSettings } from '../settings.js';
import { formatDate, scoreBand } from '../words.js';

const DAY = 24 * 60 * 60 * 1000;
const TAP_REACH = 24; // CSS pixels around a point that count as tapping it
const BAND = 'rgba(11, 107, 46, 0.16)';
const BAND_EDGE = '#0b6b2e';
const MEDIAN = '#555';
// Strong colours that stay apart for the common colour-vision deficiencies.
export const AGENCY_COLOURS = ['#0072b2', '#c04800', '#1b1b1b', '#8e3a80', '#00796b', '#7a5200'];

/** Each agency's colour, by name order, the same on every chart of the family. */
export function agencyColours(domains) {
  const agencies = new Map();
  for (const domain of domains) {
    for (const point of domain.points) agencies.set(point.agency.id, point.agency.name);
  }
  const sorted = [...agencies.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  return new Map(sorted.map(([id, name], index) => [
    id, { name, colour: AGENCY_COLOURS[index % AGENCY_COLOURS.length] }]));
}

// Shades the levels from 1 to the agreed level: the good-enough band. When the agreement was
// revised, the band steps at the date of each revision (the level in force at each date).
const goodEnoughBand = {
  id: 'goodEnoughBand',
  beforeDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea, scales } = chart;
    const top = scales.y.getPixelForValue(0.5);
    const spans = bandSpans(options.steps, chartArea, scales.x);
    ctx.save();
    ctx.fillStyle = BAND;
    for (const span of spans) {
      const edge = scales.y.getPixelForValue(span.level + 0.5);
      ctx.fillRect(span.left, top, span.right - span.left, edge - top);
    }
    ctx.strokeStyle = BAND_EDGE;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    spans.forEach((span, index) => {
      const edge = scales.y.getPixelForValue(span.level + 0.5);
      if (index === 0) ctx.moveTo(span.left, edge);
      else ctx.lineTo(span.left, edge); // the step up or down at the revision's date
      ctx.lineTo(span.right, edge);
    });
    ctx.stroke();
    ctx.restore();
  },
};

/** The agreed level's steps as horizontal pixel spans inside the chart area. */
function bandSpans(steps, area, x) {
  const spans = [];
  steps.forEach((step, index) => {
    const next = steps[index + 1];
    const left = step.starts ? Math.max(area.left, x.getPixelForValue(Date.parse(step.starts))) : area.left;
    const right = next ? Math.min(area.right, x.getPixelForValue(Date.parse(next.starts))) : area.right;
    if (right > left) spans.push({ left, right, level: step.level });
  });
  return spans;
}

/** The agreed level over time (older answers give only the level in force now). */
export function agreedSteps(domain) {
  return domain.agreed_levels?.length ? domain.agreed_levels : [{ starts: null, level: domain.agreed_level }];
}

function datasets(domain, colours) {
  const byAgency = new Map();
  for (const point of domain.points) {
    if (!byAgency.has(point.agency.id)) byAgency.set(point.agency.id, []);
    byAgency.get(point.agency.id).push({
      x: Date.parse(point.at), y: point.score, visitId: point.visit_id,
      announced: point.announced, agency: point.agency.name,
    });
  }
  const points = [...byAgency.entries()].map(([agencyId, data]) => ({
    type: 'scatter',
    label: colours.get(agencyId).name,
    data,
    backgroundColor: colours.get(agencyId).colour,
    borderColor: '#fff',
    borderWidth: 1,
    pointStyle: (context) => (context.raw?.announced ? 'circle' : 'triangle'),
    pointRadius: (context) => (context.raw?.announced ? 6 : 8),
    pointHoverRadius: 9,
    pointHitRadius: 14,
  }));
  const median = {
    type: 'line',
    label: 'Rolling median',
    data: domain.rolling_median.map((point) => ({ x: Date.parse(point.at), y: point.value })),
    borderColor: MEDIAN,
    borderWidth: 2,
    borderDash: [2, 3],
    pointRadius: 0,
    pointHitRadius: 0,
    isMedian: true,
  };
  return [median, ...points];
}

function xRange(domain) {
  const times = domain.points.map((point) => Date.parse(point.at));
  if (times.length === 0) return {};
  // A revision after the latest visit still shows: the band steps before the right edge.
  const revised = agreedSteps(domain).filter((step) => step.starts).map((step) => Date.parse(step.starts));
  if (revised.length) times.push(Math.max(...revised) + DAY);
  return { min: Math.min(...times) - 2 * DAY, max: Math.max(...times) + 2 * DAY };
}

function config(domain, colours) {
  return {
    type: 'scatter',
    data: { datasets: datasets(domain, colours) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      layout: { padding: { right: 8 } },
      scales: {
        y: {
          reverse: true, min: 0.5, max: 5.5,
          afterBuildTicks: (axis) => { axis.ticks = [1, 2, 3, 4, 5].map((value) => ({ value })); },
          ticks: { color: '#111', font: { size: 14 } },
          grid: { color: '#ddd' },
        },
        x: {
          type: 'linear', ...xRange(domain),
          ticks: { color: '#111', maxTicksLimit: 4, maxRotation: 0,
            callback: (value) => formatDate(value).replace(/ \d{4}$/, '') },
          grid: { color: '#eee' },
        },
      },
      plugins: {
        goodEnoughBand: { steps: agreedSteps(domain) },
        tooltip: {
          filter: (item) => !item.dataset.isMedian,
          callbacks: {
            label: (item) => `${item.raw.agency}: ${item.raw.y} (${item.raw.announced ? 'announced' : 'unannounced'})`,
          },
        },
      },
      onClick: (event, _elements, chart) => {
        // The nearest point within a fingertip of the tap (a tap on empty space opens nothing).
        const [nearest] = chart.getElementsAtEventForMode(event, 'nearest', { intersect: false }, true)
          .filter((element) => !chart.data.datasets[element.datasetIndex].isMedian)
          .filter((element) => Math.hypot(element.element.x - event.x, element.element.y - event.y) <= TAP_REACH);
        if (nearest) {
          navigate(`/visits/${chart.data.datasets[nearest.datasetIndex].data[nearest.index].visitId}`);
        }
      },
    },
    plugins: [goodEnoughBand],
  };
}

export function TrendChart({ domain, colours }) {
  const { scale } = useSettings().settings;
  const canvas = useRef(null);
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    let chart = null;
    let cancelled = false;
    import('./chartjs.js').then(({ Chart }) => {
      if (!cancelled) chart = new Chart(canvas.current, config(domain, colours));
    }, () => setProblem('The chart could not be loaded. The scores are in the table below.'));
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [domain, colours]);

  const latest = domain.points[domain.points.length - 1];
  const summary = latest
    ? `${domain.points.length} scores; the latest ${latest.score} (${scoreBand(latest.score, scale, latest.agreed_level ?? domain.agreed_level).toLowerCase()}) on ${formatDate(latest.at)} by ${latest.agency.name}.`
    : 'No scores yet.';
  return (
    <figure class="chart">
      <div class="chart-canvas">
        <canvas ref={canvas} role="img"
                aria-label={`${domain.name}, level 1 best to 5 worst: ${summary} Tap a point to open the visit.`} />
      </div>
      {problem && <p role="alert">{problem}</p>}
      <figcaption class="chart-caption">{summary}</figcaption>
      <ScoreTable domain={domain} />
    </figure>
  );
}

function ScoreTable({ domain }) {
  const { scale } = useSettings().settings;
  if (domain.points.length === 0) return null;
  return (
    <details class="score-table">
      <summary>Scores as a list</summary>
      <table>
        <thead><tr><th scope="col">Date</th><th scope="col">Agency</th><th scope="col">Visit</th><th scope="col">Level</th></tr></thead>
        <tbody>
          {[...domain.points].reverse().map((point) => (
            <tr key={point.visit_id}>
              <td>{formatDate(point.at)}</td>
              <td>{point.agency.name}</td>
              <td><a href={`/visits/${point.visit_id}`}>{point.announced ? 'Announced' : 'Unannounced'}</a></td>
              <td>{point.score} ({scoreBand(point.score, scale, point.agreed_level ?? domain.agreed_level).toLowerCase()})</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Which colour is which agency, and which shape is which kind of visit. */
export function ChartKey({ colours }) {
  return (
    <div class="chart-key" aria-label="Key to the charts" role="group">
      <ul>
        {[...colours.values()].map(({ name, colour }) => (
          <li key={name}><span class="swatch" style={{ backgroundColor: colour }} aria-hidden="true" />{name}</li>
        ))}
      </ul>
      <ul>
        <li><span class="shape shape-circle" aria-hidden="true" />Announced visit</li>
        <li><span class="shape shape-triangle" aria-hidden="true" />Unannounced visit</li>
        <li><span class="shape shape-band" aria-hidden="true" />Good enough (agreed)</li>
        <li><span class="shape shape-median" aria-hidden="true" />Rolling median</li>
      </ul>
    </div>
  );
}
