import { EntityManager } from '@mikro-orm/postgresql';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { unstorableCharacterIn } from '../../../../common/database/postgres-json';
import { Integration } from '../../../integrations/domain/integration.entity';
import { ConnectorFactory } from '../../connectors/connector-factory';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { WriteSyncedRecordCommand, WrittenSyncedRecord } from './write-synced-record.command';

interface Row {
  content_hash: string;
  local_modified_at: Date;
  created: boolean;
}

@CommandHandler(WriteSyncedRecordCommand)
export class WriteSyncedRecordHandler implements ICommandHandler<WriteSyncedRecordCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly connectors: ConnectorFactory,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, integrationId, entity, externalId, data }: WriteSyncedRecordCommand): Promise<WrittenSyncedRecord> {
    // Another tenant's integration answers exactly as a missing one.
    const integration = await this.em.findOne(Integration, { id: integrationId, tenantId: actor.tenantId });
    if (!integration) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Integration not found');
    this.assertSyncs(integration, entity);
    // As an imported record is held to (source-record.ts), and refused rather than stored altered: the caller would
    // read back, and export, something other than what it wrote. Refused, so the text is as postgresJson would
    // write it, and goes to PostgreSQL as it is.
    const json = JSON.stringify(data);
    const unstorable = unstorableCharacterIn(json);
    if (unstorable) throw DataSyncError.onField(DataSyncErrorCode.UnstorableRecord, 'data', `holds ${unstorable}, which cannot be stored; remove it or encode it`);
    const bytes = Buffer.byteLength(json);
    const limit = this.config.dataSync.maxRecordBytes;
    if (bytes > limit) throw DataSyncError.onField(DataSyncErrorCode.RecordTooLarge, 'data', `is ${bytes} bytes of JSON, over the limit of ${limit} a record may take`);
    // The hash is computed as imports compute it (md5 of the canonical jsonb text), so Differential compares alike.
    // synced_at is when the stored version last changed, whoever changed it (an import, this write, a Full sync
    // marking it deleted): the records list's `updatedSince` filters on it, so a change made here shows there too.
    // Exports compare local_modified_at with exported_at, never synced_at.
    const [row] = await this.em.execute<Row[]>(
      `INSERT INTO synced_record AS s (tenant_id, integration_id, entity, external_id, data, content_hash, deleted, synced_at, local_modified_at)
       VALUES (?, ?, ?, ?, ?::jsonb, md5(?::jsonb::text), false, now(), clock_timestamp())
       ON CONFLICT (integration_id, entity, external_id) DO UPDATE
         SET data = EXCLUDED.data, content_hash = EXCLUDED.content_hash, deleted = false, synced_at = EXCLUDED.synced_at,
             local_modified_at = EXCLUDED.local_modified_at
       RETURNING content_hash, local_modified_at, (xmax = 0) AS created`,
      [actor.tenantId, integrationId, entity, externalId, json, json],
    );
    return { entity, externalId, data, contentHash: row.content_hash, localModifiedAt: new Date(row.local_modified_at), created: row.created };
  }

  /** A record is written here to be exported: only to an entity one of the integration's sync resources carries. */
  private assertSyncs(integration: Integration, entity: string): void {
    const connector = this.connectors.createForRequest({ integrationId: integration.id, provider: integration.provider, configuration: integration.configuration(this.vault) });
    const entities = connector.resources.map((resource) => resource.entity);
    if (!entities.includes(entity)) {
      throw DataSyncError.onField(DataSyncErrorCode.NotSyncable, 'entity', `no sync resource of the integration carries ${JSON.stringify(entity)}; its entities are ${entities.join(', ')}`);
    }
  }
}
