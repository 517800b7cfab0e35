/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { WebhookDto } from './WebhookDto';
export type WebhookPage = {
    items: Array<WebhookDto>;
    total: number;
    page: number;
    pageSize: number;
};

