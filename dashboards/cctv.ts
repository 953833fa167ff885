import { build, locationFilter, locationVariables, tagVariable, type DashboardDef } from './lib/dashboard.ts';
import { L, type Lang } from './lib/i18n.ts';
import { agg, cmp, select, tagVar } from './lib/influxql.ts';
import { Layout, statPanel, statusHistoryPanel, tablePanel, timeseriesPanel, valueText } from './lib/panels.ts';

const LAST = (f: string, alias = f) => [agg('last', f), alias] as const;

/** Counts across the top: cameras up and down, failing the 24 h requirement, bad snapshots. */
function summaryRow(l: Layout, lang: Lang, where: string[]): void {
  const perCamera = (f: string) => select([agg('last', f), 'v']).from('camera').where(...where).inRange().byTags('camera');
  l.add(statPanel(lang, { title: L('在线摄像机', 'Cameras up'), queries: [{ q: select(agg('sum', 'v')).from(perCamera('up')) }], steps: ['green'] }), 6, 5);
  l.add(statPanel(lang, { title: L('离线摄像机', 'Cameras down'), queries: [{ q: select(agg('count', 'v')).from(perCamera('up')).where(cmp('v', '=', 0)) }], noValue: '0', steps: ['green', [1, 'red']] }), 6, 5);
  l.add(
    statPanel(lang, {
      title: L('24小时不达标', 'Failing 24 h requirement'),
      queries: [{ q: select(agg('count', 'v')).from(select([agg('last', 'compliant_24h'), 'v']).from('camera_uptime').where(...where).inRange().byTags('camera')).where(cmp('v', '=', false)) }],
      noValue: '0',
      steps: ['green', [1, 'red']],
    }),
    6,
    5,
  );
  l.add(
    statPanel(lang, {
      title: L('画面异常', 'Bad snapshots'),
      queries: [{ q: select(agg('count', 'v')).from(perCamera('snapshot_ok')).where(cmp('v', '=', false)) }],
      noValue: '0',
      steps: ['green', [1, 'orange']],
    }),
    6,
    5,
  );
}

/** The hourly uptime heat map, 24 h/month compliance per camera and clock drift. */
function uptimePanels(l: Layout, lang: Lang, where: string[]): void {
  l.add(
    statusHistoryPanel(lang, {
      title: L('在线热图（每小时在线率）', 'Uptime heat map (hourly uptime)'),
      description: L('每格为该小时内在线采样的比例', 'Each cell: share of that hour the camera answered'),
      queries: [{ q: select(`${agg('mean', 'up')} * 100`).from('camera').where(...where).inRange().byTime().byTags('camera'), alias: '$tag_camera' }],
      unit: 'percent',
      min: 0,
      max: 100,
      steps: ['red', [90, 'orange'], [99, 'green']],
    }).interval('1h'),
    24,
    12,
  );
  l.add(
    tablePanel(lang, {
      title: L('在线率合规', 'Uptime compliance'),
      sortBy: { column: L('24小时在线率', 'Uptime 24 h') },
      queries: [{ q: select(LAST('uptime_24h_pct'), LAST('uptime_month_pct'), LAST('unknown_24h_pct'), LAST('compliant_24h')).from('camera_uptime').where(...where).inRange().byTags('camera', 'building', 'floor', 'room') }],
      columns: {
        camera: { name: L('摄像机', 'Camera') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('位置', 'Location') },
        uptime_24h_pct: { name: L('24小时在线率', 'Uptime 24 h'), unit: 'percent' },
        uptime_month_pct: { name: L('本月在线率', 'Uptime this month'), unit: 'percent' },
        unknown_24h_pct: { name: L('无数据占比', 'Unknown'), unit: 'percent' },
        compliant_24h: { name: L('达标', 'Compliant'), colour: true, mappings: valueText(lang, { true: [L('达标', 'yes'), 'green'], false: [L('不达标', 'no'), 'red'] }) },
        Time: { hidden: true },
      },
    }),
    12,
    10,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('时钟偏差', 'Clock drift'),
      description: L('摄像机时间减去采集时间；录像取证需要准确时间', 'Camera clock minus probe clock; evidence needs correct timestamps'),
      queries: [{ q: select(agg('mean', 'clock_drift_s')).from('camera').where(...where).inRange().byTime().byTags('camera'), alias: '$tag_camera' }],
      unit: 's',
      steps: ['green', [5, 'orange'], [60, 'red']],
    }),
    12,
    10,
  );
}

