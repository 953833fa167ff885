import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as statushistory from '@grafana/grafana-foundation-sdk/statushistory';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { tr, type Lang, type Text } from './i18n.ts';
import type { Select } from './influxql.ts';

/** The provisioned InfluxDB (InfluxQL) data source: deploy/grafana/provisioning/datasources/watchpost.yaml. */
export const DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: 'watchpost-influxdb' };

/** What Grafana's InfluxDB data source stores for a raw InfluxQL query. */
export interface InfluxTarget {
  refId: string;
  datasource: common.DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

class TargetBuilder implements cog.Builder<cog.Dataquery> {
  private readonly t: InfluxTarget;
  constructor(t: InfluxTarget) {
    this.t = t;
  }
  build(): cog.Dataquery {
    // The variant marker is a method: JSON.stringify drops it.
    return { ...this.t, _implementsDataqueryVariant() {} };
  }
}

/** One InfluxQL query of a panel. `alias` uses Grafana's $tag_<name> / $col patterns. */
export interface Query {
  q: Select | string;
  format?: 'time_series' | 'table';
  alias?: string;
}

/** The builder methods every panel kind shares (what the helpers below use). */
interface AnyPanel {
  id(id: number): this;
  title(t: string): this;
  description(d: string): this;
  datasource(d: common.DataSourceRef): this;
  withTarget(t: cog.Builder<cog.Dataquery>): this;
  gridPos(g: dashboard.GridPos): this;
  unit(u: string): this;
  thresholds(t: cog.Builder<dashboard.ThresholdsConfig>): this;
  mappings(m: dashboard.ValueMapping[]): this;
  noValue(v: string): this;
  decimals(d: number): this;
  min(n: number): this;
  max(n: number): this;
  overrideByName(name: string, props: dashboard.DynamicConfigValue[]): this;
  build(): dashboard.Panel;
}

/** Options every panel helper takes: texts in both languages, InfluxQL queries, display. */
export interface PanelOpts {
  title: Text;
  description?: Text;
  queries: Query[];
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  /** [base colour, then [value, colour]…] — Grafana's absolute thresholds. */
  steps?: Steps;
  mappings?: dashboard.ValueMapping[];
  noValue?: string;
  /** Per-column display: unit, display name, mappings. */
  columns?: Record<string, { name?: Text; unit?: string; mappings?: dashboard.ValueMapping[]; steps?: Steps; colour?: boolean; hidden?: boolean }>;
}

/** Threshold colours: the base colour, then [from value, colour] pairs in ascending order. */
export type Steps = readonly [string, ...(readonly [number, string])[]];

export function thresholds(steps: Steps): dashboard.ThresholdsConfigBuilder {
  const [base, ...rest] = steps;
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...rest.map(([value, color]) => ({ value, color }))]);
}

/** Value → text (and colour) mappings: `{ '1': ['up', 'green'] }`. */
export function valueText(lang: Lang, m: Record<string, readonly [Text, string]>): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  let index = 0;
  for (const [k, [text, color]] of Object.entries(m)) options[k] = { text: tr(lang, text), color, index: index++ };
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

function common_<P extends AnyPanel>(lang: Lang, p: P, o: PanelOpts): P {
  p.title(tr(lang, o.title)).datasource(DATASOURCE);
  if (o.description) p.description(tr(lang, o.description));
  const refs = 'ABCDEFGHIJ';
  o.queries.forEach((q, i) => {
    const t: InfluxTarget = { refId: refs[i]!, datasource: DATASOURCE, query: q.q.toString(), rawQuery: true, resultFormat: q.format ?? 'time_series' };
    if (q.alias) t.alias = q.alias;
    p.withTarget(new TargetBuilder(t));
  });
  if (o.unit) p.unit(o.unit);
  if (o.decimals !== undefined) p.decimals(o.decimals);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.steps) p.thresholds(thresholds(o.steps));
  if (o.mappings) p.mappings(o.mappings);
  if (o.noValue !== undefined) p.noValue(o.noValue);
  for (const [col, c] of Object.entries(o.columns ?? {})) {
    const props: dashboard.DynamicConfigValue[] = [];
    if (c.name) props.push({ id: 'displayName', value: tr(lang, c.name) });
    if (c.unit) props.push({ id: 'unit', value: c.unit });
    if (c.mappings) props.push({ id: 'mappings', value: c.mappings });
    if (c.steps) props.push({ id: 'thresholds', value: thresholds(c.steps).build() });
    if (c.colour) props.push({ id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } });
    // Grafana 12+ tables hide a column by hideFrom.viz; Grafana 10–11 by custom.hidden.
    if (c.hidden) props.push({ id: 'custom.hideFrom.viz', value: true }, { id: 'custom.hidden', value: true });
    p.overrideByName(col, props);
  }
  return p;
}

