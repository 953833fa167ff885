import { build, type DashboardDef } from './lib/dashboard.ts';
import { L, tr, type Lang } from './lib/i18n.ts';
import { agg, cmp, matches, or, and, select } from './lib/influxql.ts';
import { Layout, stateTimelinePanel, statPanel, tablePanel, valueText } from './lib/panels.ts';

const RED_IF_ANY = ['green', [1, 'red']] as const;

/** `SELECT count(x) FROM (last(field) per series) WHERE cond`: how many series are in a state now. */
function countWhere(measurement: string, field: string, by: string[], cond: string) {
  return select(agg('count', 'v'))
    .from(
      select([agg('last', field), 'v'])
        .from(measurement)
        .inRange()
        .byTags(...by),
    )
    .where(cond);
}

const LOCATION = ['building', 'floor', 'shaft', 'room'];
const LOCATION_COLUMNS = {
  building: { name: L('楼栋', 'Building') },
  floor: { name: L('楼层', 'Floor') },
  shaft: { name: L('竖井', 'Shaft') },
  room: { name: L('房间', 'Room') },
};
/** The big red-if-any counters. */
const BIG = { large: true, noValue: '0', steps: RED_IF_ANY };
const REASON = { error_class: { name: L('原因', 'Reason') } };

/** At a glance: how many switches, cameras, PCs/printers are down, alerts firing, inspections overdue. */
function glanceRow(l: Layout, lang: Lang): void {
  l.row(lang, L('一眼总览', 'At a glance'));
  l.add(
    statPanel(lang, { ...BIG, title: L('离线交换机', 'Switches down'), queries: [{ q: countWhere('snmp_device', 'up', ['device'], cmp('v', '=', 0)) }] }),
    4,
    6,
  );
  l.add(statPanel(lang, { ...BIG, title: L('离线摄像机', 'Cameras down'), queries: [{ q: countWhere('camera', 'up', ['camera'], cmp('v', '=', 0)) }] }), 4, 6);
  l.add(
    statPanel(lang, {
      ...BIG,
      title: L('不可达终端', 'PCs/printers unreachable'),
      queries: [{ q: countWhere('ping', 'result_code', ['url'], cmp('v', '>', 0)) }],
    }),
    4,
    6,
  );
  l.add(
    statPanel(lang, {
      ...BIG,
      title: L('告警中', 'Alerts firing'),
      queries: [{ q: countWhere('alert_state', 'firing', ['rule', 'target'], cmp('v', '=', 1)) }],
    }),
    4,
    6,
  );
  l.add(
    statPanel(lang, {
      ...BIG,
      title: L('24小时在线率不达标摄像机', 'Cameras below 24 h requirement'),
      queries: [{ q: countWhere('camera_uptime', 'compliant_24h', ['camera'], cmp('v', '=', false)) }],
    }),
    4,
    6,
  );
  l.add(
    statPanel(lang, {
      ...BIG,
      title: L('逾期巡检', 'Inspections overdue'),
      queries: [{ q: countWhere('inspection', 'overdue', ['kind', 'scope'], cmp('v', '=', 1)) }],
    }),
    4,
    6,
  );
}

/** What is down now, where, with the probe's reason. */
function downNowPanels(l: Layout, lang: Lang): void {
  l.row(lang, L('哪里故障，从何时起', 'What is down, where, since when'));
  const lastPoll = { Time: { name: L('最后采集', 'Last poll'), unit: 'dateTimeFromNow' } };
  // error_class: the probe's reason (timeout, unreachable, auth_failed…), the latest one in range.
  const downNow = (m: string, key: string, field: string, cond: string) =>
    select(field, 'error_class')
      .from(
        select([agg('last', field), field], [agg('last', 'error_class'), 'error_class'])
          .from(m)
          .inRange()
          .byTags(key, ...LOCATION),
      )
      .where(cond)
      .byTags(key, ...LOCATION);
  l.add(
    tablePanel(lang, {
      title: L('离线交换机', 'Switches down'),
      large: true,
      queries: [{ q: downNow('snmp_device', 'device', 'up', cmp('up', '=', 0)) }],
      columns: { device: { name: L('设备', 'Device') }, ...LOCATION_COLUMNS, ...REASON, ...lastPoll, up: { hidden: true } },
    }),
    8,
    9,
  );
  l.add(
    tablePanel(lang, {
      title: L('离线摄像机', 'Cameras down'),
      large: true,
      queries: [{ q: downNow('camera', 'camera', 'up', cmp('up', '=', 0)) }],
      columns: { camera: { name: L('摄像机', 'Camera') }, ...LOCATION_COLUMNS, ...REASON, ...lastPoll, up: { hidden: true } },
    }),
    8,
    9,
  );
  l.add(
    tablePanel(lang, {
      title: L('不可达终端', 'PCs/printers unreachable'),
      large: true,
      queries: [{ q: downNow('ping', 'url', 'result_code', cmp('result_code', '>', 0)) }],
      columns: {
        url: { name: L('目标', 'Target') },
        ...LOCATION_COLUMNS,
        ...REASON,
        ...lastPoll,
        result_code: {
          name: L('结果', 'Result'),
          mappings: valueText(lang, { '1': [L('主机未知', 'host unknown'), 'orange'], '2': [L('无应答', 'no reply'), 'red'] }),
          colour: true,
        },
      },
    }),
    8,
    9,
  );
  // Since when: only the intervals in which something was down come back, so the first red
  // segment of a row is where its outage began; devices that were never down are not listed.
}

