/**
 * Built-in ONVIF replies for the camera simulator where the shared recordings are absent
 * (a user's clone running `npm start`). Written from the ONVIF Device and Media service
 * WSDLs (ver10), minimal but complete enough for the `onvif` package and the probe: the
 * same element names and namespaces real cameras send. Keyed by the recording file each
 * one stands in for (demo/onvif-sim.ts ACTIONS).
 */
const ENV = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:ter="http://www.onvif.org/ver10/error"><s:Header/><s:Body>${body}</s:Body></s:Envelope>`;

const dateTime = (tag: string) =>
  `<tt:${tag}><tt:Time><tt:Hour>0</tt:Hour><tt:Minute>0</tt:Minute><tt:Second>0</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>1</tt:Month><tt:Day>1</tt:Day></tt:Date></tt:${tag}>`;

const fault = (code: string, text: string) =>
  ENV(
    `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>${code}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">${text}</s:Text></s:Reason></s:Fault>`,
  );

export const BUILT_IN: Record<string, () => string> = {
  'hammeraj-onvif__get_system_date_and_time.xml': () =>
    ENV(
      `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>${dateTime('UTCDateTime')}${dateTime('LocalDateTime')}</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
    ),
  'go2rtc__dahua_GetCapabilitiesResponse.xml': () =>
    ENV(
      `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://192.168.1.64/onvif/device_service</tt:XAddr><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>true</tt:SystemLogging><tt:FirmwareUpgrade>true</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>40</tt:Minor></tt:SupportedVersions></tt:System></tt:Device>` +
        `<tt:Events><tt:XAddr>http://192.168.1.64/onvif/event_service</tt:XAddr><tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport><tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>` +
        `<tt:Media><tt:XAddr>http://192.168.1.64/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>true</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
    ),
  'ex_onvif__get_device_information.xml': () =>
    ENV(
      `<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer><tds:Model>DEMO-MODEL</tds:Model><tds:FirmwareVersion>V5.7.15 build 230726</tds:FirmwareVersion><tds:SerialNumber>DEMO-SERIAL</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>`,
    ),
  'hammeraj-onvif__get_ntp_response.xml': () =>
    ENV(
      `<tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP><tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.1</tt:IPv4Address></tt:NTPManual></tds:NTPInformation></tds:GetNTPResponse>`,
    ),
  'SharpOnvif__hikvision_GetProfilesResponse.xml': () =>
    ENV(
      `<trt:GetProfilesResponse><trt:Profiles token="Profile_1" fixed="true"><tt:Name>mainStream</tt:Name><tt:VideoSourceConfiguration token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
        `<tt:VideoEncoderConfiguration token="VideoEncoderToken_1"><tt:Name>VideoEncoder_1</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264><tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>` +
        `<trt:Profiles token="Profile_2" fixed="true"><tt:Name>subStream</tt:Name><tt:VideoEncoderConfiguration token="VideoEncoderToken_2"><tt:Name>VideoEncoder_2</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>640</tt:Width><tt:Height>360</tt:Height></tt:Resolution><tt:Quality>3</tt:Quality><tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>`,
    ),
  'go2rtc__dahua_GetStreamUriResponse.xml': () =>
    ENV(
      `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.168.1.64:554/Streaming/Channels/101?transportmode=unicast</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
    ),
  'go2rtc__dahua_GetSnapshotUriResponse.xml': () =>
    ENV(
      `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://192.168.1.64/onvifsnapshot/media_service/snapshot</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
    ),
  'hammeraj-onvif__invalid_get_ntp_response.xml': () => fault('ter:ActionNotSupported', 'Optional Action Not Implemented'),
  'hammeraj-onvif__invalid_system_date_and_time_response.xml': () => fault('ter:WellFormed', 'Well-formed Error'),
};
