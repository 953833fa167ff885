import { build, locationFilter, locationVariables, tagVariable, type DashboardDef } from './lib/dashboard.ts';
import { L, type Lang } from './lib/i18n.ts';
import { agg, cmp, select, tagVar } from './lib/influxql.ts';
import { barGaugePanel, Layout, stateTimelinePanel, tablePanel, timeseriesPanel, valueText } from './lib/panels.ts';
import { operStatus } from './wall.ts';

const LAST = (f: string, alias = f) => [agg('last', f), alias] as const;

/** Per switch: status, 24 h uptime, temperature and sensors. */
function switchesRow(l: Layout, lang: Lang, where: string[]): void {
  l.row(lang, L('交换机', 'Switches'));
  l.add(
    tablePanel(lang, {
      title: L('交换机状态', 'Switch status'),
      queries: [
        {
          q: select(LAST('up'), LAST('error_class'), LAST('uptime_s'), LAST('reboot'), LAST('poll_ms'), LAST('sys_name'))
            .from('snmp_device')
            .where(...where)
            .inRange()
            // Not by vendor: a switch that stops answering is written with vendor=unknown, and
            // grouping by it would keep a stale "up" row next to the "down" one.
            .byTags('device', 'building', 'floor', 'shaft', 'room'),
        },
      ],
      sortBy: { column: L('在线', 'Up') },
      columns: {
        device: { name: L('交换机', 'Switch') },
        error_class: { name: L('原因', 'Reason') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        shaft: { name: L('竖井', 'Shaft') },
        room: { name: L('房间', 'Room') },
        up: { name: L('在线', 'Up'), colour: true, mappings: valueText(lang, { '1': [L('在线', 'up'), 'green'], '0': [L('离线', 'down'), 'red'] }) },
        uptime_s: { name: L('运行时长', 'Uptime'), unit: 's' },
        reboot: { name: L('重启', 'Rebooted'), mappings: valueText(lang, { '1': [L('刚重启', 'just rebooted'), 'orange'], '0': [L('否', 'no'), 'transparent'] }) },
        poll_ms: { name: L('轮询耗时', 'Poll time'), unit: 'ms' },
        sys_name: { name: L('系统名', 'sysName') },
        Time: { name: L('最后采集', 'Last poll'), unit: 'dateTimeFromNow' },
      },
    }),
    24,
    8,
  );
  l.add(
    barGaugePanel(lang, {
      title: L('24小时在线率', 'Uptime 24 h'),
      queries: [{ q: select(agg('last', 'uptime_24h_pct')).from('device_uptime').where(...where).inRange().byTags('device'), alias: '$tag_device' }],
      unit: 'percent',
      min: 90,
      max: 100,
      steps: ['red', [99, 'orange'], [99.9, 'green']],
    }),
    8,
    9,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('温度', 'Temperature'),
      queries: [{ q: select(agg('mean', 'value')).from('sensor').where(cmp('kind', '=', 'temperature'), ...where).inRange().byTime().byTags('device', 'entity'), alias: '$tag_device $tag_entity' }],
      unit: 'celsius',
      steps: ['green', [60, 'orange'], [75, 'red']],
    }),
    8,
    9,
  );
  l.add(
    tablePanel(lang, {
      title: L('传感器（风扇、电源、温度）', 'Sensors (fans, PSUs, temperature)'),
      queries: [{ q: select(LAST('status'), LAST('value'), LAST('unit')).from('sensor').where(...where).inRange().byTags('device', 'kind', 'entity') }],
      sortBy: { column: L('状态', 'Status') },
      columns: {
        device: { name: L('交换机', 'Switch') },
        kind: { name: L('类型', 'Kind') },
        entity: { name: L('部件', 'Entity') },
        status: {
          name: L('状态', 'Status'),
          colour: true,
          mappings: valueText(lang, {
            ok: [L('正常', 'ok'), 'green'],
            warning: [L('警告', 'warning'), 'orange'],
            critical: [L('严重', 'critical'), 'red'],
            failed: [L('故障', 'failed'), 'red'],
            absent: [L('缺失', 'absent'), 'text'],
            unknown: [L('未知', 'unknown'), 'text'],
          }),
        },
        value: { name: L('数值', 'Value') },
        unit: { name: L('单位', 'Unit') },
        Time: { hidden: true },
      },
    }),
    8,
    9,
  );
}

/** Per port: the status timeline and the details table. */
function portPanels(l: Layout, lang: Lang, where: string[]): void {
  l.row(lang, L('端口', 'Ports'));
  l.add(
    stateTimelinePanel(lang, {
      title: L('端口状态', 'Port status'),
      queries: [{ q: select(agg('last', 'oper_status')).from('interface').where(...where).inRange().byTime('$__interval', 'previous').byTags('device', 'ifName'), alias: '$tag_device $tag_ifName' }],
      mappings: operStatus(lang),
    }),
    24,
    10,
  );
  l.add(
    tablePanel(lang, {
      title: L('端口明细', 'Port details'),
      queries: [
        {
          q: select(LAST('admin_status'), LAST('oper_status'), LAST('speed_mbps'), LAST('in_util_pct'), LAST('out_util_pct'), LAST('in_errors_per_s'), LAST('out_errors_per_s'), LAST('flaps'), LAST('ifAlias'))
            .from('interface')
            .where(...where)
            .inRange()
            .byTags('device', 'ifName'),
        },
      ],
      columns: {
        device: { name: L('交换机', 'Switch') },
        ifName: { name: L('端口', 'Port') },
        admin_status: { name: L('管理状态', 'Admin'), mappings: valueText(lang, { '1': [L('启用', 'up'), 'transparent'], '2': [L('关闭', 'down'), 'text'] }) },
        oper_status: { name: L('运行状态', 'Status'), colour: true, mappings: operStatus(lang) },
        speed_mbps: { name: L('速率', 'Speed'), unit: 'Mbits' },
        in_util_pct: { name: L('入利用率', 'In util'), unit: 'percent', colour: true, steps: ['transparent', [70, 'orange'], [90, 'red']] },
        out_util_pct: { name: L('出利用率', 'Out util'), unit: 'percent', colour: true, steps: ['transparent', [70, 'orange'], [90, 'red']] },
        in_errors_per_s: { name: L('入错误/秒', 'In errors/s'), colour: true, steps: ['transparent', [0.01, 'red']] },
        out_errors_per_s: { name: L('出错误/秒', 'Out errors/s'), colour: true, steps: ['transparent', [0.01, 'red']] },
        flaps: { name: L('抖动', 'Flaps') },
        ifAlias: { name: L('描述', 'Alias') },
        Time: { hidden: true },
      },
    }),
    24,
    10,
  );
}

