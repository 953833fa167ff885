import { build, locationFilter, locationVariables, tagVariable, type DashboardDef } from './lib/dashboard.ts';
import { L, type Lang } from './lib/i18n.ts';
import { agg, cmp, ident, select, tagVar } from './lib/influxql.ts';
import { barGaugePanel, Layout, statPanel, tablePanel, timeseriesPanel, valueText } from './lib/panels.ts';

const LAST = (f: string, alias = f) => [agg('last', f), alias] as const;

/** Counts across the top: missing patches, antivirus not protecting, unreachable. */
function summaryRow(l: Layout, lang: Lang, loc: string[], where: string[]): void {
  const count = (m: string, f: string, cond: string) => select(agg('count', 'v')).from(select([agg('last', f), 'v']).from(m).where(...where).inRange().byTags('host')).where(cond);
  l.add(statPanel(lang, { title: L('缺安全补丁的电脑', 'PCs missing security patches'), queries: [{ q: count('patches', 'security_pending', cmp('v', '>', 0)) }], noValue: '0', steps: ['green', [1, 'orange']] }), 6, 5);
  l.add(statPanel(lang, { title: L('超过30天未更新', 'Not patched for 30 days'), queries: [{ q: count('patches', 'days_since_patch', cmp('v', '>', 30)) }], noValue: '0', steps: ['green', [1, 'red']] }), 6, 5);
  l.add(statPanel(lang, { title: L('杀毒未防护', 'Antivirus not protecting'), queries: [{ q: count('antivirus_status', 'protected', cmp('v', '=', false)) }], noValue: '0', steps: ['green', [1, 'red']] }), 6, 5);
  l.add(
    statPanel(lang, {
      title: L('不可达终端', 'Unreachable'),
      queries: [{ q: select(agg('count', 'v')).from(select([agg('last', 'result_code'), 'v']).from('ping').where(...loc).inRange().byTags('url')).where(cmp('v', '>', 0)) }],
      noValue: '0',
      steps: ['green', [1, 'red']],
    }),
    6,
    5,
  );
}

/** Patches and antivirus per PC. */
function patchesRow(l: Layout, lang: Lang, where: string[]): void {
  const yes = (ok: string) => valueText(lang, { true: [L('是', 'yes'), ok], false: [L('否', 'no'), ok === 'green' ? 'red' : 'transparent'] });
  l.row(lang, L('补丁与杀毒', 'Patches and antivirus'));
  l.add(
    tablePanel(lang, {
      title: L('补丁合规', 'Patch compliance'),
      sortBy: { column: L('距上次更新（天）', 'Days since patch'), desc: true },
      queries: [{ q: select(LAST('pending'), LAST('security_pending'), LAST('days_since_patch'), LAST('reboot_required')).from('patches').where(...where).inRange().byTags('host', 'os_family', 'building', 'floor', 'room') }],
      columns: {
        host: { name: L('计算机', 'Computer') },
        os_family: { name: L('系统', 'OS') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('房间', 'Room') },
        pending: { name: L('待装补丁', 'Pending') },
        security_pending: { name: L('安全补丁', 'Security'), colour: true, steps: ['transparent', [1, 'orange']] },
        days_since_patch: { name: L('距上次更新（天）', 'Days since patch'), colour: true, steps: ['transparent', [30, 'orange'], [60, 'red']] },
        reboot_required: { name: L('需重启', 'Reboot needed'), mappings: yes('orange') },
        Time: { name: L('最后上报', 'Last report'), unit: 'dateTimeFromNow' },
      },
    }),
    14,
    10,
  );
  l.add(
    tablePanel(lang, {
      title: L('杀毒软件', 'Antivirus'),
      queries: [{ q: select(LAST('enabled'), LAST('up_to_date'), LAST('realtime'), LAST('signature_age_days')).from('antivirus').where(...where).inRange().byTags('host', 'product') }],
      columns: {
        host: { name: L('计算机', 'Computer') },
        product: { name: L('产品', 'Product') },
        enabled: { name: L('启用', 'Enabled'), colour: true, mappings: yes('green') },
        up_to_date: { name: L('病毒库最新', 'Up to date'), colour: true, mappings: yes('green') },
        realtime: { name: L('实时防护', 'Real-time'), colour: true, mappings: yes('green') },
        signature_age_days: { name: L('病毒库天数', 'Signature age (days)'), steps: ['transparent', [7, 'orange'], [30, 'red']], colour: true },
        Time: { hidden: true },
      },
    }),
    10,
    10,
  );
}

