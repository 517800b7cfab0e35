/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type DeliveryStatus = 'Pending' | 'Sending' | 'Delivered' | 'Failed' | 'Retrying' | 'Expired';
