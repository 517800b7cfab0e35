import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import type { Configuration } from '../../integrations/providers/provider-adapter';
import { stringAt, valueAt } from '../../integrations/providers/configuration-checks';
import { customStaticAuthHeaders } from '../../integrations/providers/custom-rest.adapter';
import { ConnectorHttp } from './connector-http';
import { AuthHeaders, PAGINATION_TYPES, RestConnector, RestResource } from './rest-connector';
import { DataSyncError, DataSyncErrorCode } from '../domain/data-sync.errors';
import { SyncConnector } from './sync-connector';

/** What a connector is built for. */
export interface ConnectorTarget {
  integrationId: string;
  provider: string;
  configuration: Configuration;
}

/** The configuration cannot drive a sync; the messages name `configuration.sync…` paths, never values. */
export class ConnectorConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ConnectorConfigurationError';
  }
}

/**
 * Picks the connector for an integration by its provider: `Custom` integrations describe their REST API in
 * `configuration.sync`; `HubSpot` is the same REST connector preset for HubSpot's CRM objects API (cursor
 * `after`, records under `results`), with `configuration.sync.objects` choosing the objects (contacts by default).
 */
@Injectable()
export class ConnectorFactory {
  constructor(
    private readonly http: ConnectorHttp,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For a request that asks for a sync: a 422 naming `integrationId` when the integration cannot be synced as configured. */
  createForRequest(target: ConnectorTarget): SyncConnector {
    try {
      return this.create(target);
    } catch (error) {
      if (error instanceof ConnectorConfigurationError) throw DataSyncError.onField(DataSyncErrorCode.NotSyncable, 'integrationId', `the integration cannot be synced: ${error.message}`);
      throw error;
    }
  }

  /** Throws ConnectorConfigurationError when the integration cannot be synced as configured. */
  create(target: ConnectorTarget, signal?: AbortSignal): SyncConnector {
    const { baseUrl, resources, auth } = target.provider === 'HubSpot' ? this.hubspot(target.configuration) : this.custom(target.configuration);
    return new RestConnector(target.integrationId, baseUrl, resources, auth, this.http, this.config.dataSync.maxRecordBytes, this.config.dataSync.defaultPageSize, signal);
  }

  private custom(configuration: Configuration): { baseUrl: string; resources: RestResource[]; auth: AuthHeaders } {
    const problems: string[] = [];
    const baseUrl = stringAt(configuration, 'baseUrl')?.replace(/\/+$/, '');
    if (!baseUrl) problems.push('configuration.baseUrl is required');
    const raw = valueAt(configuration, 'sync.resources');
    if (!Array.isArray(raw) || raw.length === 0) problems.push('configuration.sync.resources must list at least one resource ({ entity, path, idField, … })');
    const defaultPageSize = numberAt(configuration, 'sync.pageSize');
    const resources = (Array.isArray(raw) ? raw : []).map((item, index) => this.resource(item, `configuration.sync.resources[${index}]`, defaultPageSize, problems));
    const auth = customAuth(configuration, problems);
    if (problems.length) throw new ConnectorConfigurationError(problems);
    return { baseUrl: baseUrl!, resources, auth };
  }

  private hubspot(configuration: Configuration): { baseUrl: string; resources: RestResource[]; auth: AuthHeaders } {
    const objects = valueAt(configuration, 'sync.objects');
    const names = Array.isArray(objects) && objects.every((o) => typeof o === 'string' && /^[a-z_0-9]+$/.test(o)) ? (objects as string[]) : ['contacts'];
    const resources = names.map((name) =>
      this.resource({ entity: name, path: `/crm/v3/objects/${name}`, idField: 'id', updatedAtField: 'updatedAt', recordsField: 'results', pagination: { type: 'cursor', cursorParam: 'after', nextCursorField: 'paging.next.after' }, writeMethod: 'PATCH', writeField: 'properties' }, 'hubspot', 100, []),
    );
    const token = stringAt(configuration, 'accessToken');
    if (!token) throw new ConnectorConfigurationError(['configuration.accessToken is required']);
    return { baseUrl: this.config.integrations.providerUrls.hubspot.replace(/\/+$/, ''), resources, auth: { authorization: `Bearer ${token}` } };
  }

  private resource(item: unknown, at: string, defaultPageSize: number | undefined, problems: string[]): RestResource {
    const value = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const text = (key: string, fallback: string | null, pattern = /^\S{1,200}$/): string | null => {
      const v = value[key];
      if (v === undefined || v === null) return fallback;
      if (typeof v === 'string' && pattern.test(v)) return v;
      problems.push(`${at}.${key} is not valid`);
      return fallback;
    };
    const entity = text('entity', null, /^[A-Za-z0-9_.-]{1,100}$/);
    const path = text('path', null, /^\/\S*$/);
    if (!entity) problems.push(`${at}.entity is required (letters, digits, _ . -)`);
    if (!path) problems.push(`${at}.path is required (starting with /)`);
    const pagination = (value.pagination && typeof value.pagination === 'object' ? value.pagination : {}) as Record<string, unknown>;
    const type = (pagination.type ?? 'cursor') as RestResource['pagination']['type'];
    if (!PAGINATION_TYPES.includes(type)) problems.push(`${at}.pagination.type must be one of ${PAGINATION_TYPES.join(', ')}`);
    const param = (key: string, fallback: string) => (typeof pagination[key] === 'string' && pagination[key] ? (pagination[key] as string) : fallback);
    const writeMethod = (value.writeMethod ?? 'PUT') as RestResource['writeMethod'];
    if (!['PUT', 'PATCH', 'POST'].includes(writeMethod)) problems.push(`${at}.writeMethod must be PUT, PATCH or POST`);
    const pageSize = typeof value.pageSize === 'number' && Number.isInteger(value.pageSize) && value.pageSize > 0 ? value.pageSize : (defaultPageSize ?? null);
    return {
      entity: entity ?? '',
      // A Link header's next page is as often a page number or an offset (GitHub's) as a cursor, and which is not known.
      pagedByPosition: type !== 'cursor',
      path: path ?? '',
      idField: text('idField', 'id')!,
      updatedAtField: text('updatedAtField', null),
      recordsField: text('recordsField', null),
      totalField: text('totalField', null),
      pageSize: pageSize ? Math.min(pageSize, this.config.dataSync.batchSize) : null,
      pagination: {
        type,
        limitParam: param('limitParam', 'limit'),
        cursorParam: param('cursorParam', 'cursor'),
        nextCursorField: param('nextCursorField', 'nextCursor'),
        pageParam: param('pageParam', 'page'),
        offsetParam: param('offsetParam', 'offset'),
      },
      updatedSinceParam: text('updatedSinceParam', null),
      writeMethod,
      writePath: text('writePath', `${path ?? ''}/{id}`, /^\/\S*$/)!,
      writeField: text('writeField', null, /^[A-Za-z0-9_]{1,100}$/),
    };
  }
}

/** The Custom provider's authentication settings (custom-rest.adapter.ts) as request headers. */
function customAuth(configuration: Configuration, problems: string[]): AuthHeaders {
  const headers = customStaticAuthHeaders(configuration);
  if (!headers) problems.push('configuration.auth.type: data sync supports none, header, bearer and basic authentication');
  return headers ?? {};
}

function numberAt(configuration: Configuration, path: string): number | undefined {
  const value = valueAt(configuration, path);
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
