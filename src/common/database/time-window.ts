/** A list filter's time range as MikroORM reads it, from inclusive, to exclusive; undefined when neither is given. */
export function timeWindow(from: Date | undefined, to: Date | undefined): { $gte?: Date; $lt?: Date } | undefined {
  if (!from && !to) return undefined;
  return { ...(from && { $gte: from }), ...(to && { $lt: to }) };
}
