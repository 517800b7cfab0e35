/**
 * A subject's normal, learned from its own history: an exponentially weighted moving average and variance
 * (Finch, "Incremental calculation of weighted mean and variance", 2009). The newest observation weighs
 * 2/(span+1); until a baseline holds `span` observations each weighs 1/n instead, so the first ones form a plain
 * average rather than the first observation dominating for days.
 */
export interface Baseline {
  mean: number;
  variance: number;
  samples: number;
}

/** How a metric behaves: which way is unusual, and the smallest spread that counts as noise. */
export interface MetricShape {
  /** `up`: only rises are unusual (more requests, more failures); `both`: drops too (a sync that brought nothing). */
  direction: 'up' | 'both';
  /** A floor under the spread: a baseline that never varied would otherwise call any change at all unusual. */
  minimumSpread: number;
}

export interface BaselineSettings {
  /** The EWMA's span in observations. */
  span: number;
  /** Observations a baseline needs before it may call anything unusual. */
  minSamples: number;
  /** Spreads from the mean an observation must lie to be unusual. */
  zThreshold: number;
}

export interface Assessment {
  /** The baseline with this observation folded in. */
  next: Baseline;
  /** The mean this observation was compared with; null for a subject's first observation. */
  expected: number | null;
  zScore: number | null;
  anomalous: boolean;
}

/** A spread of at least a tenth of the mean: 110 requests where 100 are usual is not news, however steady the 100. */
const RELATIVE_SPREAD_FLOOR = 0.1;

/**
 * Compares an observation with the baseline built from the ones before it, then folds it in. An unusual
 * observation is folded in too, but no further than the threshold's distance from the mean (winsorised): a lasting
 * change of level is still reported once or twice and then becomes the norm, rather than alerting every hour for
 * good, while a single burst cannot widen the spread so much that the next one hides in it.
 */
export function assess(baseline: Baseline | null, observed: number, shape: MetricShape, settings: BaselineSettings): Assessment {
  if (!baseline || baseline.samples === 0) {
    return { next: { mean: observed, variance: 0, samples: 1 }, expected: null, zScore: null, anomalous: false };
  }
  const spread = Math.max(Math.sqrt(baseline.variance), RELATIVE_SPREAD_FLOOR * Math.abs(baseline.mean), shape.minimumSpread);
  const zScore = (observed - baseline.mean) / spread;
  const beyond = shape.direction === 'up' ? zScore >= settings.zThreshold : Math.abs(zScore) >= settings.zThreshold;
  const weight = Math.max(2 / (settings.span + 1), 1 / (baseline.samples + 1));
  const reach = settings.zThreshold * spread;
  const difference = Math.min(reach, Math.max(-reach, observed - baseline.mean));
  const increment = weight * difference;
  return {
    next: { mean: baseline.mean + increment, variance: (1 - weight) * (baseline.variance + difference * increment), samples: baseline.samples + 1 },
    expected: baseline.mean,
    zScore,
    anomalous: baseline.samples >= settings.minSamples && beyond,
  };
}
