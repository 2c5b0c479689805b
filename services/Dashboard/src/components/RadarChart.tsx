import { useMemo } from 'react';
import { SCORE_METRICS, type LeaderboardEntry } from '../api/types';
import { entryKey } from '../shaping/leaderboard';
import { formatScore } from '../shaping/format';
import { DataTableDetails } from './States';
import { Chart, type ChartOption } from './Chart';

const LABELS = { accuracy: 'Accuracy', speed: 'Speed', efficiency: 'Efficiency', cost: 'Cost', reliability: 'Reliability' } as const;

/** §10.1 PerformanceRadarChart: the five scores (0 to 1) of up to five selected leaderboard rows. */
export function PerformanceRadar({ entries }: { entries: readonly LeaderboardEntry[] }) {
  const option = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    radar: { indicator: SCORE_METRICS.map((metric) => ({ name: LABELS[metric], max: 1, min: 0 })), radius: '62%' },
    series: [{
      type: 'radar',
      data: entries.map((entry) => ({
        name: entry.agent_version ? `${entry.agent_name} ${entry.agent_version}` : entry.agent_name,
        value: SCORE_METRICS.map((metric) => entry.scores_and_ranks[metric]?.score ?? 0),
      })),
    }],
  }), [entries]);

  return (
    <div data-testid="radar-chart">
      {entries.length === 0
        ? <p className="empty">Tick up to five rows of the leaderboard to compare their scores here.</p>
        : <Chart option={option} label="Radar chart of accuracy, speed, efficiency, cost and reliability for the selected agents" />}
      <DataTableDetails summary="Radar data as a table">
        <table>
          <thead>
            <tr><th scope="col">Agent</th>{SCORE_METRICS.map((metric) => <th scope="col" key={metric}>{LABELS[metric]}</th>)}</tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entryKey(entry)} data-testid="radar-row" data-agent-name={entry.agent_name}>
                <th scope="row">{entry.agent_version ? `${entry.agent_name} ${entry.agent_version}` : entry.agent_name}</th>
                {SCORE_METRICS.map((metric) => <td className="num" key={metric}>{formatScore(entry.scores_and_ranks[metric]?.score)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </DataTableDetails>
    </div>
  );
}
