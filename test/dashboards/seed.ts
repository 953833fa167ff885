import { encodeLine } from '../../protocol/line-protocol.ts';
import { int, type Sample } from '../../protocol/sample.ts';

const MIN = 60_000;

/**
 * Points for the measurements whose writers are not in the demo pipeline (SNMP, ONVIF, ping,
 * patches, antivirus probes; uptime ledger, alerts, inspections, SMS), shaped exactly as
 * docs/measurements.md says, as line protocol with ms timestamps. Each dashboard's "something
 * is wrong" query has a case to find: a switch down with an uplink down, a camera down and
 * non-compliant, an unreachable printer, an unpatched PC without antivirus, an overdue
 * inspection, a firing alert. Plus a history of the collector's own counters (the live
 * pipeline runs seconds, too short for per-minute rates). Probe measurements are posted as the
 * agent (so they carry `agent` and its location, as from a real agent), the collector's own as
 * a write client.
 */
export function seedLines(now: number, instance: string, host: string): { agent: string[]; collector: string[] } {
  const s: Sample[] = [];
  const at = (minAgo: number) => now - minAgo * MIN;
  for (let m = 180; m >= 0; m -= 5) {
    const swUp = m > 20 ? 1 : 0;
    // As the snmp probe writes them: a device that does not answer gets vendor=unknown and an error_class.
    s.push(
      swUp
        ? {
            measurement: 'snmp_device',
            tags: { device: 'sw-a-3f-01', vendor: 'huawei' },
            fields: {
              up: int(1),
              result_code: int(0),
              uptime_s: int(86_400 + (180 - m) * 60),
              sys_name: 'SW-A-3F-01',
              sys_descr: 'Huawei Versatile Routing Platform S5735',
              sys_object_id: '1.3.6.1.4.1.2011.2.23.616',
              reboot: int(0),
              poll_ms: 42.5,
            },
            time: at(m),
          }
        : {
            measurement: 'snmp_device',
            tags: { device: 'sw-a-3f-01', vendor: 'unknown' },
            fields: { up: int(0), poll_ms: 3000, error_class: 'timeout', result_code: int(1) },
            time: at(m),
          },
    );
    s.push({
      measurement: 'snmp_device',
      tags: { device: 'sw-b-1f-02', vendor: 'h3c' },
      fields: {
        up: int(1),
        uptime_s: int(5000 + m),
        sys_name: 'SW-B-1F-02',
        sys_descr: 'H3C S5130',
        sys_object_id: '1.3.6.1.4.1.25506.1.1',
        reboot: int(0),
        poll_ms: 30,
      },
      time: at(m),
    });
    for (const [ifName, ifIndex, alias, oper, err] of [
      ['GE0/0/1', '1', 'uplink to core-1', swUp ? 1 : 2, 0.5],
      ['GE0/0/2', '2', 'room 301', 1, 0],
    ] as const) {
      s.push({
        measurement: 'interface',
        tags: { device: 'sw-a-3f-01', ifName, ifIndex },
        fields: {
          ifDescr: `GigabitEthernet${ifName.slice(2)}`,
          ifAlias: alias,
          admin_status: int(1),
          oper_status: int(oper),
          speed_mbps: 1000,
          in_octets: int(1e9 + m),
          out_octets: int(2e9 + m),
          in_errors: int(10),
          out_errors: int(0),
          in_discards: int(1),
          out_discards: int(0),
          in_bps: 2e6 + m * 1000,
          out_bps: 1e6,
          in_util_pct: 0.2,
          out_util_pct: 0.1,
          in_errors_per_s: err,
          out_errors_per_s: 0,
          flaps: int(oper === 1 ? 0 : 1),
        },
        time: at(m),
      });
    }
    s.push({
      measurement: 'sensor',
      tags: { device: 'sw-a-3f-01', kind: 'temperature', entity: 'board' },
      fields: { value: 45 + (m % 7), unit: 'C', status: 'ok' },
      time: at(m),
    });
    s.push({
      measurement: 'sensor',
      tags: { device: 'sw-a-3f-01', kind: 'fan', entity: 'fan-2' },
      fields: { value: 0, unit: 'rpm', status: 'failed' },
      time: at(m),
    });
    const camUp = m > 30 ? 1 : 0;
    s.push({
      measurement: 'camera',
      // An unreachable camera is written without manufacturer/model (the probe learns them from the camera).
      tags: camUp ? { camera: 'cam-a-1f-lobby', manufacturer: 'Hikvision', model: 'DS-2CD2T47G2-L' } : { camera: 'cam-a-1f-lobby' },
      fields: camUp
        ? {
            up: int(1),
            reachable: true,
            auth: 'ok',
            clock_drift_s: 2.5,
            stream_ok: true,
            stream_latency_ms: 180,
            snapshot_ok: false,
            snapshot_bytes: int(0),
            snapshot_problem: 'frozen',
            firmware: 'V5.7.3',
            serial: 'DS-2CD2T47G2-L20230101',
          }
        : { up: int(0), reachable: false, auth: 'unknown', error_class: 'unreachable', stream_ok: false, snapshot_ok: false, snapshot_problem: 'unreachable' },
      time: at(m),
    });
    s.push({
      measurement: 'camera',
      tags: { camera: 'cam-b-2f-hall', manufacturer: 'Dahua', model: 'IPC-HFW2441S' },
      fields: {
        up: int(1),
        reachable: true,
        auth: 'ok',
        clock_drift_s: -0.4,
        stream_ok: true,
        stream_latency_ms: 95,
        snapshot_ok: true,
        snapshot_bytes: int(183_000),
        snapshot_problem: 'none',
        firmware: 'V2.820',
        serial: '7J0A1B2C',
      },
      time: at(m),
    });
    s.push({
      measurement: 'ping',
      tags: { url: 'prn-a-3f-01', host },
      fields:
        m > 45
          ? {
              packets_transmitted: int(3),
              packets_received: int(3),
              percent_packet_loss: 0,
              minimum_response_ms: 0.4,
              average_response_ms: 0.6,
              maximum_response_ms: 0.9,
              result_code: int(0),
            }
          : { packets_transmitted: int(3), packets_received: int(0), percent_packet_loss: 100, result_code: int(2), error_class: 'no_reply' },
      time: at(m),
    });
    // As the http probe writes them: the portal up, a district site down since 30 min; its certificates.
    s.push({
      measurement: 'http_response',
      tags: { server: 'https://www.example.gov.cn/', target_name: 'portal', method: 'GET', result: 'success', status_code: '200', host },
      fields: { up: int(1), response_time: 0.21, http_response_code: int(200), result_type: 'success', result_code: int(0), response_string_match: int(1) },
      time: at(m),
    });
    s.push({
      measurement: 'http_response',
      tags: { server: 'https://east.example.gov.cn/', target_name: 'district-east', method: 'GET', result: m > 30 ? 'success' : 'timeout', host },
      fields:
        m > 30
          ? { up: int(1), response_time: 0.4, http_response_code: int(200), result_type: 'success', result_code: int(0) }
          : { up: int(0), response_time: 10, result_type: 'timeout', result_code: int(4), error_class: 'timeout', failed_phase: 'processing' },
      time: at(m),
    });
    s.push({
      measurement: 'x509_cert',
      tags: {
        source: 'https://www.example.gov.cn:443',
        common_name: 'www.example.gov.cn',
        issuer_common_name: 'Example CA',
        san: 'www.example.gov.cn',
        serial_number: '1a2b',
        host,
      },
      fields: {
        up: int(1),
        expiry: int(200 * 86400),
        chain_expiry: int(12 * 86400),
        chain_expiry_common_name: 'Example Intermediate CA',
        verification: 'valid',
        verification_code: int(0),
      },
      time: at(m),
    });
    s.push({
      measurement: 'ping',
      tags: { url: 'demo-pc-0301', host },
      fields: {
        packets_transmitted: int(3),
        packets_received: int(3),
        percent_packet_loss: 0,
        minimum_response_ms: 0.1,
        average_response_ms: 0.2,
        maximum_response_ms: 0.3,
        result_code: int(0),
      },
      time: at(m),
    });
    // As the printer probe writes them: toner low on the colour MFP, the mono printer printing steadily.
    const pages = int(52_000 + (180 - m) * 3);
    s.push({
      measurement: 'printer',
      tags: { device: 'prn-a-3f-01', vendor: 'hp' },
      fields: {
        up: int(1),
        result_code: int(0),
        model: 'HP Color LaserJet flow MFP M880',
        status: 'idle',
        device_status: 'warning',
        jammed: int(m < 30 ? 1 : 0),
        door_open: int(0),
        offline: int(0),
        low_toner: int(1),
        pages_total: pages,
        pages_printed: int(15),
        supplies_low: '青色碳粉 8%',
        supplies_empty: '',
        waste_near_full: '',
        waste_full: '',
        alerts_open: int(1),
      },
      time: at(m),
    });
    for (const [index, colour, type, pct] of [
      ['1', 'black', 'tonerCartridge', 92],
      ['2', 'cyan', 'tonerCartridge', 8],
      ['5', 'black', 'opc', 53],
    ] as const) {
      s.push({
        measurement: 'printer_supply',
        tags: { device: 'prn-a-3f-01', index, colour, type },
        fields: {
          level: int(pct),
          max: int(100),
          percent: pct,
          state: pct <= 10 ? 'low' : 'ok',
          class: 'supplyThatIsConsumed',
          unit: 'percent',
          description: `${colour} ${type}`,
          name: `${colour} ${type}`,
          words: '碳粉',
        },
        time: at(m),
      });
    }
    s.push({
      measurement: 'printer_supply',
      tags: { device: 'prn-a-3f-01', index: '9', colour: '其它', type: 'wasteToner' },
      fields: {
        level: int(40),
        max: int(100),
        percent: 40,
        fill_pct: 60,
        state: 'ok',
        class: 'receptacleThatIsFilled',
        unit: 'percent',
        description: 'Waste Toner Box',
        name: 'Waste Toner Box',
        words: '废粉盒',
      },
      time: at(m),
    });
    s.push({
      measurement: 'watchpost_collector',
      tags: { instance },
      fields: {
        points_per_s: 40 + (m % 11),
        points_total: int(1_000_000 - m * 1000),
        spool_points: int(m < 60 ? 0 : 5000),
        spool_bytes: int(m < 60 ? 0 : 400_000),
        agents_connected: int(1),
        influx_up: int(m > 60 && m < 90 ? 0 : 1),
        write_errors_total: int(m > 90 ? 0 : 12),
        bad_frames_total: int(m > 100 ? 0 : 1),
      },
      time: at(m),
    });
    s.push({
      measurement: 'sms_usage',
      tags: { purpose: 'alerts' },
      fields: { sent_parts: int(12 + (180 - m) / 5), budget_used_pct: 24 + (180 - m) / 10 },
      time: at(m),
    });
  }
  s.push({
    measurement: 'camera_uptime',
    tags: { camera: 'cam-a-1f-lobby' },
    fields: { uptime_24h_pct: 97.9, uptime_month_pct: 99.2, compliant_24h: false, unknown_24h_pct: 0.5 },
    time: at(1),
  });
  s.push({
    measurement: 'camera_uptime',
    tags: { camera: 'cam-b-2f-hall' },
    fields: { uptime_24h_pct: 100, uptime_month_pct: 99.99, compliant_24h: true, unknown_24h_pct: 0 },
    time: at(1),
  });
  s.push({ measurement: 'device_uptime', tags: { device: 'sw-a-3f-01' }, fields: { uptime_24h_pct: 98.6, uptime_month_pct: 99.95 }, time: at(1) });
  s.push({
    measurement: 'lldp_neighbor',
    tags: { device: 'sw-a-3f-01', local_port: 'GE0/0/1' },
    fields: { remote_sys_name: 'core-1', remote_port: 'XGE1/0/24', remote_chassis_id: '70:7b:e8:00:11:22' },
    time: at(5),
  });
  s.push({
    measurement: 'ssh_check',
    tags: { device: 'sw-a-3f-01', check: 'config_saved' },
    fields: { ok: false, exit_code: int(1), duration_ms: 830, value: 0 },
    time: at(5),
  });
  s.push({
    measurement: 'patches',
    tags: { host, os_family: 'windows' },
    fields: {
      pending: int(7),
      security_pending: int(2),
      last_install_s: int(Math.floor(now / 1000) - 41 * 86_400),
      days_since_patch: 41,
      reboot_required: true,
    },
    time: at(10),
  });
  s.push({
    measurement: 'antivirus',
    tags: { host, product: '360 安全卫士' },
    fields: { enabled: true, up_to_date: false, realtime: true, signature_age_days: 12 },
    time: at(10),
  });
  s.push({ measurement: 'antivirus_status', tags: { host }, fields: { protected: false, products: int(1) }, time: at(10) });
  s.push({
    measurement: 'host_inventory',
    tags: { host, os_family: 'windows' },
    fields: {
      os_name: 'Windows 10 专业版',
      os_version: '22H2',
      os_build: '19045',
      manufacturer: 'Lenovo',
      model: 'ThinkCentre M720t',
      serial: 'PC0ABCDE',
      cpu_model: 'Intel Core i5-8500',
      cpu_cores: int(6),
      mem_total: int(8 * 2 ** 30),
      disks_smart_failed: int(0),
    },
    time: at(30),
  });
  s.push({
    measurement: 'alert_state',
    tags: { rule: 'device_down', target: 'sw-a-3f-01', severity: 'critical' },
    fields: { state: 'firing', firing: int(1), age_s: 1200 },
    time: at(0),
  });
  s.push({
    measurement: 'alert_state',
    tags: { rule: 'camera_down', target: 'cam-a-1f-lobby', severity: 'warning' },
    fields: { state: 'resolved', firing: int(0), age_s: 0 },
    time: at(0),
  });
  s.push({
    measurement: 'inspection',
    tags: { kind: 'network', scope: 'building-A' },
    fields: { due_in_days: -2, overdue: int(1), last_done_s: int(Math.floor(now / 1000) - 32 * 86_400), items_failed: int(1) },
    time: at(2),
  });
  s.push({
    measurement: 'inspection',
    tags: { kind: 'cctv', scope: 'building-A' },
    fields: { due_in_days: 5, overdue: int(0), last_done_s: int(Math.floor(now / 1000) - 25 * 86_400), items_failed: int(0) },
    time: at(2),
  });
  s.push({
    measurement: 'event',
    tags: { kind: 'snmp_trap', target: 'sw-a-3f-01', severity: 'warning', agent: host },
    fields: { message: 'linkDown GE0/0/1 (uplink to core-1)', attrs: '{"ifIndex":1}' },
    time: at(20),
  });
  const fromCollector = new Set(['camera_uptime', 'device_uptime', 'alert_state', 'inspection', 'sms_usage', 'watchpost_collector']);
  return {
    agent: s.filter((x) => !fromCollector.has(x.measurement)).map((x) => encodeLine(x)!),
    collector: s.filter((x) => fromCollector.has(x.measurement)).map((x) => encodeLine(x)!),
  };
}