/** Since when: the outage timeline and the firing alerts with their age. */
function outageTimeline(l: Layout, lang: Lang): void {
  const downBuckets = (m: string, key: string, inner: readonly [string, string], expr: string, cond: string) =>
    select([expr, 'down']).from(select(inner).from(m).inRange().byTime().byTags(key)).where(cond).byTags(key);
  l.add(
    stateTimelinePanel(lang, {
      title: L('故障时间线：红色段起点即故障开始时间', 'Outage timeline: each red bar starts when the outage began'),
      queries: [
        { q: downBuckets('snmp_device', 'device', [agg('min', 'up'), 'up'], '"up"', cmp('up', '=', 0)), alias: '$tag_device' },
        { q: downBuckets('camera', 'camera', [agg('min', 'up'), 'up'], '"up"', cmp('up', '=', 0)), alias: '$tag_camera' },
        { q: downBuckets('ping', 'url', [agg('max', 'result_code'), 'rc'], '"rc" * 0', cmp('rc', '>', 0)), alias: '$tag_url' },
      ],
      mappings: valueText(lang, { '0': [L('离线', 'down'), 'red'] }),
    }),
    24,
    8,
  );
  l.add(
    tablePanel(lang, {
      title: L('活动告警（持续时间）', 'Active alerts (age)'),
      description: L('持续时间即告警从触发至今的时长', 'Age: how long the alert has been firing'),
      large: true,
      sortBy: { column: L('持续时间', 'Age'), desc: true },
      queries: [
        {
          q: select('state', 'age_s')
            .from(
              select([agg('last', 'state'), 'state'], [agg('last', 'age_s'), 'age_s'], [agg('last', 'firing'), 'firing'])
                .from('alert_state')
                .inRange()
                .byTags('rule', 'target', 'severity'),
            )
            .where(cmp('firing', '=', 1))
            .byTags('rule', 'target', 'severity'),
        },
      ],
      columns: {
        rule: { name: L('规则', 'Rule') },
        target: { name: L('对象', 'Target') },
        severity: {
          name: L('级别', 'Severity'),
          colour: true,
          mappings: valueText(lang, { critical: [L('严重', 'critical'), 'red'], warning: [L('警告', 'warning'), 'orange'], info: [L('提示', 'info'), 'blue'] }),
        },
        state: { name: L('状态', 'State') },
        age_s: { name: L('持续时间', 'Age'), unit: 's' },
        Time: { hidden: true },
      },
    }),
    24,
    8,
  );
}