/** A stat panel: the last value, coloured by thresholds. */
export interface StatOpts extends PanelOpts {
  /** Wall screen: big numbers readable across the room. */
  large?: boolean;
  graph?: boolean;
}

export function statPanel(lang: Lang, o: StatOpts): stat.PanelBuilder {
  const p = common_(lang, new stat.PanelBuilder(), o)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(o.graph ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (o.large) p.text(new common.VizTextDisplayOptionsBuilder().titleSize(28).valueSize(88));
  return p;
}

/** A table panel (queries default to InfluxDB's table format). */
export interface TableOpts extends PanelOpts {
  large?: boolean;
  /** Merge the queries' frames into one table (several measurements side by side). */
  merge?: boolean;
  sortBy?: { column: Text | string; desc?: boolean };
}

export function tablePanel(lang: Lang, o: TableOpts): table.PanelBuilder {
  const p = common_(lang, new table.PanelBuilder(), { ...o, queries: o.queries.map((q) => ({ format: 'table', ...q })) })
    .cellHeight(o.large ? common.TableCellHeight.Lg : common.TableCellHeight.Sm)
    .showHeader(true);
  if (o.merge) p.withTransformation({ id: 'merge', options: {} });
  // InfluxDB's table rows carry a time column; for "what is down" tables it is the last poll.
  if (o.sortBy) {
    const name = typeof o.sortBy.column === 'string' ? o.sortBy.column : tr(lang, o.sortBy.column);
    p.sortBy([new common.TableSortByFieldStateBuilder().displayName(name).desc(o.sortBy.desc ?? false)]);
  }
  return p;
}

/** A time series panel: lines, or bars for counts per interval. */
export interface SeriesOpts extends PanelOpts {
  stack?: boolean;
  bars?: boolean;
}

export function timeseriesPanel(lang: Lang, o: SeriesOpts): timeseries.PanelBuilder {
  const p = common_(lang, new timeseries.PanelBuilder(), o)
    .lineWidth(1)
    .fillOpacity(o.bars ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.bars) p.drawStyle(common.GraphDrawStyle.Bars);
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return p;
}

export function stateTimelinePanel(lang: Lang, o: PanelOpts): statetimeline.PanelBuilder {
  return common_(lang, new statetimeline.PanelBuilder(), o)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
}

/** A grid of cells per series over time, coloured by thresholds: the CCTV uptime heat map. */
export function statusHistoryPanel(lang: Lang, o: PanelOpts): statushistory.PanelBuilder {
  return common_(lang, new statushistory.PanelBuilder(), o)
    .showValue(common.VisibilityMode.Never)
    .rowHeight(0.9)
    .colWidth(0.95)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
}

export function barGaugePanel(lang: Lang, o: PanelOpts): bargauge.PanelBuilder {
  return common_(lang, new bargauge.PanelBuilder(), o)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .orientation(common.VizOrientation.Horizontal)
    .showUnfilled(true)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * Places panels left to right on Grafana's 24-column grid, wrapping to a new line, and
 * numbers them (stable ids keep the generated JSON diff-free).
 */
export class Layout {
  private x = 0;
  private y = 0;
  private lineH = 0;
  private nextId = 1;
  private readonly items: ({ row: false; p: dashboard.Panel } | { row: true; p: dashboard.RowPanel })[] = [];

  add(p: AnyPanel, w: number, h: number): this {
    if (this.x + w > 24) this.newline();
    p.id(this.nextId++).gridPos({ x: this.x, y: this.y, w, h });
    this.items.push({ row: false, p: p.build() });
    this.x += w;
    this.lineH = Math.max(this.lineH, h);
    return this;
  }

  row(lang: Lang, title: Text): this {
    this.newline();
    const r = new dashboard.RowBuilder(tr(lang, title)).id(this.nextId++).gridPos({ x: 0, y: this.y, w: 24, h: 1 });
    this.items.push({ row: true, p: r.build() });
    this.y += 1;
    return this;
  }

  /** Hands the placed panels to the SDK's dashboard builder (it keeps explicit positions). */
  into(d: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
    for (const it of this.items) {
      if (it.row) d.withRow({ build: () => it.p });
      else d.withPanel({ build: () => it.p });
    }
    return d;
  }

  private newline(): void {
    this.y += this.lineH;
    this.x = 0;
    this.lineH = 0;
  }
}
