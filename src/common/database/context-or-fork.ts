import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The EntityManager of the caller's MikroORM context (its transaction or request context), or a fork of its own
 * when the caller has none, as commands marked @WithoutUnitOfWork have none. For shared services read from both:
 * inside a transaction they must read through it (a fork would take a second pooled connection while the
 * transaction holds one, and under load every connection ends up held by a transaction waiting for another).
 */
export function contextOrFork(em: EntityManager): EntityManager {
  const current = em.getContext(false);
  return current.global ? current.fork() : current;
}