/** Uplinks down, port errors, cameras failing the 24 h requirement. */
function networkCctvRow(l: Layout, lang: Lang): void {
  l.row(lang, L('网络与摄像机', 'Network and CCTV'));
  const port = ['device', 'ifName', 'building', 'floor', 'shaft'];
  l.add(
    tablePanel(lang, {
      title: L('上联中断或端口错误', 'Uplinks down or port errors'),
      description: L(
        '上联 = 端口描述含 uplink/上联/trunk；错误 = 每秒错误包 > 0',
        'Uplink = port alias contains uplink/上联/trunk; errors = error packets per second > 0',
      ),
      large: true,
      queries: [
        {
          q: select('oper_status', 'in_errors_per_s', 'out_errors_per_s', 'ifAlias')
            .from(
              select(
                [agg('last', 'admin_status'), 'admin_status'],
                [agg('last', 'oper_status'), 'oper_status'],
                [agg('last', 'in_errors_per_s'), 'in_errors_per_s'],
                [agg('last', 'out_errors_per_s'), 'out_errors_per_s'],
                [agg('last', 'ifAlias'), 'ifAlias'],
              )
                .from('interface')
                .inRange()
                .byTags(...port),
            )
            .where(
              or(
                and(cmp('admin_status', '=', 1), cmp('oper_status', '!=', 1), matches('ifAlias', '(?i)uplink|上联|trunk')),
                cmp('in_errors_per_s', '>', 0),
                cmp('out_errors_per_s', '>', 0),
              ),
            )
            .byTags(...port),
        },
      ],
      columns: {
        device: { name: L('交换机', 'Switch') },
        ifName: { name: L('端口', 'Port') },
        ...LOCATION_COLUMNS,
        oper_status: { name: L('状态', 'Status'), colour: true, mappings: operStatus(lang) },
        in_errors_per_s: { name: L('入错误/秒', 'In errors/s') },
        out_errors_per_s: { name: L('出错误/秒', 'Out errors/s') },
        ifAlias: { name: L('描述', 'Alias') },
        Time: { hidden: true },
      },
    }),
    12,
    9,
  );
  l.add(
    tablePanel(lang, {
      title: L('24小时在线率不达标摄像机', 'Cameras failing the 24 h requirement'),
      large: true,
      sortBy: { column: L('24小时在线率', 'Uptime 24 h') },
      queries: [
        {
          q: select('uptime_24h_pct', 'unknown_24h_pct')
            .from(
              select(
                [agg('last', 'uptime_24h_pct'), 'uptime_24h_pct'],
                [agg('last', 'unknown_24h_pct'), 'unknown_24h_pct'],
                [agg('last', 'compliant_24h'), 'compliant'],
              )
                .from('camera_uptime')
                .inRange()
                .byTags('camera', 'building', 'floor', 'room'),
            )
            .where(cmp('compliant', '=', false))
            .byTags('camera', 'building', 'floor', 'room'),
        },
      ],
      columns: {
        camera: { name: L('摄像机', 'Camera') },
        ...LOCATION_COLUMNS,
        uptime_24h_pct: { name: L('24小时在线率', 'Uptime 24 h'), unit: 'percent', colour: true, steps: ['red', [99, 'green']] },
        unknown_24h_pct: { name: L('无数据占比', 'Unknown'), unit: 'percent' },
        Time: { hidden: true },
      },
    }),
    12,
    9,
  );
}

/** Sites down, certificates expiring, each site and the certificates that end within 60 days. */
function websitesRow(l: Layout, lang: Lang): void {
  l.row(lang, L('网站与证书', 'Websites and certificates'));
  l.add(
    statPanel(lang, { ...BIG, title: L('无法访问网站', 'Sites down'), queries: [{ q: countWhere('http_response', 'up', ['server'], cmp('v', '=', 0)) }] }),
    4,
    8,
  );
  l.add(
    statPanel(lang, {
      ...BIG,
      title: L('30天内到期证书', 'Certificates expiring in 30 days'),
      queries: [{ q: countWhere('x509_cert', 'chain_expiry', ['source'], cmp('v', '<', 30 * 86400)) }],
    }),
    4,
    8,
  );
  // Every site, worst first: a site that stopped answering keeps its last error.
  l.add(
    tablePanel(lang, {
      title: L('网站', 'Sites'),
      large: true,
      sortBy: { column: L('在线', 'Up') },
      queries: [
        {
          q: select([agg('last', 'up'), 'up'], [agg('last', 'response_time'), 'response_time'], [agg('last', 'error_class'), 'error_class'])
            .from('http_response')
            .inRange()
            .byTags('server', 'target_name'),
        },
      ],
      columns: {
        server: { name: L('网址', 'URL') },
        target_name: { name: L('名称', 'Name') },
        up: { name: L('在线', 'Up'), colour: true, mappings: valueText(lang, { '1': [L('正常', 'up'), 'green'], '0': [L('故障', 'down'), 'red'] }) },
        response_time: { name: L('响应时间', 'Response time'), unit: 's', colour: true, steps: ['green', [2, 'orange'], [5, 'red']] },
        ...REASON,
        Time: { hidden: true },
      },
    }),
    8,
    8,
  );
  l.add(
    tablePanel(lang, {
      title: L('60天内到期的证书（含中间证书）', 'Certificates expiring within 60 days (intermediates included)'),
      large: true,
      sortBy: { column: L('剩余天数', 'Days left') },
      queries: [
        {
          q: select(['"chain_expiry" / 86400', 'days'], 'chain_expiry_common_name')
            .from(
              select([agg('last', 'chain_expiry'), 'chain_expiry'], [agg('last', 'chain_expiry_common_name'), 'chain_expiry_common_name'])
                .from('x509_cert')
                .inRange()
                .byTags('source', 'common_name'),
            )
            .where(cmp('chain_expiry', '<', 60 * 86400))
            .byTags('source', 'common_name'),
        },
      ],
      columns: {
        source: { name: L('地址', 'Address') },
        common_name: { name: L('证书', 'Certificate') },
        chain_expiry_common_name: { name: L('最早到期', 'Expires first') },
        days: { name: L('剩余天数', 'Days left'), unit: 'none', colour: true, steps: ['red', [7, 'orange'], [30, 'green']] },
        Time: { hidden: true },
      },
    }),
    8,
    8,
  );
}

