/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type AnomalySubjectType = 'api_key' | 'webhook' | 'integration';
