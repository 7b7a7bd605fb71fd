import type { ComponentType, ReactNode } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLocale } from '../text';
import { columnHeader, formatCount, formatDay, formatMonth, formatShare, segmentLabel, type ChartData } from './chart-data';
import { useDashboardText } from './dashboard-text';

/**
 * The charts, drawn by recharts as SVG. Colours are SVG presentation
 * attributes (fill, stroke), which HQ's CSP allows (style-src 'self' forbids
 * style attributes in markup, not attributes of the drawing); recharts sets
 * its few layout styles through the DOM, which the CSP allows too. No
 * animation: the chart is there as soon as its data is.
 */

const HEIGHT = 300;
const INK = '#17202a';
const GRID = '#dde3ea';
const MUTED = '#5d6b79';

const SEGMENT_COLOURS: Record<string, string> = {
  most_valued: '#1f5fbf',
  growing: '#1e7d45',
  steady: '#7d8b99',
  at_risk: '#c77700',
  lapsed: '#b3261e',
  new: '#6a4fb3',
};
const TIER_COLOURS: Record<string, string> = { gold: '#b8860b', basic: '#1f5fbf', occasional: '#9aa5b1' };
const POINTS_COLOURS: Record<string, string> = { issued: '#1e7d45', redeemed: '#1f5fbf', expired: '#b3261e' };
const KIND_COLOURS = ['#1f5fbf', '#c77700', '#1e7d45', '#b3261e', '#6a4fb3', '#0f7c8c', '#8a5a00', '#7d8b99', '#c2185b'];
const SEGMENT_ORDER = ['new', 'most_valued', 'growing', 'steady', 'at_risk', 'lapsed'];

const axis = { stroke: MUTED, tick: { fill: INK, fontSize: 12 } };

function Frame({ children }: { children: ReactNode }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      {children as never}
    </ResponsiveContainer>
  );
}

/** Stacked or side-by-side bars, one series per column after the first. */
function Bars({
  data,
  x,
  series,
  colour,
  label,
  tickX,
  everyTick = false,
}: {
  data: object[];
  x: string;
  series: string[];
  colour: (s: string, i: number) => string;
  label: (s: string) => string;
  tickX: (v: string) => string;
  /** Few categories: every one named under its bar. */
  everyTick?: boolean;
}) {
  const locale = useLocale();
  return (
    <Frame>
      <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey={x} {...axis} tickFormatter={tickX} {...(everyTick ? { interval: 0, fontSize: 11 } : { minTickGap: 12 })} />
        <YAxis {...axis} allowDecimals={false} tickFormatter={(v: number) => formatCount(locale, v)} />
        <Tooltip labelFormatter={(v) => tickX(String(v))} formatter={(v, name) => [formatCount(locale, Number(v)), label(String(name))]} />
        <Legend itemSorter={null} formatter={(s: string) => label(s)} />
        {series.map((s, i) => (
          <Bar key={s} dataKey={s} stackId="all" fill={colour(s, i)} isAnimationActive={false} />
        ))}
      </BarChart>
    </Frame>
  );
}

function Concentration({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  const points = data.rows.map((r) => ({ ...r, equality: r.customerShare }));
  const pct = (v: number) => formatShare(locale, v);
  return (
    <Frame>
      <AreaChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={GRID} />
        <XAxis dataKey="customerShare" type="number" domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} tickFormatter={pct} {...axis} />
        <YAxis domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} tickFormatter={pct} {...axis} />
        <Tooltip labelFormatter={(v) => pct(Number(v))} formatter={(v, name) => [pct(Number(v)), name === 'equality' ? '—' : t('col.revenueShare')]} />
        <ReferenceLine x={0.2} stroke={MUTED} strokeDasharray="4 4" />
        <Area dataKey="revenueShare" type="linear" stroke="#1f5fbf" strokeWidth={2} fill="#1f5fbf" fillOpacity={0.18} isAnimationActive={false} />
        <Line dataKey="equality" type="linear" stroke={MUTED} strokeDasharray="6 4" dot={false} isAnimationActive={false} />
      </AreaChart>
    </Frame>
  );
}

