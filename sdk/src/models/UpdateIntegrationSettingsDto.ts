/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationType } from './IntegrationType';
export type UpdateIntegrationSettingsDto = {
    /**
     * Kinds of which the tenant may have only one Active integration (BR-IM-01); empty lets every kind have several
     */
    singleProviderTypes: Array<IntegrationType>;
};

