/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKeyStatus } from './ApiKeyStatus';
import type { Scope } from './Scope';
export type ApiKeyDto = {
    id: string;
    tenantId: string;
    keyName: string;
    /**
     * The first 8 characters of the key, to recognise it
     */
    keyPrefix: string;
    scopes: Array<Scope>;
    status: ApiKeyStatus;
    isActive: boolean;
    expiresAt: string | null;
    lastUsedAt: string | null;
    usageCount: number;
    rateLimitPerHour: number;
    createdAt: string;
    /**
     * The API key that created it
     */
    createdBy: string | null;
    modifiedAt: string | null;
    revokedAt: string | null;
    revokedBy: string | null;
    revocationReason: string | null;
    /**
     * The key that replaced it by rotation
     */
    rotatedToId: string | null;
};