/** Ping reachability of PCs and printers. */
function reachabilityRow(l: Layout, lang: Lang, loc: string[]): void {
  l.row(lang, L('可达性', 'Reachability'));
  l.add(
    tablePanel(lang, {
      title: L('Ping 状态', 'Ping status'),
      sortBy: { column: L('结果', 'Result'), desc: true },
      queries: [{ q: select(LAST('result_code'), LAST('percent_packet_loss'), LAST('average_response_ms')).from('ping').where(...loc).inRange().byTags('url', 'device_kind', 'building', 'floor', 'room') }],
      columns: {
        url: { name: L('目标', 'Target') },
        device_kind: { name: L('类型', 'Kind') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('房间', 'Room') },
        result_code: {
          name: L('结果', 'Result'),
          colour: true,
          mappings: valueText(lang, { '0': [L('正常', 'ok'), 'green'], '1': [L('主机未知', 'host unknown'), 'orange'], '2': [L('无应答', 'no reply'), 'red'] }),
        },
        percent_packet_loss: { name: L('丢包率', 'Loss'), unit: 'percent' },
        average_response_ms: { name: L('平均延迟', 'Avg RTT'), unit: 'ms' },
        Time: { name: L('最后采集', 'Last poll'), unit: 'dateTimeFromNow' },
      },
    }),
    12,
    10,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('Ping 延迟', 'Ping round trip'),
      queries: [{ q: select(agg('mean', 'average_response_ms')).from('ping').where(...loc).inRange().byTime().byTags('url'), alias: '$tag_url' }],
      unit: 'ms',
    }),
    12,
    10,
  );
}

/** Printers: status, supplies, waste boxes, pages per day. */
function printersRow(l: Layout, lang: Lang, loc: string[]): void {
  l.row(lang, L('打印机', 'Printers'));
  const flag = (c: string) => ({ colour: true, mappings: valueText(lang, { '0': [L('否', 'no'), 'transparent'], '1': [L('是', 'yes'), c] }) });
  l.add(
    tablePanel(lang, {
      title: L('打印机状态', 'Printer status'),
      sortBy: { column: L('耗材不足', 'Supplies low'), desc: true },
      queries: [{ q: select(LAST('up'), LAST('model'), LAST('device_status'), LAST('jammed'), LAST('door_open'), LAST('offline'), LAST('supplies_low'), LAST('supplies_empty'), LAST('pages_total')).from('printer').where(...loc).inRange().byTags('device', 'building', 'floor', 'room') }],
      columns: {
        device: { name: L('打印机', 'Printer') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('房间', 'Room') },
        up: { name: L('在线', 'Up'), colour: true, mappings: valueText(lang, { '1': [L('是', 'yes'), 'green'], '0': [L('否', 'no'), 'red'] }) },
        model: { name: L('型号', 'Model') },
        device_status: { name: L('设备状态', 'Device status') },
        jammed: { name: L('卡纸', 'Jammed'), ...flag('red') },
        door_open: { name: L('机盖打开', 'Door open'), ...flag('orange') },
        offline: { name: L('脱机', 'Offline'), ...flag('red') },
        supplies_low: { name: L('耗材不足', 'Supplies low') },
        supplies_empty: { name: L('耗材用完', 'Supplies empty') },
        pages_total: { name: L('总页数', 'Pages total') },
        Time: { name: L('最后采集', 'Last poll'), unit: 'dateTimeFromNow' },
      },
    }),
    24,
    8,
  );
  l.add(
    barGaugePanel(lang, {
      title: L('耗材余量', 'Supplies left'),
      // Waste boxes report remaining space; they have their own gauge of how full they are.
      queries: [{ q: select(agg('last', 'percent')).from('printer_supply').where(...loc, `${ident('type')} !~ /^waste/`).inRange().byTags('device', 'index', 'colour', 'type'), alias: '$tag_device $tag_colour $tag_type' }],
      unit: 'percent',
      min: 0,
      max: 100,
      steps: ['red', [11, 'orange'], [25, 'green']],
    }),
    10,
    9,
  );
  l.add(
    barGaugePanel(lang, {
      title: L('废粉盒（已满程度）', 'Waste boxes (how full)'),
      queries: [{ q: select(agg('last', 'fill_pct')).from('printer_supply').where(...loc).inRange().byTags('device', 'index'), alias: '$tag_device' }],
      unit: 'percent',
      min: 0,
      max: 100,
      steps: ['green', [90, 'orange'], [100, 'red']],
    }),
    6,
    9,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('每日打印页数', 'Pages per day'),
      // pages_printed is the count since the previous poll (reset-safe on the agent): a day's pages are their sum.
      queries: [{ q: select(agg('sum', 'pages_printed')).from('printer').where(...loc).inRange().byTime('1d', 0).byTags('device'), alias: '$tag_device' }],
      bars: true,
    }),
    8,
    9,
  );
}

