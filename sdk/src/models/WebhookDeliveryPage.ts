/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { WebhookDeliveryDto } from './WebhookDeliveryDto';
export type WebhookDeliveryPage = {
    items: Array<WebhookDeliveryDto>;
    total: number;
    page: number;
    pageSize: number;
};

