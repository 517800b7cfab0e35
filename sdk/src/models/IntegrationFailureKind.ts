/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * authentication suspends; configuration keeps it from activating; unavailable is transient
 */
export type IntegrationFailureKind = 'authentication' | 'configuration' | 'unavailable';
