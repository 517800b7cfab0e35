/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Pending or Retrying until an attempt is recorded, then Delivered, Retrying, Failed or Expired. Sending is in the enum for the spec's sake but never stored: an attempt in flight reads as Pending or Retrying (marking it would cost a write per attempt)
 */
export type DeliveryStatus = 'Pending' | 'Sending' | 'Delivered' | 'Failed' | 'Retrying' | 'Expired';
