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

  it('fails loudly on malformed values', () => {
    expect(() => simulatorOptionsFromEnv({ SIM_PORT: 'eighty' })).toThrow(/SIM_PORT/);
    expect(() => simulatorOptionsFromEnv({ SIM_POSTBACK_ON_OPEN: 'maybe' })).toThrow(/SIM_POSTBACK_ON_OPEN/);
    expect(() => simulatorOptionsFromEnv({ SIM_START_PRICES: 'SBIN' })).toThrow(/SIM_START_PRICES/);
    expect(() => resolveSimulatorOptions({ partialFillSteps: 0 })).toThrow(/partialFillSteps/);
  });
});
