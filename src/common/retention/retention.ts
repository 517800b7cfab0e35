import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { deleteInBatches } from '../database/delete-in-batches';
import { MAINTENANCE_QUEUE } from '../queues/queues';
import { ScheduleKeeper } from '../queues/schedule-keeper';

export const RETENTION_JOB = 'retention';
/** Rows per statement: a large backlog never holds the table locked for long. */
const DELETE_BATCH = 5000;

/** How long one table keeps its rows (spec §17.2), and when the daily clean-up runs. */
export interface RetentionRule {
  /** Names the schedule (`retention-<name>`) and the log line; no colons. */
  name: string;
  table: string;
  /** The timestamp a row ages by. */
  column: string;
  /** What else a row must meet to be deleted (SQL), for rows that still serve a purpose however old. */
  only?: string;
  days(config: AppConfig): number;
  cron(config: AppConfig): string;
}

const rules: RetentionRule[] = [];

/** Declares a retention rule; the worker schedules every declared rule once across all workers. */
export function retain(rule: RetentionRule): void {
  if (rules.some((existing) => existing.name === rule.name)) return;
  rules.push(rule);
}

/**
 * Runs every retention rule as a repeatable maintenance job (one job name, one schedule per rule): rows older than the rule's days are deleted in
 * batches of 5,000, each its own short statement.
 */
@Processor(MAINTENANCE_QUEUE)
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly schedules: ScheduleKeeper,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const rule of rules) {
      await this.schedules.keep(this.queue, RETENTION_JOB, rule.cron(this.config), { id: `retention-${rule.name}`, data: { rule: rule.name } });
    }
  }

  @Process(RETENTION_JOB)
  run(job: Job<{ rule: string }>): Promise<number> {
    return this.purgeNow(job.data.rule);
  }

  /** Runs one rule now (what its scheduled job does); for operators' scripts and tests. */
  purgeNow(name: string): Promise<number> {
    const rule = rules.find((candidate) => candidate.name === name);
    if (!rule) throw new Error(`No retention rule named ${name}`);
    return this.purge(rule);
  }

  private async purge(rule: RetentionRule): Promise<number> {
    const days = rule.days(this.config);
    const deleted = await deleteInBatches(
      this.em,
      `DELETE FROM ${rule.table} WHERE id IN (
         SELECT id FROM ${rule.table} WHERE ${rule.column} < now() - make_interval(days => ?)${rule.only ? ` AND (${rule.only})` : ''} LIMIT ${DELETE_BATCH})`,
      [days],
      DELETE_BATCH,
    );
    if (deleted) this.logger.log(`${rule.name}: deleted ${deleted} row(s) older than ${days} days`);
    return deleted;
  }
}
