/**
 * Tags, in order, naming what a sample is about; `agent` last (a host's own samples). The
 * collector's ingest indexes them and its alert engine names alert targets by them.
 */
export const TARGET_TAGS = ['device', 'camera', 'host', 'url', 'agent'] as const;
