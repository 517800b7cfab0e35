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
     * The API key that acted; null for the system, and for the platform operator acting on this tenant (its own tenant's trail names its key)
     */
    actorApiKeyId: string | null;
    ip: string | null;
    requestId: string | null;
    details: Record<string, any>;
    createdAt: string;
};

