import { blamingField, DomainError, ErrorKind } from '../../../common/errors/domain-error';

export enum DataSyncErrorCode {
  NotFound = 'datasync.not_found',
  IntegrationNotFound = 'datasync.integration_not_found',
  IntegrationNotActive = 'datasync.integration_not_active',
  IntegrationDisabled = 'datasync.integration_disabled',
  CredentialsRefused = 'datasync.credentials_refused',
  NotSyncable = 'datasync.not_syncable',
  ScheduledTooLongAgo = 'datasync.scheduled_too_long_ago',
  ScheduledTooFarAhead = 'datasync.scheduled_too_far_ahead',
  TooFrequent = 'datasync.too_frequent',
  AlreadyFinished = 'datasync.already_finished',
  UnstorableRecord = 'datasync.unstorable_record',
  RecordTooLarge = 'datasync.record_too_large',
}

const KINDS: Record<DataSyncErrorCode, ErrorKind> = {
  [DataSyncErrorCode.NotFound]: ErrorKind.NotFound,
  [DataSyncErrorCode.IntegrationNotFound]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.IntegrationNotActive]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.IntegrationDisabled]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.CredentialsRefused]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.NotSyncable]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.ScheduledTooLongAgo]: ErrorKind.Invalid,
  [DataSyncErrorCode.ScheduledTooFarAhead]: ErrorKind.Invalid,
  [DataSyncErrorCode.TooFrequent]: ErrorKind.Conflict,
  [DataSyncErrorCode.AlreadyFinished]: ErrorKind.Conflict,
  [DataSyncErrorCode.UnstorableRecord]: ErrorKind.Unprocessable,
  [DataSyncErrorCode.RecordTooLarge]: ErrorKind.PayloadTooLarge,
};

/** Errors of data sync jobs. Field problems carry `errors` naming the field, as validation does. */
export class DataSyncError extends DomainError {
  constructor(code: DataSyncErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, KINDS[code], message, extensions);
  }

  static onField(code: DataSyncErrorCode, field: string, message: string, extensions: Record<string, unknown> = {}): DataSyncError {
    const [detail, blamed] = blamingField(field, message);
    return new DataSyncError(code, detail, { ...blamed, ...extensions });
  }
}
