/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Domain: raised by this service. Application: registered by your tenant
 */
export type EventTypeSource = 'Domain' | 'Application';
