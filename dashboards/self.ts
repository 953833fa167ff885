import { build, tagVariable, type DashboardDef } from './lib/dashboard.ts';
import { L, type Lang } from './lib/i18n.ts';
import { agg, rate, select, tagVar } from './lib/influxql.ts';
import { Layout, stateTimelinePanel, statPanel, tablePanel, timeseriesPanel, valueText } from './lib/panels.ts';

const LAST = (f: string, alias = f) => [agg('last', f), alias] as const;
const connectedText = (lang: Lang) => valueText(lang, { '1': [L('在线', 'connected'), 'green'], '0': [L('离线', 'disconnected'), 'red'] });

/** Counts across the top: InfluxDB, ingest rate, spool backlog, agents, points. */
function summaryRow(l: Layout, lang: Lang, inst: string): void {
  const col = (f: string) => select(LAST(f)).from('watchpost_collector').where(inst).inRange();
  l.add(
    statPanel(lang, {
      title: L('InfluxDB 写入', 'InfluxDB writes'),
      queries: [{ q: col('influx_up') }],
      mappings: valueText(lang, { '1': [L('正常', 'OK'), 'green'], '0': [L('故障', 'failing'), 'red'] }),
      steps: ['red', [1, 'green']],
    }),
    4,
    5,
  );
  l.add(statPanel(lang, { title: L('写入速率', 'Ingest rate'), graph: true, queries: [{ q: col('points_per_s') }], unit: 'pps', steps: ['blue'] }), 5, 5);
  l.add(statPanel(lang, { title: L('缓冲积压', 'Spool backlog'), graph: true, queries: [{ q: col('spool_points') }], steps: ['green', [10_000, 'orange'], [1_000_000, 'red']] }), 5, 5);
  l.add(statPanel(lang, { title: L('在线探针', 'Agents connected'), queries: [{ q: col('agents_connected') }], steps: ['red', [1, 'green']] }), 5, 5);
  l.add(statPanel(lang, { title: L('累计写入点数', 'Points ingested'), queries: [{ q: col('points_total') }], unit: 'short', steps: ['blue'] }), 5, 5);
}

/** The collector: ingest rate, spool depth, write errors and bad frames, InfluxDB writable. */
function collectorRow(l: Layout, lang: Lang, inst: string): void {
  l.row(lang, L('采集器', 'Collector'));
  l.add(
    timeseriesPanel(lang, {
      title: L('写入速率', 'Ingest rate'),
      queries: [{ q: select(agg('mean', 'points_per_s')).from('watchpost_collector').where(inst).inRange().byTime().byTags('instance'), alias: '$tag_instance' }],
      unit: 'pps',
    }),
    12,
    8,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('缓冲深度', 'Spool depth'),
      description: L('InfluxDB 不可写时数据先存入缓冲，恢复后补写', 'Points wait in the spool while InfluxDB is unavailable and are replayed after'),
      queries: [
        { q: select(agg('max', 'spool_points')).from('watchpost_collector').where(inst).inRange().byTime().byTags('instance'), alias: '$tag_instance points' },
        { q: select(agg('max', 'spool_bytes')).from('watchpost_collector').where(inst).inRange().byTime().byTags('instance'), alias: '$tag_instance bytes' },
      ],
      unit: 'short',
    }).overrideByRegexp('.* bytes$', [{ id: 'unit', value: 'bytes' }, { id: 'custom.axisPlacement', value: 'right' }]),
    12,
    8,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('写入错误与坏帧（每分钟）', 'Write errors and bad frames (per minute)'),
      queries: [
        {
          q: select([rate('write_errors_total', '1m'), 'write_errors'], [rate('bad_frames_total', '1m'), 'bad_frames']).from('watchpost_collector').where(inst).inRange().byTime().byTags('instance'),
          alias: '$tag_instance $col',
        },
      ],
      unit: 'short',
      bars: true,
    }),
    12,
    8,
  );
  l.add(
    stateTimelinePanel(lang, {
      title: L('InfluxDB 可写', 'InfluxDB writable'),
      queries: [{ q: select(agg('min', 'influx_up')).from('watchpost_collector').where(inst).inRange().byTime('$__interval', 'previous').byTags('instance'), alias: '$tag_instance' }],
      mappings: valueText(lang, { '1': [L('正常', 'OK'), 'green'], '0': [L('故障', 'failing'), 'red'] }),
    }),
    12,
    8,
  );
}

