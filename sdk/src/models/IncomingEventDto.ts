/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { InboundEventStatus } from './InboundEventStatus';
export type IncomingEventDto = {
    id: string;
    integrationId: string;
    provider: string;
    /**
     * The signature scheme it was verified with
     */
    scheme: string;
    /**
     * Stored events all passed verification; refusals are counted, never stored
     */
    verified: boolean;
    /**
     * The provider's delivery or event id (sha256:… of the body when it sends none)
     */
    dedupeKey: string;
    eventType: string | null;
    headers: Record<string, string>;
    /**
     * The body exactly as received
     */
    body: string;
    sourceIp: string;
    receivedAt: string;
    status: InboundEventStatus;
    processedAt: string | null;
    attempts: number;
    lastError: string | null;
};