function Tiers({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  return <Bars data={data.rows} x="month" series={['gold', 'basic', 'occasional']} colour={(s) => TIER_COLOURS[s]!} label={(s) => t(`col.${s}`)} tickX={(m) => formatMonth(locale, m, true)} />;
}

function Segments({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  const series = data.columns.slice(1);
  return <Bars data={data.rows} x="asOf" series={series} colour={(s) => SEGMENT_COLOURS[s]!} label={(s) => segmentLabel(t, s)} tickX={(d) => formatDay(locale, d, true)} />;
}

/** Each segment of the latest run (a bar), split by where its members were at the run before. */
function Flows({ data }: { data: ChartData }) {
  const t = useDashboardText();
  const byTo = new Map<string, Record<string, number | string>>();
  for (const r of data.rows) {
    const to = String(r.to);
    const bar = byTo.get(to) ?? { to };
    bar[String(r.from)] = Number(r.members);
    byTo.set(to, bar);
  }
  const bars = SEGMENT_ORDER.filter((s) => byTo.has(s)).map((s) => byTo.get(s)!);
  const sources = SEGMENT_ORDER.filter((s) => data.rows.some((r) => r.from === s));
  return <Bars data={bars} x="to" series={sources} colour={(s) => SEGMENT_COLOURS[s]!} label={(s) => segmentLabel(t, s)} tickX={(s) => segmentLabel(t, s)} everyTick />;
}

function PAlive({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  // « 0–10 % »: the bins' bounds as whole percentages, the sign once.
  const whole = (v: number) => formatCount(locale, Math.round(v * 100));
  const bins = data.rows.map((r) => ({ ...r, bin: `${whole(Number(r.from))}–${formatShare(locale, Number(r.to))}` }));
  return <Bars data={bins} x="bin" series={['customers']} colour={() => '#1f5fbf'} label={() => t('col.customers')} tickX={(b) => b} everyTick />;
}

/** Every 13th week (a quarter), and the week the calibration ends in. */
function weekTicks(data: ChartData): number[] {
  const last = Number(data.rows[data.rows.length - 1]?.week ?? 0);
  const ticks = new Set([1, Number(data.facts.calibrationWeek)]);
  for (let w = 13; w <= last; w += 13) ticks.add(w);
  return [...ticks].filter((w) => w <= last).sort((a, b) => a - b);
}

function Calibration({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  const models = data.columns.filter((c) => c === 'bgnbd' || c === 'pareto');
  return (
    <Frame>
      <LineChart data={data.rows} accessibilityLayer={false} margin={{ top: 16, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={GRID} />
        <XAxis dataKey="week" type="number" domain={['dataMin', 'dataMax']} ticks={weekTicks(data)} {...axis} />
        <YAxis {...axis} tickFormatter={(v: number) => formatCount(locale, v)} />
        <Tooltip labelFormatter={(w) => `${t('col.week')} ${String(w)}`} formatter={(v, name) => [formatCount(locale, Number(v)), t(`col.${String(name)}`)]} />
        <Legend itemSorter={null} formatter={(s: string) => t(`col.${s}`)} />
        <ReferenceLine x={Number(data.facts.calibrationWeek)} stroke={MUTED} strokeDasharray="4 4" label={{ value: t('chart.calibration.end'), fill: INK, fontSize: 12, position: 'insideTopLeft' }} />
        <Line dataKey="actual" stroke={INK} strokeWidth={2} dot={false} isAnimationActive={false} />
        {models.map((m) => (
          <Line key={m} dataKey={m} stroke={m === 'bgnbd' ? '#1f5fbf' : '#c77700'} strokeWidth={2} strokeDasharray="6 3" dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </Frame>
  );
}

function Incidents({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  const kinds = data.columns.slice(1);
  return <Bars data={data.rows} x="week" series={kinds} colour={(_s, i) => KIND_COLOURS[i % KIND_COLOURS.length]!} label={(k) => columnHeader(t, 'incidents', k)} tickX={(d) => formatDay(locale, d, true)} />;
}

function Points({ data }: { data: ChartData }) {
  const locale = useLocale();
  const t = useDashboardText();
  return (
    <Frame>
      <LineChart data={data.rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={GRID} />
        <XAxis dataKey="week" {...axis} tickFormatter={(d: string) => formatDay(locale, d, true)} minTickGap={12} />
        <YAxis {...axis} tickFormatter={(v: number) => formatCount(locale, v)} />
        <Tooltip labelFormatter={(d) => formatDay(locale, String(d))} formatter={(v, name) => [formatCount(locale, Number(v)), t(`col.${String(name)}`)]} />
        <Legend itemSorter={null} formatter={(s: string) => t(`col.${s}`)} />
        {['issued', 'redeemed', 'expired'].map((s) => (
          <Line key={s} dataKey={s} stroke={POINTS_COLOURS[s]} strokeWidth={2} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </Frame>
  );
}

export const DRAWINGS: Readonly<Record<string, ComponentType<{ data: ChartData }>>> = {
  concentration: Concentration,
  tiers: Tiers,
  segments: Segments,
  flows: Flows,
  palive: PAlive,
  calibration: Calibration,
  incidents: Incidents,
  points: Points,
};
