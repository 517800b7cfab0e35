/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type Scope = 'integration:read' | 'integration:admin' | 'integration:manage' | 'webhook:manage' | 'datasync:manage' | 'events:publish' | 'platform:admin';
