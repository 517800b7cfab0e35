/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type IntegrationType = 'PaymentGateway' | 'EmailService' | 'SMSService' | 'CalendarSync' | 'CustomAPI' | 'CRM' | 'Analytics' | 'Storage';
