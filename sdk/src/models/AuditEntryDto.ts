/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type AuditEntryDto = {
    id: string;
    action: string;
    resourceType: string;
    resourceId: string | null;
    /**
     * The API key that acted; null for the system
     */
    actorApiKeyId: string | null;
    ip: string | null;
    requestId: string | null;
    details: Record<string, any>;
    createdAt: string;
};

