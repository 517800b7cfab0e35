import { assess, Baseline, BaselineSettings, MetricShape } from './rolling-baseline';

const settings: BaselineSettings = { span: 24, minSamples: 12, zThreshold: 4 };
const requests: MetricShape = { direction: 'up', minimumSpread: 10 };
const records: MetricShape = { direction: 'both', minimumSpread: 10 };

/** Folds a series in; returns the baseline and every assessment's anomalous flag. */
function learn(series: number[], shape: MetricShape, from: Baseline | null = null): { baseline: Baseline | null; flags: boolean[] } {
  let baseline = from;
  const flags: boolean[] = [];
  for (const value of series) {
    const assessment = assess(baseline, value, shape, settings);
    flags.push(assessment.anomalous);
    baseline = assessment.next;
  }
  return { baseline, flags };
}

// Around 1,000 an hour, ± about 50.
const usual = [1000, 1040, 960, 1010, 990, 1060, 940, 1020, 980, 1030, 970, 1005, 995, 1050, 950, 1015];

describe('rolling baseline', () => {
  it('learns the mean and spread of a steady series and flags none of it', () => {
    const { baseline, flags } = learn(usual, requests);
    expect(flags.every((flag) => !flag)).toBe(true);
    expect(baseline!.samples).toBe(usual.length);
    expect(baseline!.mean).toBeGreaterThan(980);
    expect(baseline!.mean).toBeLessThan(1020);
    expect(Math.sqrt(baseline!.variance)).toBeGreaterThan(20);
    expect(Math.sqrt(baseline!.variance)).toBeLessThan(60);
  });

  it('flags an observation far above the baseline, with the baseline it was compared with', () => {
    const { baseline } = learn(usual, requests);
    const spike = assess(baseline, 5000, requests, settings);
    expect(spike.anomalous).toBe(true);
    expect(spike.expected).toBeCloseTo(baseline!.mean, 6);
    expect(spike.zScore!).toBeGreaterThan(4);
    // Within the usual spread: not flagged.
    expect(assess(baseline, 1080, requests, settings).anomalous).toBe(false);
  });

  it('flags nothing until the baseline holds ANOMALY_MIN_SAMPLES observations', () => {
    const { baseline } = learn(usual.slice(0, 11), requests);
    expect(baseline!.samples).toBe(11);
    expect(assess(baseline, 50_000, requests, settings).anomalous).toBe(false);
    const { baseline: enough } = learn(usual.slice(0, 12), requests);
    expect(assess(enough, 50_000, requests, settings).anomalous).toBe(true);
  });

  it('flags a drop only for metrics where a drop is unusual', () => {
    const { baseline } = learn(usual, records);
    const drop = assess(baseline, 0, records, settings);
    expect(drop.anomalous).toBe(true);
    expect(drop.zScore!).toBeLessThan(-4);
    expect(assess(baseline, 0, requests, settings).anomalous).toBe(false);
  });

  it('does not call a small change unusual because the baseline never varied', () => {
    const { baseline } = learn(Array.from({ length: 20 }, () => 100), requests);
    expect(baseline!.variance).toBe(0);
    // 10% of the mean (or the metric's floor) is the smallest spread: 125 is 2.5 spreads away, 200 is 10.
    expect(assess(baseline, 125, requests, settings).anomalous).toBe(false);
    expect(assess(baseline, 200, requests, settings).anomalous).toBe(true);
    const { baseline: quiet } = learn(Array.from({ length: 20 }, () => 0), requests);
    expect(assess(quiet, 30, requests, settings).anomalous).toBe(false);
    expect(assess(quiet, 45, requests, settings).anomalous).toBe(true);
  });

  it('adopts a lasting change of level instead of alerting on it for good', () => {
    const { baseline } = learn(usual, requests);
    const { flags } = learn(Array.from({ length: 30 }, () => 3000), requests, baseline);
    expect(flags[0]).toBe(true);
    expect(flags.slice(-10).every((flag) => !flag)).toBe(true);
  });

  it('still sees a second burst after a first one: a burst widens the spread no further than the threshold', () => {
    const { baseline } = learn([100, 104, 96, 102, 98, 105, 95, 101, 99, 103, 97, 100, 100, 102], requests);
    const { baseline: afterBurst, flags } = learn([5000, ...Array.from({ length: 10 }, () => 100)], requests, baseline);
    expect(flags[0]).toBe(true);
    expect(assess(afterBurst, 3000, requests, settings).anomalous).toBe(true);
  });

  it("starts a subject's baseline at its first observation, comparing nothing", () => {
    const first = assess(null, 42, requests, settings);
    expect(first).toEqual({ next: { mean: 42, variance: 0, samples: 1 }, expected: null, zScore: null, anomalous: false });
  });
});