/** Inspections due or overdue, and the collector's own health. */
function inspectionsRow(l: Layout, lang: Lang): void {
  l.row(lang, L('巡检与采集器', 'Inspections and collector'));
  l.add(
    tablePanel(lang, {
      title: L('巡检到期与逾期', 'Inspections due and overdue'),
      large: true,
      sortBy: { column: L('剩余天数', 'Due in (days)') },
      queries: [
        {
          q: select('due_in_days', 'overdue', 'items_failed')
            .from(
              select([agg('last', 'due_in_days'), 'due_in_days'], [agg('last', 'overdue'), 'overdue'], [agg('last', 'items_failed'), 'items_failed'])
                .from('inspection')
                .inRange()
                .byTags('kind', 'scope'),
            )
            .where(or(cmp('due_in_days', '<=', 7), cmp('overdue', '=', 1)))
            .byTags('kind', 'scope'),
        },
      ],
      columns: {
        kind: { name: L('类型', 'Kind'), mappings: inspectionKinds(lang) },
        scope: { name: L('范围', 'Scope') },
        due_in_days: { name: L('剩余天数', 'Due in (days)'), colour: true, steps: ['red', [0, 'orange'], [3, 'green']] },
        overdue: {
          name: L('逾期', 'Overdue'),
          colour: true,
          mappings: valueText(lang, { '1': [L('逾期', 'overdue'), 'red'], '0': [L('未逾期', 'on time'), 'green'] }),
        },
        items_failed: { name: L('不合格项', 'Items failed') },
        Time: { hidden: true },
      },
    }),
    12,
    8,
  );
  const self = (f: string) =>
    select([agg('last', f), f])
      .from('watchpost_collector')
      .inRange();
  l.add(
    statPanel(lang, {
      large: true,
      title: L('数据库写入', 'InfluxDB writes'),
      queries: [{ q: self('influx_up') }],
      mappings: valueText(lang, { '1': [L('正常', 'OK'), 'green'], '0': [L('故障', 'FAILING'), 'red'] }),
      noValue: tr(lang, L('无数据', 'no data')),
      steps: ['red', [1, 'green']],
    }),
    3,
    8,
  );
  l.add(
    statPanel(lang, { large: true, title: L('在线探针', 'Agents connected'), queries: [{ q: self('agents_connected') }], steps: ['red', [1, 'green']] }),
    3,
    8,
  );
  l.add(
    statPanel(lang, {
      large: true,
      title: L('缓冲积压', 'Spool backlog'),
      queries: [{ q: self('spool_points') }],
      unit: 'short',
      steps: ['green', [10_000, 'orange'], [1_000_000, 'red']],
    }),
    3,
    8,
  );
  l.add(
    statPanel(lang, { large: true, graph: true, title: L('写入速率', 'Ingest rate'), queries: [{ q: self('points_per_s') }], unit: 'pps', steps: ['blue'] }),
    3,
    8,
  );
}

/**
 * The wall screen: what is down, where (building/floor/shaft) and since when, readable across
 * the duty room. Kiosk URL and playlist: docs/dashboards.md.
 */
export const wall: DashboardDef = {
  name: 'wall',
  build(lang: Lang) {
    const l = new Layout();
    glanceRow(l, lang);
    downNowPanels(l, lang);
    outageTimeline(l, lang);
    networkCctvRow(l, lang);
    websitesRow(l, lang);
    inspectionsRow(l, lang);
    return build(
      lang,
      {
        name: 'wall',
        title: L('值班大屏', 'Wall screen'),
        description: L(
          '值班室大屏：哪里故障、在哪、从何时起。以 kiosk 模式打开。',
          'Duty-room wall screen: what is down, where, since when. Open in kiosk mode.',
        ),
        refresh: '30s',
        from: 'now-24h',
        tags: ['wall'],
      },
      l,
    );
  },
};

/** IF-MIB ifOperStatus values. */
export function operStatus(lang: Lang) {
  return valueText(lang, {
    '1': [L('正常', 'up'), 'green'],
    '2': [L('中断', 'down'), 'red'],
    '3': [L('测试', 'testing'), 'blue'],
    '5': [L('休眠', 'dormant'), 'yellow'],
    '6': [L('不存在', 'not present'), 'purple'],
    '7': [L('下层中断', 'lower layer down'), 'red'],
  });
}

export function inspectionKinds(lang: Lang) {
  return valueText(lang, {
    network: [L('网络', 'network'), 'transparent'],
    cctv: [L('监控', 'CCTV'), 'transparent'],
    pc: [L('终端', 'PCs'), 'transparent'],
    server: [L('服务器', 'servers'), 'transparent'],
  });
}
