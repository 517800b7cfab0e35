import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs concurrent items as one batch and hands each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((n) => n * 2);
    }, 100, 5);
    const results = await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('runs a full batch at once and rejects every item of a failed batch', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, void>(async () => {
      calls++;
      throw new Error('database down');
    }, 2, 60_000);
    const outcomes = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(calls).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
