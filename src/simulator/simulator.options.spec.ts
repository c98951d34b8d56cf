import { resolveSimulatorOptions, simulatorOptionsFromEnv } from './simulator.options';

describe('simulator options', () => {
  it('reads SIM_* variables and leaves unset ones to the defaults', () => {
    const options = simulatorOptionsFromEnv({
      SIM_PORT: '9000',
      SIM_API_KEY: 'key',
      SIM_POSTBACK_URL: 'http://127.0.0.1:3000/postback',
      SIM_SEED: '7',
      SIM_POSTBACK_ON_OPEN: 'true',
      SIM_START_PRICES: 'SBIN=470, INFY=1500.5',
      SIM_REJECT_SYMBOLS: 'YESBANK,IDEA',
      SIM_API_SECRET: '   ',
    });
    expect(options).toEqual({
      port: 9000,
      apiKey: 'key',
      postbackUrl: 'http://127.0.0.1:3000/postback',
      seed: 7,
      postbackOnOpen: true,
      startPrices: { SBIN: 470, INFY: 1500.5 },
      rejectSymbols: ['YESBANK', 'IDEA'],
    });
    expect(resolveSimulatorOptions(options)).toMatchObject({ apiSecret: 'sim_api_secret', maxQuantity: 10_000, port: 9000 });
  });

  it('reads the instrument, freeze-limit and GTT settings', () => {
    const options = simulatorOptionsFromEnv({
      SIM_START_PRICES: 'NIFTY 50=24000,SBIN=470',
      SIM_FREEZE_LIMITS: 'NIFTY=1200',
      SIM_AUTOSLICE_MAX_SLICES: '5',
      SIM_GTT_POSTBACKS: 'true',
      SIM_GTT_MAX_ACTIVE: '100',
      SIM_GTT_MIN_TRIGGER_DISTANCE_PCT: '0',
      SIM_GTT_ALLOW_MIS: 'yes',
    });
    expect(resolveSimulatorOptions(options)).toMatchObject({
      startPrices: { 'NIFTY 50': 24000, SBIN: 470 },
      freezeLimits: { NIFTY: 1200, BANKNIFTY: 600 }, // merged over the shipped table
      autosliceMaxSlices: 5,
      gttPostbacks: true,
      gttMaxActive: 100,
      gttMinTriggerDistancePct: 0,
      gttAllowMis: true,
    });
    expect(resolveSimulatorOptions({})).toMatchObject({ gttPostbacks: false, gttMaxActive: 250, gttMinTriggerDistancePct: 0.25, autosliceMaxSlices: 10 });
    expect(() => simulatorOptionsFromEnv({ SIM_FREEZE_LIMITS: 'NIFTY' })).toThrow(/SIM_FREEZE_LIMITS entries look like UNDERLYING=quantity/);
  });

  it('fails loudly on malformed values', () => {
    expect(() => simulatorOptionsFromEnv({ SIM_PORT: 'eighty' })).toThrow(/SIM_PORT/);
    expect(() => simulatorOptionsFromEnv({ SIM_POSTBACK_ON_OPEN: 'maybe' })).toThrow(/SIM_POSTBACK_ON_OPEN/);
    expect(() => simulatorOptionsFromEnv({ SIM_START_PRICES: 'SBIN' })).toThrow(/SIM_START_PRICES/);
    expect(() => resolveSimulatorOptions({ partialFillSteps: 0 })).toThrow(/partialFillSteps/);
  });
});
