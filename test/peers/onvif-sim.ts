// The ONVIF camera simulator lives in demo/ (the demo building runs it too); tests import it from here.
export * from '../../demo/onvif-sim.ts';