/** Stream and snapshot state per camera, and stream latency. */
function streamPanels(l: Layout, lang: Lang, where: string[]): void {
  const yesNo = valueText(lang, { true: [L('正常', 'ok'), 'green'], false: [L('失败', 'failed'), 'red'] });
  l.add(
    tablePanel(lang, {
      title: L('视频流与抓图', 'Stream and snapshot'),
      queries: [
        {
          q: select(LAST('up'), LAST('error_class'), LAST('auth'), LAST('stream_ok'), LAST('stream_latency_ms'), LAST('snapshot_ok'), LAST('snapshot_problem'), LAST('clock_drift_s'), LAST('firmware'))
            .from('camera')
            .where(...where)
            .inRange()
            // Not by manufacturer/model: an unreachable camera is written without them, and
            // grouping by them would keep a stale "up" row next to the "down" one.
            .byTags('camera', 'building', 'floor', 'room'),
        },
      ],
      columns: {
        camera: { name: L('摄像机', 'Camera') },
        building: { name: L('楼栋', 'Building') },
        floor: { name: L('楼层', 'Floor') },
        room: { name: L('位置', 'Location') },
        up: { name: L('在线', 'Up'), colour: true, mappings: valueText(lang, { '1': [L('在线', 'up'), 'green'], '0': [L('离线', 'down'), 'red'] }) },
        error_class: { name: L('原因', 'Reason') },
        auth: {
          name: L('认证', 'Auth'),
          mappings: valueText(lang, { ok: [L('正常', 'ok'), 'green'], failed: [L('失败', 'failed'), 'red'], none: [L('无', 'none'), 'text'], unknown: [L('未知', 'unknown'), 'text'] }),
        },
        stream_ok: { name: L('视频流', 'Stream'), colour: true, mappings: yesNo },
        stream_latency_ms: { name: L('出流耗时', 'Stream latency'), unit: 'ms' },
        snapshot_ok: { name: L('抓图', 'Snapshot'), colour: true, mappings: yesNo },
        snapshot_problem: {
          name: L('画面问题', 'Picture problem'),
          mappings: valueText(lang, {
            none: [L('无', 'none'), 'transparent'],
            black: [L('黑屏', 'black'), 'red'],
            uniform: [L('纯色', 'uniform'), 'red'],
            frozen: [L('画面冻结', 'frozen'), 'red'],
            not_jpeg: [L('非 JPEG', 'not JPEG'), 'orange'],
            http_404: [L('HTTP 404', 'HTTP 404'), 'orange'],
            no_uri: [L('无抓图地址', 'no snapshot URI'), 'orange'],
            corrupt_jpeg: [L('图像损坏', 'corrupt JPEG'), 'orange'],
            auth_failed: [L('认证失败', 'auth failed'), 'red'],
            unreachable: [L('不可达', 'unreachable'), 'red'],
            timeout: [L('超时', 'timeout'), 'red'],
          }),
        },
        clock_drift_s: { name: L('时钟偏差', 'Clock drift'), unit: 's' },
        firmware: { name: L('固件', 'Firmware') },
        Time: { name: L('最后采集', 'Last poll'), unit: 'dateTimeFromNow' },
      },
    }),
    24,
    10,
  );
  l.add(
    timeseriesPanel(lang, {
      title: L('出流耗时', 'Stream latency'),
      queries: [{ q: select(agg('mean', 'stream_latency_ms')).from('camera').where(...where).inRange().byTime().byTags('camera'), alias: '$tag_camera' }],
      unit: 'ms',
    }),
    24,
    8,
  );
}

/** Cameras: hourly uptime heat map, 24 h/month compliance, clock drift, stream and snapshot health. */
export const cctv: DashboardDef = {
  name: 'cctv',
  build(lang: Lang) {
    const where = [...locationFilter(false), tagVar('camera', 'camera')];
    const l = new Layout();
    summaryRow(l, lang, where);
    uptimePanels(l, lang, where);
    streamPanels(l, lang, where);
    return build(
      lang,
      {
        name: 'cctv',
        title: L('视频监控', 'CCTV'),
        description: L('摄像机在线热图、时钟偏差、视频流与抓图状态', 'Camera uptime heat map, clock drift, stream and snapshot status'),
        refresh: '1m',
        from: 'now-24h',
        tags: ['cctv'],
        variables: [...locationVariables(lang, 'camera', false), tagVariable(lang, 'camera', L('摄像机', 'Camera'), 'camera', 'camera', [['building', 'building'], ['floor', 'floor']])],
      },
      l,
    );
  },
};
