// The family's figures and one trend chart per domain, each against the agreed level in
// force at each date (a step where the agreement was revised).
import { useMemo } from 'preact/hooks';
import { families } from '../api.js';
import { Loaded } from '../components/common.jsx';
import { useLoad } from '../components/data.js';
import { agencyColours, agreedSteps, ChartKey, TrendChart } from '../charts/TrendChart.jsx';
import { useSettings } from '../settings.js';
import { concernScores, days, formatDate } from '../words.js';
import { FamilyFrame } from './FamilyFrame.jsx';

export function ChartsScreen({ params }) {
  return (
    <FamilyFrame familyId={params.familyId} tab="charts">
      {() => <Charts familyId={params.familyId} />}
    </FamilyFrame>
  );
}

function Charts({ familyId }) {
  const trends = useLoad((signal) => families.trends(familyId, { signal }), [familyId]);
  return (
    <Loaded state={trends} what="Loading the charts">
      {(answer) => <TrendsView trends={answer} />}
    </Loaded>
  );
}

function TrendsView({ trends }) {
  const colours = useMemo(() => agencyColours(trends.domains), [trends]);
  return (
    <>
      <FamilyFigures metrics={trends.metrics} />
      <h3>Scores by domain</h3>
      <ChartKey colours={colours} />
      <div class="charts-grid">
        {trends.domains.map((domain) => (
          <section key={domain.key} class="domain-chart" aria-labelledby={`domain-${domain.key}`}>
            <h4 id={`domain-${domain.key}`}>{domain.name}</h4>
            <p class="byline">
              Agreed good enough: <AgreedLevels domain={domain} />
              {domain.crossings_90_days > 0 && ` · crossed the line ${domain.crossings_90_days} ${domain.crossings_90_days === 1 ? 'time' : 'times'} in 90 days`}
              {domain.sustained_improvement && ' · improvement sustained'}
            </p>
            <TrendChart domain={domain} colours={colours} />
          </section>
        ))}
      </div>
    </>
  );
}

const levelWords = (level) => `level ${level === 1 ? '1' : `1 to ${level}`}`;

/** The agreed level now, and since when if a revision changed it (the chart steps there). */
function AgreedLevels({ domain }) {
  const steps = agreedSteps(domain);
  const now = steps[steps.length - 1];
  if (steps.length === 1) return levelWords(now.level);
  const before = steps[steps.length - 2];
  return `${levelWords(now.level)} since ${formatDate(now.starts)} (before: ${levelWords(before.level)})`;
}

function gapInWords(gap) {
  if (gap === null || gap === undefined) return 'not enough visits of both kinds to compare';
  if (Math.abs(gap) < 0.05) return 'no difference';
  const levels = `${Math.abs(gap).toFixed(1)} ${Math.abs(gap) === 1 ? 'level' : 'levels'}`;
  return gap > 0 ? `unannounced visits ${levels} worse` : `unannounced visits ${levels} better`;
}

/** The family-level figures (the trends endpoint's metrics), in words. */
export function FamilyFigures({ metrics }) {
  const { scale } = useSettings().settings;
  return (
    <>
      <h3>At a glance</h3>
      <dl class="facts facts-figures">
        <div><dt>Last visit</dt><dd>{days(metrics.days_since_last_visit)}</dd></div>
        <div><dt>Last unannounced visit</dt><dd>{days(metrics.days_since_last_unannounced)}</dd></div>
        <div><dt>Announced and unannounced (90 days)</dt><dd>{gapInWords(metrics.announced_gap)}</dd></div>
        <div><dt>Crossings of the good-enough line (90 days)</dt><dd>{metrics.crossings_90_days}</dd></div>
        <div><dt>Days at concern ({concernScores(scale)}) since the plan started</dt><dd>{metrics.days_at_concern_since_plan}</dd></div>
      </dl>
      {metrics.agencies.length > 0 && (
        <>
          <h3>Last visit by each agency</h3>
          <ul class="plain-list">
            {metrics.agencies.map((entry) => (
              <li key={entry.agency.id}>{entry.agency.name}: {days(entry.days_since_last_visit)}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