/** Hardware inventory and disk/CPU/memory. */
function inventoryRow(l: Layout, lang: Lang, where: string[]): void {
  l.row(lang, L('资产与资源', 'Inventory and resources'));
  l.add(
    tablePanel(lang, {
      title: L('硬件与系统', 'Hardware and OS'),
      queries: [
        {
          q: select(LAST('os_name'), LAST('os_version'), LAST('manufacturer'), LAST('model'), LAST('serial'), LAST('cpu_cores'), LAST('mem_total'), LAST('disks_smart_failed'))
            .from('host_inventory')
            .where(...where)
            .inRange()
            .byTags('host'),
        },
      ],
      columns: {
        host: { name: L('计算机', 'Computer') },
        os_name: { name: L('系统', 'OS') },
        os_version: { name: L('版本', 'Version') },
        manufacturer: { name: L('厂商', 'Make') },
        model: { name: L('型号', 'Model') },
        serial: { name: L('序列号', 'Serial') },
        cpu_cores: { name: L('CPU 核数', 'CPU cores') },
        mem_total: { name: L('内存', 'Memory'), unit: 'bytes' },
        disks_smart_failed: { name: L('SMART 故障盘', 'SMART failed disks'), colour: true, steps: ['transparent', [1, 'red']] },
        Time: { hidden: true },
      },
    }),
    14,
    9,
  );
  l.add(
    barGaugePanel(lang, {
      title: L('磁盘使用率', 'Disk used'),
      queries: [{ q: select(agg('last', 'used_percent')).from('disk').where(...where).inRange().byTags('host', 'path'), alias: '$tag_host $tag_path' }],
      unit: 'percent',
      min: 0,
      max: 100,
      steps: ['green', [90, 'orange'], [95, 'red']],
    }),
    10,
    9,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('CPU 使用率', 'CPU used'),
      queries: [{ q: select(`100 - ${agg('mean', 'usage_idle')}`).from('cpu').where(cmp('cpu', '=', 'cpu-total'), ...where).inRange().byTime().byTags('host'), alias: '$tag_host' }],
      unit: 'percent',
      min: 0,
      max: 100,
    }),
    12,
    8,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('内存使用率', 'Memory used'),
      queries: [{ q: select(agg('mean', 'used_percent')).from('mem').where(...where).inRange().byTime().byTags('host'), alias: '$tag_host' }],
      unit: 'percent',
      min: 0,
      max: 100,
    }),
    12,
    8,
  );
}

/** Office PCs and printers: patch and antivirus compliance, reachability, inventory. */
export const office: DashboardDef = {
  name: 'office',
  build(lang: Lang) {
    const loc = locationFilter(false);
    const where = [...loc, tagVar('host', 'host')];
    const l = new Layout();
    summaryRow(l, lang, loc, where);
    patchesRow(l, lang, where);
    reachabilityRow(l, lang, loc);
    printersRow(l, lang, loc);
    inventoryRow(l, lang, where);
    return build(
      lang,
      {
        name: 'office',
        title: L('办公终端', 'Office machines'),
        description: L('办公电脑与打印机：补丁、杀毒合规与可达性', 'Office PCs and printers: patch and antivirus compliance, reachability'),
        refresh: '5m',
        from: 'now-24h',
        tags: ['office'],
        variables: [...locationVariables(lang, 'patches', false), tagVariable(lang, 'host', L('计算机', 'Computer'), 'patches', 'host', [['building', 'building'], ['floor', 'floor']])],
      },
      l,
    );
  },
};