/** Agents: versions, last seen, connections. */
function agentsRow(l: Layout, lang: Lang): void {
  const connected = connectedText(lang);
  l.row(lang, L('探针代理', 'Agents'));
  l.add(
    tablePanel(lang, {
      title: L('探针代理版本与最后在线', 'Agent versions and last seen'),
      sortBy: { column: L('最后在线', 'Last seen') },
      queries: [
        {
          q: select(LAST('connected'), [`${agg('last', 'last_seen_s')} * 1000`, 'last_seen'], LAST('version'), LAST('hostname')).from('watchpost_agent').inRange().byTags('agent', 'building', 'floor', 'room'),
        },
      ],
      columns: {
        agent: { name: L('代理', 'Agent') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('房间', 'Room') },
        connected: { name: L('连接', 'Connected'), colour: true, mappings: connected },
        last_seen: { name: L('最后在线', 'Last seen'), unit: 'dateTimeFromNow' },
        version: { name: L('版本', 'Version') },
        hostname: { name: L('主机名', 'Host name') },
        Time: { hidden: true },
      },
    }),
    12,
    10,
  );
  l.add(
    stateTimelinePanel(lang, {
      title: L('代理连接', 'Agent connections'),
      queries: [{ q: select(agg('min', 'connected')).from('watchpost_agent').inRange().byTime('$__interval', 'previous').byTags('agent'), alias: '$tag_agent' }],
      mappings: connected,
    }),
    12,
    10,
  );
}

/** Probe runs and durations; SMS usage. */
function probeRunsRow(l: Layout, lang: Lang): void {
  l.row(lang, L('探针运行', 'Probe runs'));
  l.add(
    tablePanel(lang, {
      title: L('探针', 'Probes'),
      queries: [
        {
          q: select(LAST('success'), LAST('duration_ms'), LAST('samples'), LAST('error_class'), LAST('runs_total'), LAST('errors_total'), LAST('timeouts_total'), LAST('skipped_total'))
            .from('watchpost_probe')
            .inRange()
            .byTags('host', 'probe', 'kind'),
        },
      ],
      columns: {
        host: { name: L('主机', 'Host') },
        probe: { name: L('探针', 'Probe') },
        kind: { name: L('类型', 'Kind') },
        success: { name: L('最近一次', 'Last run'), colour: true, mappings: valueText(lang, { true: [L('成功', 'ok'), 'green'], false: [L('失败', 'failed'), 'red'] }) },
        duration_ms: { name: L('耗时', 'Duration'), unit: 'ms' },
        samples: { name: L('样本数', 'Samples') },
        error_class: { name: L('错误类别', 'Error class') },
        runs_total: { name: L('运行次数', 'Runs') },
        errors_total: { name: L('错误次数', 'Errors') },
        timeouts_total: { name: L('超时次数', 'Timeouts') },
        skipped_total: { name: L('跳过次数', 'Skipped') },
        Time: { name: L('最后运行', 'Last run at'), unit: 'dateTimeFromNow' },
      },
    }),
    24,
    9,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('探针耗时', 'Probe duration'),
      queries: [{ q: select(agg('max', 'duration_ms')).from('watchpost_probe').inRange().byTime().byTags('host', 'probe'), alias: '$tag_host $tag_probe' }],
      unit: 'ms',
    }),
    12,
    8,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('短信用量', 'SMS usage'),
      queries: [{ q: select(agg('max', 'budget_used_pct')).from('sms_usage').inRange().byTime().byTags('purpose'), alias: '$tag_purpose' }],
      unit: 'percent',
      min: 0,
      max: 100,
      steps: ['green', [80, 'orange'], [100, 'red']],
    }),
    12,
    8,
  );
}

/** Watchpost watching itself: ingest rate, spool depth, InfluxDB writes, agents, probes, SMS budget. */
export const self: DashboardDef = {
  name: 'self',
  build(lang: Lang) {
    const inst = tagVar('instance', 'instance');
    const l = new Layout();
    summaryRow(l, lang, inst);
    collectorRow(l, lang, inst);
    agentsRow(l, lang);
    probeRunsRow(l, lang);
    return build(
      lang,
      {
        name: 'self',
        title: L('系统自监控', 'Self-monitoring'),
        description: L('Watchpost 自身：写入速率、缓冲、代理版本与在线', 'Watchpost itself: ingest rate, spool, agent versions and last seen'),
        refresh: '30s',
        from: 'now-6h',
        tags: ['self'],
        variables: [tagVariable(lang, 'instance', L('采集器', 'Collector'), 'watchpost_collector', 'instance')],
      },
      l,
    );
  },
};
