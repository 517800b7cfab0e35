/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationType } from './IntegrationType';
export type IntegrationSettingsViewDto = {
    singleProviderTypes: Array<IntegrationType>;
};

