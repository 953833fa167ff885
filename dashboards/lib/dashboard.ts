import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { tr, type Lang, type Text } from './i18n.ts';
import { showTagValues, tagVar } from './influxql.ts';
import { DATASOURCE, type Layout } from './panels.ts';

/** A dashboard definition: built once per language by dashboards/generate.ts. */
export interface DashboardDef {
  /** File name stem in dashboards/generated/<lang>/ and the uid stem. */
  name: string;
  build(lang: Lang): dashboard.Dashboard;
}

/** uid per language: the Chinese dashboards keep the short uids docs/dashboards.md links to. */
export function uid(name: string, lang: Lang): string {
  return lang === 'zh' ? `watchpost-${name}` : `watchpost-${name}-en`;
}

/** What differs between the dashboards: identity, texts, refresh, default range, variables. */
export interface BaseOpts {
  name: string;
  title: Text;
  description: Text;
  refresh: string;
  from: string;
  tags: string[];
  variables?: dashboard.QueryVariableBuilder[];
}

/** The settings every Watchpost dashboard shares, then the panels of `layout`. */
export function build(lang: Lang, o: BaseOpts, layout: Layout): dashboard.Dashboard {
  const d = new dashboard.DashboardBuilder(`Watchpost · ${tr(lang, o.title)}`)
    .uid(uid(o.name, lang))
    .description(tr(lang, o.description))
    .tags(['watchpost', lang, ...o.tags])
    .editable()
    .timezone('browser')
    .refresh(o.refresh)
    .time({ from: o.from, to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder(tr(lang, { zh: 'Watchpost 仪表盘', en: 'Watchpost dashboards' }))
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['watchpost', lang])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
  for (const v of o.variables ?? []) d.withVariable(v);
  return conform(layout.into(d).build());
}

/**
 * Drops defaults the foundation SDK (0.0.21, the newest published) adds that Grafana 13's
 * schema (@grafana/schema) no longer has: a table's `options.footer` (now per field, in
 * fieldConfig) and the interval-variable settings `auto*` it puts on every query variable.
 * test/dashboards/schema.test.ts is what finds such drift.
 */
function conform(d: dashboard.Dashboard): dashboard.Dashboard {
  for (const p of d.panels ?? []) {
    const opts = (p as { options?: Record<string, unknown> }).options;
    if (p.type === 'table' && opts && (opts.footer as { show?: boolean } | undefined)?.show === false) delete opts.footer;
  }
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'interval') continue;
    const r = v as unknown as Record<string, unknown>;
    delete r.auto;
    delete r.auto_min;
    delete r.auto_count;
  }
  return d;
}

/**
 * A multi-value template variable over one tag of a measurement, narrowed by the variables
 * before it (`parents`: [tag, variable] pairs). "All" is `.*`, which also matches series
 * without the tag (a PC has no shaft).
 */
export function tagVariable(
  lang: Lang,
  name: string,
  label: Text,
  measurement: string | string[],
  tag: string,
  parents: [string, string][] = [],
): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(tr(lang, label))
    .datasource(DATASOURCE)
    .query(showTagValues(measurement, tag, ...parents.map(([t, v]) => tagVar(t, v))))
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** building → floor → shaft location variables, read from one measurement. */
export function locationVariables(lang: Lang, measurement: string, withShaft: boolean): dashboard.QueryVariableBuilder[] {
  const vars = [
    tagVariable(lang, 'building', { zh: '楼栋', en: 'Building' }, measurement, 'building'),
    tagVariable(lang, 'floor', { zh: '楼层', en: 'Floor' }, measurement, 'floor', [['building', 'building']]),
  ];
  if (withShaft)
    vars.push(
      tagVariable(lang, 'shaft', { zh: '竖井', en: 'Shaft' }, measurement, 'shaft', [
        ['building', 'building'],
        ['floor', 'floor'],
      ]),
    );
  return vars;
}

/** WHERE conditions matching the location variables. */
export function locationFilter(withShaft: boolean): string[] {
  return [tagVar('building', 'building'), tagVar('floor', 'floor'), ...(withShaft ? [tagVar('shaft', 'shaft')] : [])];
}