/** Per port: traffic and errors over time. */
function trafficPanels(l: Layout, lang: Lang, where: string[]): void {
  l.add(
    timeseriesPanel(lang, {
      title: L('流量', 'Traffic'),
      queries: [{ q: select([agg('mean', 'in_bps'), 'in'], [agg('mean', 'out_bps'), 'out']).from('interface').where(...where).inRange().byTime().byTags('device', 'ifName'), alias: '$tag_device $tag_ifName $col' }],
      unit: 'bps',
    }),
    12,
    9,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('错误包', 'Errors'),
      queries: [
        {
          q: select([agg('max', 'in_errors_per_s'), 'in'], [agg('max', 'out_errors_per_s'), 'out'], [agg('max', 'in_discards'), 'in_discards_total'])
            .from('interface')
            .where(...where)
            .inRange()
            .byTime()
            .byTags('device', 'ifName'),
          alias: '$tag_device $tag_ifName $col',
        },
      ],
      unit: 'short',
      bars: true,
    }),
    12,
    9,
  );
}

/** LLDP neighbours and SSH checks. */
function neighbourPanels(l: Layout, lang: Lang, where: string[]): void {
  l.add(
    tablePanel(lang, {
      title: L('LLDP 邻居', 'LLDP neighbours'),
      queries: [{ q: select(LAST('remote_sys_name'), LAST('remote_port'), LAST('remote_chassis_id')).from('lldp_neighbor').where(...where).inRange().byTags('device', 'local_port') }],
      columns: {
        device: { name: L('交换机', 'Switch') },
        local_port: { name: L('本端端口', 'Local port') },
        remote_sys_name: { name: L('对端设备', 'Neighbour') },
        remote_port: { name: L('对端端口', 'Neighbour port') },
        remote_chassis_id: { name: L('机箱 ID', 'Chassis ID') },
        Time: { hidden: true },
      },
    }),
    12,
    8,
  );
  l.add(
    tablePanel(lang, {
      title: L('SSH 检查', 'SSH checks'),
      queries: [{ q: select(LAST('ok'), LAST('exit_code'), LAST('value'), LAST('duration_ms')).from('ssh_check').where(...where).inRange().byTags('device', 'check') }],
      columns: {
        device: { name: L('设备', 'Device') },
        check: { name: L('检查项', 'Check') },
        ok: { name: L('结果', 'Result'), colour: true, mappings: valueText(lang, { true: [L('通过', 'ok'), 'green'], false: [L('失败', 'failed'), 'red'] }) },
        exit_code: { name: L('退出码', 'Exit code') },
        value: { name: L('数值', 'Value') },
        duration_ms: { name: L('耗时', 'Duration'), unit: 'ms' },
        Time: { hidden: true },
      },
    }),
    12,
    8,
  );
}

/** Traps, reboots and config changes. */
function eventsRow(l: Layout, lang: Lang): void {
  l.row(lang, L('事件（Trap、重启、配置变更）', 'Events (traps, reboots, config changes)'));
  l.add(
    tablePanel(lang, {
      title: L('最近事件', 'Recent events'),
      queries: [{ q: select('kind', 'severity', 'target', 'message').from('event').where(tagVar('target', 'switch')).inRange().newestFirst().limit(100) }],
      columns: {
        Time: { name: L('时间', 'Time') },
        kind: { name: L('类型', 'Kind') },
        severity: { name: L('级别', 'Severity') },
        target: { name: L('对象', 'Target') },
        message: { name: L('内容', 'Message') },
      },
    }),
    24,
    8,
  );
}

/** Switches and their ports: status, traffic, errors, temperature, by building/floor/shaft/switch. */
export const network: DashboardDef = {
  name: 'network',
  build(lang: Lang) {
    const where = [...locationFilter(true), tagVar('device', 'switch')];
    const l = new Layout();
    switchesRow(l, lang, where);
    portPanels(l, lang, where);
    trafficPanels(l, lang, where);
    neighbourPanels(l, lang, where);
    eventsRow(l, lang);
    return build(
      lang,
      {
        name: 'network',
        title: L('网络', 'Network'),
        description: L('交换机与端口：状态、流量、错误、温度', 'Switches and ports: status, traffic, errors, temperature'),
        refresh: '1m',
        from: 'now-6h',
        tags: ['network'],
        variables: [
          ...locationVariables(lang, 'snmp_device', true),
          tagVariable(lang, 'switch', L('交换机', 'Switch'), 'snmp_device', 'device', [
            ['building', 'building'],
            ['floor', 'floor'],
            ['shaft', 'shaft'],
          ]),
        ],
      },
      l,
    );
  },
};
